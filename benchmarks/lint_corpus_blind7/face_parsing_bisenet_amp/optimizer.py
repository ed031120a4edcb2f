import torch


class Optimizer(object):
    @property
    def param_groups(self):
        return self.optim.param_groups

    def __init__(self, model, lr0, momentum, wd, warmup_steps, warmup_start_lr, max_iter, power):
        self.warmup_steps = warmup_steps
        self.warmup_start_lr = warmup_start_lr
        self.lr0 = lr0
        self.max_iter = float(max_iter)
        self.power = power
        self.it = 0
        wd_params, nowd_params, lr_mul_wd_params, lr_mul_nowd_params = model.get_params()
        param_list = [
            {"params": wd_params},
            {"params": nowd_params, "weight_decay": 0},
            {"params": lr_mul_wd_params, "lr_mul": True},
            {"params": lr_mul_nowd_params, "weight_decay": 0, "lr_mul": True},
        ]
        self.optim = torch.optim.SGD(param_list, lr=lr0, momentum=momentum, weight_decay=wd)
        self.warmup_factor = (self.lr0 / self.warmup_start_lr) ** (1.0 / self.warmup_steps)

    def get_lr(self):
        if self.it <= self.warmup_steps:
            return self.warmup_start_lr * (self.warmup_factor ** self.it)
        return self.lr0 * (1 - (self.it - self.warmup_steps) / (self.max_iter - self.warmup_steps)) ** self.power

    def step(self):
        self.lr = self.get_lr()
        for pg in self.optim.param_groups:
            pg["lr"] = self.lr * 10 if pg.get("lr_mul", False) else self.lr
        self.it += 1
        self.optim.step()

    def zero_grad(self):
        self.optim.zero_grad()

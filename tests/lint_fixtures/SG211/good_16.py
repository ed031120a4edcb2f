# The BasicSR layout with the skip recorded: the subclass notes whether the GradScaler kept its
# scale (the step ran), and the per-iteration scheduler update steps only then.
import torch


class BaseModel:
    def __init__(self, opt):
        self.opt = opt
        self.optimizers = []
        self.schedulers = []
        self.step_skipped = False

    def update_learning_rate(self, current_iter, warmup_iter=-1):
        if current_iter > 1 and not self.step_skipped:
            for scheduler in self.schedulers:
                scheduler.step()


class SRModel(BaseModel):
    def __init__(self, opt, net):
        super().__init__(opt)
        self.net_g = net
        self.optimizer_g = torch.optim.Adam(net.parameters(), lr=opt["lr"])
        self.optimizers.append(self.optimizer_g)
        self.schedulers.append(torch.optim.lr_scheduler.MultiStepLR(self.optimizer_g, [200_000]))
        self.use_amp = opt.get("use_amp", False)
        self.scaler = torch.cuda.amp.GradScaler(enabled=self.use_amp)

    def optimize_parameters(self, lq, gt):
        self.optimizer_g.zero_grad()
        with torch.autocast("cuda", enabled=self.use_amp):
            loss = torch.nn.functional.l1_loss(self.net_g(lq), gt)
        self.scaler.scale(loss).backward()
        scale = self.scaler.get_scale()
        self.scaler.step(self.optimizer_g)
        self.scaler.update()
        self.step_skipped = self.scaler.get_scale() < scale

# The BasicSR layout: the base model steps every scheduler in a per-iteration method the training
# loop calls, while the subclass steps its optimizer through a GradScaler that may skip the step.
import torch


class BaseModel:
    def __init__(self, opt):
        self.opt = opt
        self.optimizers = []
        self.schedulers = []

    def update_learning_rate(self, current_iter, warmup_iter=-1):
        if current_iter > 1:
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
        self.scaler.step(self.optimizer_g)
        self.scaler.update()

# A model class steps its schedulers once per epoch (the method takes the epoch), while its
# per-batch method steps through a GradScaler: one skipped step does not shift an epoch count.
import torch


class Model:
    def __init__(self, net, lr):
        self.net = net
        self.optimizer = torch.optim.Adam(net.parameters(), lr=lr)
        self.schedulers = [torch.optim.lr_scheduler.StepLR(self.optimizer, 30)]
        self.scaler = torch.cuda.amp.GradScaler()

    def optimize_parameters(self, x, y):
        self.optimizer.zero_grad()
        with torch.autocast("cuda"):
            loss = torch.nn.functional.mse_loss(self.net(x), y)
        self.scaler.scale(loss).backward()
        self.scaler.step(self.optimizer)
        self.scaler.update()

    def update_learning_rate(self, epoch):
        for scheduler in self.schedulers:
            scheduler.step()

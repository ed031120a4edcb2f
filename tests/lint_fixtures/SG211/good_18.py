# A model's `fit` takes a count of steps (accumulation_steps), not the current iteration, and
# steps its scheduler once per epoch in its own loop: one skipped step does not shift it.
import torch


class Model(torch.nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net
        self.optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
        self.scheduler = torch.optim.lr_scheduler.StepLR(self.optimizer, 10)
        self.scaler = torch.cuda.amp.GradScaler()

    def train_one_step(self, x, y):
        with torch.autocast("cuda"):
            loss = torch.nn.functional.mse_loss(self.net(x), y)
        self.scaler.scale(loss).backward()
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self.optimizer.zero_grad()
        return loss

    def fit(self, loader, epochs=10, accumulation_steps=1):
        for _ in range(epochs):
            for x, y in loader:
                self.train_one_step(x, y)
            self.scheduler.step()

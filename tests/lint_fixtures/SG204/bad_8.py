# A trainer split into methods: backward() scales the loss, optimizer_step() clips and then
# steps the scaler; the loop calls them in that order, so the clip sees scaled gradients.
import torch


class Trainer:
    def __init__(self, model, loader, accum=1, max_norm=1.0, use_amp=False):
        self.model = model
        self.loader = loader
        self.accum = accum
        self.max_norm = max_norm
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=0.1)
        self.scaler = torch.cuda.amp.GradScaler(enabled=use_amp)

    def train(self):
        for step, batch in enumerate(self.loader):
            loss = self.training_step(batch)
            self.backward(loss)
            if (step + 1) % self.accum == 0:
                self.optimizer_step()

    def training_step(self, batch):
        x, y = batch
        return torch.nn.functional.cross_entropy(self.model(x), y)

    def backward(self, loss):
        self.scaler.scale(loss).backward()

    def optimizer_step(self):
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.max_norm)
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self.optimizer.zero_grad()

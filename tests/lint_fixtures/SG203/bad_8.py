# Lightning manual optimization: the gradients are accumulated over `accumulate` batches, but
# Lightning's clip_gradients runs on every batch, on the partial sum.
import lightning.pytorch as pl
import torch


class Model(pl.LightningModule):
    def __init__(self, accumulate=4):
        super().__init__()
        self.automatic_optimization = False
        self.net = torch.nn.Linear(8, 2)
        self.accumulate = accumulate

    def training_step(self, batch, batch_idx):
        opt = self.optimizers()
        x, y = batch
        loss = torch.nn.functional.cross_entropy(self.net(x), y) / self.accumulate
        self.manual_backward(loss)
        self.clip_gradients(opt, gradient_clip_val=1.0, gradient_clip_algorithm="norm")
        if (batch_idx + 1) % self.accumulate == 0:
            opt.step()
            opt.zero_grad()

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)

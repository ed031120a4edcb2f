# A while loop with the `continue` form of the window, in a trainer class.
from torch.optim import AdamW
from torch.optim.lr_scheduler import OneCycleLR


class Trainer:
    def __init__(self, model, cfg):
        self.model = model
        self.cfg = cfg
        self.optimizer = AdamW(model.parameters(), lr=cfg.lr)
        self.lr_scheduler = OneCycleLR(self.optimizer, max_lr=cfg.lr, total_steps=cfg.max_steps)

    def fit(self, batches):
        accum = self.cfg.accum
        micro_step = 0
        while micro_step < self.cfg.max_steps * accum:
            x, y = next(batches)
            loss = self.model.loss(x, y) / accum
            loss.backward()
            self.lr_scheduler.step()
            micro_step += 1
            if micro_step % accum != 0:
                continue
            self.optimizer.step()
            self.optimizer.zero_grad()

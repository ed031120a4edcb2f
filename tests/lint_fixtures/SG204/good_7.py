# Clipping helpers on the right side of unscale_: the caller unscales before calling the helper,
# or the helper unscales itself; the fp32 branch calls it with no scaler at all.
import torch


class Trainer:
    def __init__(self, model, optimizer, use_amp=True, max_grad_norm=1.0):
        self.model = model
        self.optimizer = optimizer
        self.max_grad_norm = max_grad_norm
        self.use_amp = use_amp
        self.scaler = torch.cuda.amp.GradScaler(enabled=use_amp)

    def fit_batch(self, x, y):
        if self.use_amp:
            with torch.autocast("cuda"):
                loss = torch.nn.functional.mse_loss(self.model(x), y)
            self.scaler.scale(loss).backward()
            self.scaler.unscale_(self.optimizer)
            self.clip()
            self.scaler.step(self.optimizer)
            self.scaler.update()
        else:
            loss = torch.nn.functional.mse_loss(self.model(x), y)
            loss.backward()
            self.clip()
            self.optimizer.step()
        self.optimizer.zero_grad()

    def clip(self):
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.max_grad_norm)

    def other_batch(self, x, y):
        with torch.autocast("cuda"):
            loss = torch.nn.functional.mse_loss(self.model(x), y)
        self.scaler.scale(loss).backward()
        self.unscale_and_clip()
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self.optimizer.zero_grad()

    def unscale_and_clip(self):
        self.scaler.unscale_(self.optimizer)
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.max_grad_norm)

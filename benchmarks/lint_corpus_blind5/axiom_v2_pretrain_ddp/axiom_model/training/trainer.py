import torch
from torch.nn.utils import clip_grad_norm_

from .metrics import compute_loss


class Trainer:
    def __init__(self, model, optimizer, train_loader, config):
        self.model = model
        self.optimizer = optimizer
        self.train_loader = train_loader
        self.config = config
        self.device = next(model.parameters()).device
        self.grad_accum_steps = config.get("grad_accum_steps", 4)
        self.clip_grad = config.get("clip_grad", 1.0)
        self.scaler = torch.amp.GradScaler("cuda", enabled=torch.cuda.is_available())
        self.rolling = None

    def dtype(self):
        name = self.config.get("training", {}).get("dtype", "float16")
        return {"bfloat16": torch.bfloat16, "float32": torch.float32}.get(name, torch.float16)

    def train_step(self, x, y, is_last_accum_step=True):
        with torch.autocast(device_type=self.device.type, dtype=self.dtype()):
            logits = self.model(x)
            loss = compute_loss(logits, y)
            loss = loss / self.grad_accum_steps
        if not torch.isfinite(loss):
            self.optimizer.zero_grad(set_to_none=True)
            return float("inf"), None
        value = loss.item() * self.grad_accum_steps
        if self.rolling is not None and value > 5.0 * self.rolling and self.rolling > 0.1:
            self.optimizer.zero_grad(set_to_none=True)
            return value, None
        self.rolling = value if self.rolling is None else 0.99 * self.rolling + 0.01 * value
        self.scaler.scale(loss).backward()
        if is_last_accum_step:
            self.scaler.unscale_(self.optimizer)
            grad_norm = clip_grad_norm_(self.model.parameters(), self.clip_grad)
            if not torch.isfinite(grad_norm):
                self.optimizer.zero_grad(set_to_none=True)
            else:
                self.scaler.step(self.optimizer)
            self.scaler.update()
            self.optimizer.zero_grad(set_to_none=True)
            return value, grad_norm.item()
        return value, None

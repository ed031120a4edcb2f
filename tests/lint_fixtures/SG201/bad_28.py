# nanoGPT's inner micro-step loop moved into a trainer method called once per optimizer step; the
# per-token masked mean of each micro-batch is backpropagated undivided.
import torch
import torch.nn.functional as F


class Trainer:
    def __init__(self, model, optimizer, scaler, loader, grad_accum):
        self.model = model
        self.optimizer = optimizer
        self.scaler = scaler
        self.loader = loader
        self.grad_accum = grad_accum

    def train_step(self):
        for micro_step in range(self.grad_accum):
            x, y, mask = next(self.loader)
            with torch.autocast("cuda", dtype=torch.bfloat16):
                logits = self.model(x)
            tok_loss = F.cross_entropy(logits.flatten(0, 1), y.flatten(), reduction="none")
            masked = tok_loss * mask.flatten()
            loss = masked.sum() / mask.sum()
            self.scaler.scale(loss).backward()
        self.scaler.unscale_(self.optimizer)
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self.optimizer.zero_grad(set_to_none=True)

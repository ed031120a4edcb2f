from contextlib import nullcontext

import torch
from torch.utils.data import DataLoader

from lmforge.trainer.config import TrainConfig
from lmforge.trainer.scheduler import build_scheduler


class Trainer:
    def __init__(self, model: torch.nn.Module, dataloader: DataLoader, config: TrainConfig, device: torch.device):
        self.model = model
        self.dataloader = dataloader
        self.config = config
        self.device = device
        self.autocast = torch.autocast(device_type=device.type, dtype=torch.bfloat16) if device.type == "cuda" else nullcontext()
        self.optimizer = self._build_optimizer()
        self.scheduler = build_scheduler(self.optimizer, config.warmup_steps, config.max_steps, config.lr, config.min_lr)
        self.step = 0

    def _build_optimizer(self) -> torch.optim.AdamW:
        decay, no_decay, seen = [], [], set()
        for name, param in self.model.named_parameters():
            if not param.requires_grad or id(param) in seen:
                continue
            seen.add(id(param))
            if param.ndim < 2 or "norm" in name or "embed" in name or "lm_head" in name:
                no_decay.append(param)
            else:
                decay.append(param)
        return torch.optim.AdamW(
            [{"params": decay, "weight_decay": self.config.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
            lr=self.config.lr,
            betas=(self.config.beta1, self.config.beta2),
            fused=self.device.type == "cuda",
        )

    def _batches(self):
        while True:
            for batch in self.dataloader:
                yield batch

    def train(self) -> None:
        cfg = self.config
        self.model.train()
        self.optimizer.zero_grad(set_to_none=True)
        accum = 0
        for batch in self._batches():
            batch = {k: v.to(self.device, non_blocking=True) for k, v in batch.items()}
            with self.autocast:
                _, loss = self.model(**batch)
                loss = loss / cfg.grad_accum_steps
            sync = accum + 1 >= cfg.grad_accum_steps
            if sync or not hasattr(self.model, "no_sync"):
                loss.backward()
            else:
                with self.model.no_sync():
                    loss.backward()
            accum += 1
            if not sync:
                continue
            if cfg.grad_clip > 0:
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), cfg.grad_clip)
            self.optimizer.step()
            self.scheduler.step()
            self.optimizer.zero_grad(set_to_none=True)
            self.step += 1
            accum = 0
            if self.step >= cfg.max_steps:
                break

import torch
import torch.nn as nn
from torch.amp import GradScaler, autocast
from torch.optim import AdamW
from torch.optim.lr_scheduler import LambdaLR


class Trainer:
    def __init__(self, model, tokenizer, config, device="cuda", rank=0):
        self.model = model
        self.config = config
        self.device = device
        self.rank = rank
        self.optimizer = AdamW(
            model.parameters(),
            lr=1.0,
            betas=(config.beta1, config.beta2),
            eps=config.eps,
            weight_decay=config.weight_decay,
        )
        d_model = self.model.module.src_embedding.d_model

        def noam(step):
            step = step + 1
            return d_model**-0.5 * min(step**-0.5, step * config.warmup_steps**-1.5)

        self.scheduler = LambdaLR(self.optimizer, noam)
        self.criterion = nn.CrossEntropyLoss(ignore_index=tokenizer.pad_token_id)
        self.scaler = GradScaler()
        self.epoch = 0

    def train_epoch(self, loader):
        self.model.train()
        loader.sampler.set_epoch(self.epoch)
        k = self.config.accumulation_steps
        self.optimizer.zero_grad()
        for i, batch in enumerate(loader):
            src, tgt = batch["src"].to(self.device), batch["tgt"].to(self.device)
            with autocast(device_type="cuda", dtype=torch.float16):
                out = self.model(src, tgt[:, :-1])
                loss = self.criterion(out.view(-1, out.size(-1)), tgt[:, 1:].reshape(-1))
                loss = loss / k
            self.scaler.scale(loss).backward()
            if (i + 1) % k == 0 or (i + 1) == len(loader):
                self.scaler.unscale_(self.optimizer)
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.config.max_grad_norm)
                self.scaler.step(self.optimizer)
                self.scaler.update()
                self.scheduler.step()
                self.optimizer.zero_grad()

    def train(self, train_loader, val_loader):
        for epoch in range(self.config.num_epochs):
            self.epoch = epoch
            self.train_epoch(train_loader)

import torch
from torch.cuda.amp import GradScaler, autocast


class Trainer:
    def __init__(self, net, criterion, dataloaders, optimizer, scheduler, device, cfg):
        self.net = net
        self.criterion = criterion
        self.dataloaders = dataloaders
        self.optimizer = optimizer
        self.scheduler = scheduler
        self.device = device
        self.cfg = cfg
        self.global_train_step = 0
        self.scaler = None

    def run(self):
        if self.cfg.train.amp:
            self.scaler = GradScaler(init_scale=2**16, growth_factor=2, backoff_factor=0.5, growth_interval=2000, enabled=True)
        for epoch in range(self.cfg.train.num_epoch):
            self.net.train()
            for _, data in enumerate(self.dataloaders["train"]):
                batch_ids, true_labels = (t.to(self.device) for t in data)
                if self.cfg.train.amp:
                    with autocast():
                        pred_logits = self.net(batch_ids)["logits"]
                        train_loss = self.criterion(pred_logits, true_labels)
                else:
                    pred_logits = self.net(batch_ids)["logits"]
                    train_loss = self.criterion(pred_logits, true_labels)

                if self.cfg.train.gradient_accumulation_steps > 1:
                    train_loss /= self.cfg.train.gradient_accumulation_steps

                if (self.global_train_step + 1) % self.cfg.train.gradient_accumulation_steps == 0:
                    self.optimizer.zero_grad()
                    if self.cfg.train.amp:
                        self.scaler.scale(train_loss).backward()
                    else:
                        train_loss.backward()
                    torch.nn.utils.clip_grad_norm_(self.net.parameters(), self.cfg.train.max_grad_norm)
                    if self.cfg.train.amp:
                        self.scaler.step(self.optimizer)
                        self.scaler.update()
                    else:
                        self.optimizer.step()
                    self.scheduler.step()
                self.global_train_step += 1

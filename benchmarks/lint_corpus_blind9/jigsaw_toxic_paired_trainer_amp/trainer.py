import torch
import torch.nn as nn
from torch.cuda import amp
from torch.nn import MarginRankingLoss
from torch.optim import AdamW
from torch.utils.data import DataLoader
from transformers import get_scheduler


class Trainer:
    def __init__(self, accumulation_steps, epochs, learning_rate, model, train_set, train_batch_size, scheduler, warmup, weight_decay):
        self.train_loader = DataLoader(train_set, batch_size=train_batch_size, shuffle=True, pin_memory=True)
        self.model = model.to("cuda")
        self.optimizer = AdamW(self.model.parameters(), lr=learning_rate, weight_decay=weight_decay)
        self.epochs = epochs
        self.accumulation_steps = accumulation_steps
        total_steps = (len(self.train_loader) // self.accumulation_steps) * self.epochs
        num_warmup_steps = round(total_steps * warmup)
        self.scheduler = get_scheduler(scheduler, self.optimizer, num_warmup_steps, total_steps)
        self.scaler = amp.GradScaler()
        self.loss_fn = MarginRankingLoss(0.0)

    def train(self):
        global_step = 1
        self.optimizer.zero_grad(set_to_none=True)
        for epoch in range(1, self.epochs + 1):
            self.model.train()
            for epoch_step, data in enumerate(self.train_loader):
                loss = self._model_fn(data)
                self.scaler.scale(loss).backward()
                if global_step % self.accumulation_steps == 0:
                    self.scaler.step(self.optimizer)
                    self.scaler.update()
                    self.scheduler.step()
                    self.optimizer.zero_grad(set_to_none=True)
                global_step += 1

    def _model_fn(self, data):
        less_toxic_data, more_toxic_data, target = data
        less_toxic_data = {k: v.to("cuda") for k, v in less_toxic_data.items()}
        more_toxic_data = {k: v.to("cuda") for k, v in more_toxic_data.items()}
        target = target.to("cuda")
        with amp.autocast():
            less_toxic_output = self.model(**less_toxic_data)
            more_toxic_output = self.model(**more_toxic_data)
            loss = self.loss_fn(less_toxic_output.logits, more_toxic_output.logits, target)
            loss = loss / self.accumulation_steps
        return loss

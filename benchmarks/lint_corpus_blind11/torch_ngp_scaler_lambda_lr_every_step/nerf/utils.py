import torch


class Trainer:
    def __init__(self, name, opt, model, device=None, criterion=None, optimizer=None, lr_scheduler=None, ema_decay=None, fp16=False, scheduler_update_every_step=False, workspace="workspace"):
        self.name = name
        self.opt = opt
        self.device = device
        self.fp16 = fp16
        self.scheduler_update_every_step = scheduler_update_every_step
        self.model = model.to(device)
        self.criterion = criterion
        if optimizer is None:
            self.optimizer = torch.optim.Adam(self.model.parameters(), lr=0.001, weight_decay=5e-4)
        else:
            self.optimizer = optimizer(self.model)
        if lr_scheduler is None:
            self.lr_scheduler = torch.optim.lr_scheduler.LambdaLR(self.optimizer, lr_lambda=lambda epoch: 1)
        else:
            self.lr_scheduler = lr_scheduler(self.optimizer)
        self.scaler = torch.cuda.amp.GradScaler(enabled=self.fp16)
        self.global_step = 0

    def train_step(self, data):
        pred = self.model.render(data["rays_o"], data["rays_d"])
        loss = self.criterion(pred, data["images"]).mean()
        return pred, data["images"], loss

    def train_one_epoch(self, loader):
        self.model.train()
        total_loss = 0.0
        for data in loader:
            self.global_step += 1
            self.optimizer.zero_grad()
            with torch.cuda.amp.autocast(enabled=self.fp16):
                preds, truths, loss = self.train_step(data)
            self.scaler.scale(loss).backward()
            self.scaler.step(self.optimizer)
            self.scaler.update()

            if self.scheduler_update_every_step:
                self.lr_scheduler.step()
            total_loss += loss.item()

        if not self.scheduler_update_every_step:
            if isinstance(self.lr_scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
                self.lr_scheduler.step(total_loss)
            else:
                self.lr_scheduler.step()

    def train(self, train_loader, valid_loader, max_epochs):
        for _epoch in range(max_epochs):
            self.train_one_epoch(train_loader)

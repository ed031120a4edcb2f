from torch.cuda.amp import GradScaler, autocast


class DDPTrainer:
    def __init__(self, criterion, device, config):
        self.criterion = criterion
        self.device = device
        self.cfg = config
        self.use_half_prec = config.performance.half_precision
        self.scaler = GradScaler(enabled=self.use_half_prec)

    def train_epoch(self, model, train_data_loader, optimizer, curr_epoch):
        model.train()
        train_data_loader.sampler.set_epoch(curr_epoch)
        for j, (inputs, targets, indexes, _, _) in enumerate(train_data_loader):
            inputs = inputs.to(self.device, non_blocking=True)
            targets = targets.to(self.device, non_blocking=True)
            with autocast(enabled=self.use_half_prec):
                outputs = model(inputs)
                loss = self.criterion(outputs, targets)
                loss_mean = loss.mean()
            optimizer.zero_grad()
            self.scaler.scale(loss_mean).backward()
            self.scaler.step(optimizer)
            self.scaler.update()
        return None, None

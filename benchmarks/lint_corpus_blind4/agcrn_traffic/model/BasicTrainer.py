import torch


class Trainer:
    def __init__(self, model, loss, optimizer, train_loader, scaler, args, lr_scheduler=None):
        self.model = model
        self.loss = loss
        self.optimizer = optimizer
        self.train_loader = train_loader
        self.scaler = scaler
        self.args = args
        self.lr_scheduler = lr_scheduler

    def train_epoch(self, epoch):
        self.model.train()
        for batch_idx, (data, target) in enumerate(self.train_loader):
            data = data[..., :self.args.input_dim]
            label = target[..., :self.args.output_dim]
            self.optimizer.zero_grad()
            output = self.model(data, target, teacher_forcing_ratio=1.0)
            if self.args.real_value:
                label = self.scaler.inverse_transform(label)
            loss = self.loss(output.cuda(), label)
            loss.backward()
            if self.args.grad_norm:
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.args.max_grad_norm)
            self.optimizer.step()
        if self.args.lr_decay:
            self.lr_scheduler.step()

    def train(self):
        for epoch in range(1, self.args.epochs + 1):
            self.train_epoch(epoch)

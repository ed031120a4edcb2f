import torch.nn as nn
import torch.optim as optim


class AbstractTrainer:
    def __init__(self, args, model, train_loader):
        self.args = args
        self.device = args.device
        self.model = model.to(self.device)
        if args.num_gpu > 1:
            self.model = nn.DataParallel(self.model)
        self.train_loader = train_loader
        self.optimizer = self._create_optimizer()
        self.lr_scheduler = optim.lr_scheduler.StepLR(self.optimizer, step_size=args.decay_step, gamma=args.gamma)
        self.num_epochs = args.num_epochs

    def calculate_loss(self, batch):
        raise NotImplementedError

    def train(self):
        for epoch in range(self.num_epochs):
            self.train_one_epoch(epoch)

    def train_one_epoch(self, epoch):
        self.model.train()
        self.lr_scheduler.step()
        for batch_idx, batch in enumerate(self.train_loader):
            batch = [x.to(self.device) for x in batch]
            self.optimizer.zero_grad()
            loss = self.calculate_loss(batch)
            loss.backward()
            self.optimizer.step()

    def _create_optimizer(self):
        args = self.args
        if args.optimizer.lower() == "adam":
            return optim.Adam(self.model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
        elif args.optimizer.lower() == "sgd":
            return optim.SGD(self.model.parameters(), lr=args.lr, weight_decay=args.weight_decay, momentum=args.momentum)
        else:
            raise ValueError

import importlib

import torch
from torch.cuda.amp import GradScaler, autocast


class Trainer:
    def __init__(self, config, train_loader):
        self.config = config
        self.device = torch.device("cuda")
        self.train_loader = train_loader
        Model = importlib.import_module("graphs.models." + config.model).__getattribute__(config.model)
        self.__model__ = Model(**vars(config)).to(self.device)
        LossFunction = importlib.import_module("graphs.losses." + config.loss_function).__getattribute__("LossFunction")
        self.__loss__ = LossFunction(**vars(config)).to(self.device)
        Optimizer = importlib.import_module("graphs.optimizers." + config.optimizer).__getattribute__("Optimizer")
        self.__optimizer__ = Optimizer(self.__model__.parameters(), **vars(config))
        Scheduler = importlib.import_module("graphs.schedulers." + config.scheduler).__getattribute__("Scheduler")
        self.__scheduler__, self.lr_step = Scheduler(self.__optimizer__, **vars(config))
        self.scaler = GradScaler()
        self.mixedprec = config.mixedprec
        self.current_epoch = 0

    def train(self):
        for epoch in range(self.current_epoch, self.config.max_epoch):
            self.current_epoch = epoch
            self.train_one_epoch()

    def train_one_epoch(self):
        self.__model__.train()
        for x, y in self.train_loader:
            x = x.transpose(1, 0).to(self.device)
            y = torch.LongTensor(y).to(self.device)
            self.__model__.zero_grad()
            if self.mixedprec:
                with autocast():
                    cur_loss, curr_top1 = self.__model__.forward_loss(x, y, self.__loss__)
                self.scaler.scale(cur_loss).backward()
                self.scaler.step(self.__optimizer__)
                self.scaler.update()
            else:
                cur_loss, curr_top1 = self.__model__.forward_loss(x, y, self.__loss__)
                cur_loss.backward()
                self.__optimizer__.step()
            if self.lr_step == "iteration":
                self.__scheduler__.step()
        if self.lr_step == "epoch":
            self.__scheduler__.step()

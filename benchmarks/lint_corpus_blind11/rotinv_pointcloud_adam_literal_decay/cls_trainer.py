import torch
import torch.nn.functional as F
from torch.optim import SGD, Adam
from torch_geometric.data import DataLoader

import Networks


class LazyScheduler:
    def step(self, epoch=None):
        pass


class ClsTrainer:
    def __init__(self, opt):
        self.opt = opt
        self.epoch = opt.start_epoch

    def build_network(self):
        net = Networks.mn_clsNet(self.opt) if self.opt.network == "ModelNet" else Networks.scan_clsNet(self.opt)
        self.network = net.cuda()

    def build_dataset(self, train_dataset):
        self.train_loader = DataLoader(train_dataset, batch_size=self.opt.batch_size, shuffle=True)

    def build_optimizer(self):
        self.opt.lrate = self.opt.lrate / 32 * self.opt.batch_size
        if self.opt.use_sgd:
            self.optimizer = SGD(self.network.parameters(), lr=self.opt.lrate * 100, momentum=self.opt.sgd_momentum, weight_decay=self.opt.weight_decay)
        else:
            self.optimizer = Adam(self.network.parameters(), lr=self.opt.lrate, weight_decay=1e-4)
        self.optimizer.zero_grad()

        if self.opt.use_annl:
            self.scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(self.optimizer, self.opt.nepoch, self.opt.lrate, last_epoch=self.epoch - 1)
        elif self.opt.use_step:
            self.scheduler = torch.optim.lr_scheduler.StepLR(self.optimizer, step_size=self.opt.step_size, gamma=self.opt.gamma)
        else:
            self.scheduler = LazyScheduler()

    def train_iteration(self, data, label):
        pred = self.network(data)
        loss = F.cross_entropy(pred, label)
        loss.backward()
        self.optimizer.step()
        self.optimizer.zero_grad()

    def train_epoch(self):
        self.network.train()
        for data in self.train_loader:
            data = data.to("cuda")
            self.train_iteration(data, data.y.cuda())
        self.scheduler.step(epoch=self.epoch)

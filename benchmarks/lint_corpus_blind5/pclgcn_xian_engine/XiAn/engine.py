import torch
import torch.optim as optim

import util
from model import ASTGCN_Recent, gwnet


class trainer1:
    def __init__(self, in_dim, seq_length, num_nodes, nhid, dropout, lrate, wdecay, device, supports, decay):
        self.model = gwnet(device, num_nodes, dropout, supports=supports, in_dim=in_dim, out_dim=seq_length, residual_channels=nhid)
        self.model.to(device)
        self.optimizer = optim.Adam(self.model.parameters(), lr=lrate, weight_decay=wdecay)
        self.scheduler = optim.lr_scheduler.ExponentialLR(self.optimizer, decay)
        self.loss = util.masked_mae
        self.clip = 5

    def train(self, input, real_val):
        self.model.train()
        self.optimizer.zero_grad()
        output, _, _ = self.model(input)
        loss = self.loss(output.transpose(1, 3), torch.unsqueeze(real_val, dim=1), 0.0)
        loss.backward()
        if self.clip is not None:
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.clip)
        self.optimizer.step()
        return loss.item()


class trainer2:
    def __init__(self, in_dim, seq_length, num_nodes, nhid, dropout, lrate, wdecay, device, supports, decay):
        self.model = ASTGCN_Recent(device, num_nodes, dropout, supports=supports, in_dim=in_dim, out_dim=seq_length, residual_channels=nhid)
        self.model.to(device)
        self.optimizer = optim.Adam(self.model.parameters(), lr=lrate, weight_decay=wdecay)
        self.scheduler = optim.lr_scheduler.ExponentialLR(self.optimizer, decay)
        self.loss = util.masked_mae
        self.clip = 5

    def train(self, input, real_val):
        self.model.train()
        self.optimizer.zero_grad()
        output, _, _ = self.model(input)
        loss = self.loss(output.transpose(1, 3), torch.unsqueeze(real_val, dim=1), 0.0)
        loss.backward()
        if self.clip is not None:
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.clip)
        self.optimizer.step()
        return loss.item()

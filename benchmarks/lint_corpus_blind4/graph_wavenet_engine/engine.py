import torch
import torch.optim as optim
from torch import nn

import util
from model import GWNet


class Trainer:
    def __init__(self, scaler, in_dim, seq_length, num_nodes, nhid, dropout, lrate, wdecay, device, supports, clip=5, lr_decay_rate=0.97):
        self.model = GWNet(device, num_nodes, dropout, supports=supports, in_dim=in_dim, out_dim=seq_length, residual_channels=nhid)
        self.model.to(device)
        self.optimizer = optim.Adam(self.model.parameters(), lr=lrate, weight_decay=wdecay)
        self.scheduler = optim.lr_scheduler.LambdaLR(self.optimizer, lr_lambda=lambda epoch: lr_decay_rate ** epoch)
        self.scaler = scaler
        self.clip = clip

    def train(self, input, real_val):
        self.model.train()
        self.optimizer.zero_grad()
        input = nn.functional.pad(input, (1, 0, 0, 0))
        output = self.model(input).transpose(1, 3)
        predict = self.scaler.inverse_transform(output)
        real = torch.unsqueeze(real_val, dim=1)
        mae, mape, rmse = util.cheaper_metric(predict, real, null_val=0.0)
        mae.backward()
        if self.clip is not None:
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.clip)
        self.optimizer.step()
        return mae.item(), mape.item(), rmse.item()

import torch
import torch.nn as nn
import torch.optim as optim

from layer import A_GMAT_module
from utils import masked_mae


class Trainer:
    def __init__(self, model, lrate, wdecay, clip, step_size, seq_out_len, scaler, device, cl=True):
        self.scaler = scaler
        model.a_gmat_list = nn.ModuleList([A_GMAT_module(n_heads=8, in_channel=32)])
        model.test_conv_1 = nn.Conv2d(32, 32, kernel_size=(1, 1), bias=True)
        model.test_conv_2 = nn.Conv2d(32, 32, kernel_size=(1, 1), bias=True)
        self.model = model
        self.model.to(device)
        self.optimizer = optim.Adam(self.model.parameters(), lr=lrate, weight_decay=wdecay)
        self.clip = clip
        self.step = step_size
        self.iter = 1
        self.task_level = 1
        self.seq_out_len = seq_out_len
        self.cl = cl

    def train(self, input, real_val):
        self.model.train()
        self.optimizer.zero_grad()
        output = self.model(input).transpose(1, 3)
        real = torch.unsqueeze(real_val, dim=1)
        predict = self.scaler.inverse_transform(output)
        if self.iter % self.step == 0 and self.task_level <= self.seq_out_len:
            self.task_level += 1
        if self.cl:
            loss = masked_mae(predict[:, :, :, : self.task_level], real[:, :, :, : self.task_level], 0.0)
        else:
            loss = masked_mae(predict, real, 0.0)
        loss.backward()
        if self.clip is not None:
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.clip)
        self.optimizer.step()
        self.iter += 1
        return loss.item()

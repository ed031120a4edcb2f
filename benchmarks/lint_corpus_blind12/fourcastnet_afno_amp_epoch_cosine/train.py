"""Paraphrase of train.py (NVlabs/FourCastNet): the Trainer's optimizer, scheduler and epoch loop."""
import torch
import torch.distributed as dist
from apex import optimizers
from torch.cuda import amp
from torch.nn.parallel import DistributedDataParallel

from networks.afnonet import AFNONet
from utils.darcy_loss import LpLoss


class Trainer:
    def __init__(self, params, train_data_loader):
        self.params = params
        self.train_data_loader = train_data_loader
        self.loss_obj = LpLoss()
        self.model = AFNONet(params)
        if params.optimizer_type == "FusedAdam":
            self.optimizer = optimizers.FusedAdam(self.model.parameters(), lr=params.lr)
        else:
            self.optimizer = torch.optim.Adam(self.model.parameters(), lr=params.lr)
        if params.enable_amp:
            self.gscaler = amp.GradScaler()
        if dist.is_initialized():
            self.model = DistributedDataParallel(self.model, device_ids=[params.local_rank],
                                                 output_device=[params.local_rank], find_unused_parameters=True)
        if params.scheduler == "ReduceLROnPlateau":
            self.scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(self.optimizer, factor=0.2, patience=5, mode="min")
        elif params.scheduler == "CosineAnnealingLR":
            self.scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(self.optimizer, T_max=params.max_epochs)
        else:
            self.scheduler = None

    def train(self):
        for epoch in range(self.params.max_epochs):
            train_logs = self.train_one_epoch()
            valid_loss = self.validate_one_epoch()
            if self.params.scheduler == "ReduceLROnPlateau":
                self.scheduler.step(valid_loss)
            elif self.params.scheduler == "CosineAnnealingLR":
                self.scheduler.step()

    def train_one_epoch(self):
        self.model.train()
        for inp, tar in self.train_data_loader:
            self.model.zero_grad()
            with amp.autocast(self.params.enable_amp):
                gen = self.model(inp)
                loss = self.loss_obj(gen, tar)
            if self.params.enable_amp:
                self.gscaler.scale(loss).backward()
                self.gscaler.step(self.optimizer)
            else:
                loss.backward()
                self.optimizer.step()
            if self.params.enable_amp:
                self.gscaler.update()
        return {"loss": loss}

    def validate_one_epoch(self):
        raise NotImplementedError

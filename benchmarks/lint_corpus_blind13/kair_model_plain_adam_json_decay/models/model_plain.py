import torch
import torch.nn as nn
from torch.optim import Adam, lr_scheduler

from models.model_base import ModelBase
from models.select_network import define_G


class ModelPlain(ModelBase):
    def __init__(self, opt):
        super().__init__(opt)
        self.opt_train = self.opt["train"]
        self.netG = self.model_to_device(define_G(opt))

    def init_train(self):
        self.netG.train()
        self.G_lossfn = nn.L1Loss().to(self.device)
        self.G_lossfn_weight = self.opt_train["G_lossfn_weight"]
        self.define_optimizer()
        self.define_scheduler()

    def define_optimizer(self):
        G_optim_params = []
        for k, v in self.netG.named_parameters():
            if v.requires_grad:
                G_optim_params.append(v)
        if self.opt_train["G_optimizer_type"] == "adam":
            self.G_optimizer = Adam(G_optim_params, lr=self.opt_train["G_optimizer_lr"],
                                    betas=self.opt_train["G_optimizer_betas"],
                                    weight_decay=self.opt_train["G_optimizer_wd"])
        else:
            raise NotImplementedError

    def define_scheduler(self):
        if self.opt_train["G_scheduler_type"] == "MultiStepLR":
            self.schedulers.append(lr_scheduler.MultiStepLR(self.G_optimizer,
                                                            self.opt_train["G_scheduler_milestones"],
                                                            self.opt_train["G_scheduler_gamma"]))
        else:
            raise NotImplementedError

    def optimize_parameters(self, current_step):
        self.G_optimizer.zero_grad()
        self.E = self.netG(self.L)
        G_loss = self.G_lossfn_weight * self.G_lossfn(self.E, self.H)
        G_loss.backward()

        G_optimizer_clipgrad = self.opt_train["G_optimizer_clipgrad"] if self.opt_train["G_optimizer_clipgrad"] else 0
        if G_optimizer_clipgrad > 0:
            torch.nn.utils.clip_grad_norm_(self.parameters(), max_norm=self.opt_train["G_optimizer_clipgrad"], norm_type=2)

        self.G_optimizer.step()
        self.log_dict["G_loss"] = G_loss.item()

import os

import torch
from sklearn.metrics import roc_auc_score

from .loss_func import RegularizationLoss


class CTRTrainer(object):
    def __init__(self, model, optimizer_fn=torch.optim.Adam, optimizer_params=None, regularization_params=None, scheduler_fn=None, scheduler_params=None, n_epoch=10, device="cpu", gpus=None, loss_mode=True, model_path="./"):
        self.model = model
        gpus = gpus or []
        if len(gpus) > 1:
            self.model = torch.nn.DataParallel(self.model, device_ids=gpus)
        self.device = torch.device(device)
        self.model.to(self.device)
        if optimizer_params is None:
            optimizer_params = {"lr": 1e-3, "weight_decay": 1e-5}
        self.optimizer = optimizer_fn(self.model.parameters(), **optimizer_params)
        if regularization_params is None:
            regularization_params = {"embedding_l1": 0.0, "embedding_l2": 0.0, "dense_l1": 0.0, "dense_l2": 0.0}
        self.scheduler = None
        if scheduler_fn is not None:
            self.scheduler = scheduler_fn(self.optimizer, **scheduler_params)
        self.loss_mode = loss_mode
        self.criterion = torch.nn.BCELoss()
        self.evaluate_fn = roc_auc_score
        self.n_epoch = n_epoch
        self.model_path = model_path
        self.reg_loss_fn = RegularizationLoss(**regularization_params)

    def train_one_epoch(self, data_loader):
        self.model.train()
        epoch_loss = 0
        for i, (x_dict, y) in enumerate(data_loader):
            x_dict = {k: v.to(self.device) for k, v in x_dict.items()}
            y = y.to(self.device).float()
            if self.loss_mode:
                y_pred = self.model(x_dict)
                loss = self.criterion(y_pred, y)
            else:
                y_pred, other_loss = self.model(x_dict)
                loss = self.criterion(y_pred, y) + other_loss
            reg_loss = self.reg_loss_fn(self.model)
            loss = loss + reg_loss
            self.model.zero_grad()
            loss.backward()
            self.optimizer.step()
            epoch_loss += loss.item()
        return epoch_loss

    def fit(self, train_dataloader, val_dataloader=None):
        for epoch_i in range(self.n_epoch):
            self.train_one_epoch(train_dataloader)
            if self.scheduler is not None:
                self.scheduler.step()
        torch.save(self.model.state_dict(), os.path.join(self.model_path, "model.pth"))

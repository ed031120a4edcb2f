"""Engine base class shared by the GMF / MLP / NeuMF recommenders."""

import torch

from utils import use_optimizer


class Engine:
    def __init__(self, config):
        self.config = config
        self.opt = use_optimizer(self.model, config)
        self.crit = torch.nn.BCELoss()  # implicit feedback

    def train_single_batch(self, users, items, ratings):
        if self.config["use_cuda"] is True:
            users, items, ratings = users.cuda(), items.cuda(), ratings.cuda()
        self.opt.zero_grad()
        ratings_pred = self.model(users, items)
        loss = self.crit(ratings_pred.view(-1), ratings)
        loss.backward()
        self.opt.step()
        return loss.item()

    def train_an_epoch(self, train_loader, epoch_id):
        self.model.train()
        for batch_id, batch in enumerate(train_loader):
            user, item, rating = batch[0], batch[1], batch[2].float()
            self.train_single_batch(user, item, rating)

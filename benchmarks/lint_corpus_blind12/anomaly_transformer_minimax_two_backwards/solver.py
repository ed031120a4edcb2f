"""Paraphrase of solver.py (thuml/Anomaly-Transformer): the minimax association-discrepancy training."""
import torch
import torch.nn as nn

from model.AnomalyTransformer import AnomalyTransformer
from utils.utils import adjust_learning_rate


class Solver:
    def __init__(self, config, train_loader):
        self.__dict__.update(config)
        self.train_loader = train_loader
        self.criterion = nn.MSELoss()
        self.model = AnomalyTransformer(win_size=self.win_size, enc_in=self.input_c, c_out=self.output_c, e_layers=3)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=self.lr)

    def association_losses(self, series, prior):
        raise NotImplementedError

    def train(self):
        for epoch in range(self.num_epochs):
            self.model.train()
            for i, (input_data, labels) in enumerate(self.train_loader):
                self.optimizer.zero_grad()
                output, series, prior, _ = self.model(input_data.float())
                series_loss, prior_loss = self.association_losses(series, prior)
                rec_loss = self.criterion(output, input_data.float())
                loss1 = rec_loss - self.k * series_loss
                loss2 = rec_loss + self.k * prior_loss

                loss1.backward(retain_graph=True)
                loss2.backward()
                self.optimizer.step()
            adjust_learning_rate(self.optimizer, epoch + 1, self.lr)

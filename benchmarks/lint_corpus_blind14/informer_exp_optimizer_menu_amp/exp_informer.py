import numpy as np
import torch
import torch.nn as nn
from torch import optim

from utils.tools import EarlyStopping, adjust_learning_rate


class Exp_Informer:
    def __init__(self, args, model):
        self.args = args
        self.model = model

    def _select_optimizer(self):
        if self.args.kind_of_optim == "SparseAdam":
            model_optim = optim.SparseAdam(self.model.parameters(), lr=self.args.learning_rate)
        elif self.args.kind_of_optim == "SGD":
            model_optim = optim.SGD(self.model.parameters(), lr=self.args.learning_rate)
        elif self.args.kind_of_optim == "RMSprop":
            model_optim = optim.RMSprop(self.model.parameters(), lr=self.args.learning_rate)
        elif self.args.kind_of_optim == "RAdam":
            model_optim = optim.RAdam(self.model.parameters(), lr=self.args.learning_rate)
        elif self.args.kind_of_optim == "NAdam":
            model_optim = optim.NAdam(self.model.parameters(), lr=self.args.learning_rate)
        elif self.args.kind_of_optim == "LBFGS":
            model_optim = optim.LBFGS(self.model.parameters(), lr=self.args.learning_rate)
        elif self.args.kind_of_optim == "Adamax":
            model_optim = optim.Adamax(self.model.parameters(), lr=self.args.learning_rate)
        elif self.args.kind_of_optim == "ASGD":
            model_optim = optim.ASGD(self.model.parameters(), lr=self.args.learning_rate)
        elif self.args.kind_of_optim == "Adadelta":
            model_optim = optim.Adadelta(self.model.parameters(), lr=self.args.learning_rate)
        elif self.args.kind_of_optim == "Adagrad":
            model_optim = optim.Adagrad(self.model.parameters(), lr=self.args.learning_rate)
        else:
            model_optim = optim.Adam(self.model.parameters(), lr=self.args.learning_rate)
        return model_optim

    def train(self, train_loader, path):
        early_stopping = EarlyStopping(patience=self.args.patience, verbose=True)
        model_optim = self._select_optimizer()
        criterion = nn.MSELoss()
        if self.args.use_amp:
            scaler = torch.cuda.amp.GradScaler()
        for epoch in range(self.args.train_epochs):
            train_loss = []
            self.model.train()
            for i, (batch_x, batch_y, batch_x_mark, batch_y_mark) in enumerate(train_loader):
                model_optim.zero_grad()
                pred, true = self._process_one_batch(batch_x, batch_y, batch_x_mark, batch_y_mark)
                loss = criterion(pred, true)
                train_loss.append(loss.item())
                if self.args.use_amp:
                    scaler.scale(loss).backward()
                    scaler.step(model_optim)
                    scaler.update()
                else:
                    loss.backward()
                    model_optim.step()
            early_stopping(np.average(train_loss), self.model, path)
            if early_stopping.early_stop:
                break
            adjust_learning_rate(model_optim, epoch + 1, self.args)
        return self.model

    def _process_one_batch(self, batch_x, batch_y, batch_x_mark, batch_y_mark):
        dec_inp = torch.zeros([batch_y.shape[0], self.args.pred_len, batch_y.shape[-1]]).float()
        dec_inp = torch.cat([batch_y[:, :self.args.label_len, :], dec_inp], dim=1).float()
        if self.args.use_amp:
            with torch.cuda.amp.autocast():
                outputs = self.model(batch_x.float(), batch_x_mark.float(), dec_inp, batch_y_mark.float())
        else:
            outputs = self.model(batch_x.float(), batch_x_mark.float(), dec_inp, batch_y_mark.float())
        f_dim = -1 if self.args.features == "MS" else 0
        return outputs, batch_y[:, -self.args.pred_len:, f_dim:].float()

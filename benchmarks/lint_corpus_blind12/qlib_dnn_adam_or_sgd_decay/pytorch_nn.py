"""Paraphrase of qlib/contrib/model/pytorch_nn.py (microsoft/qlib): DNNModelPytorch for stock return prediction."""
import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim


class Net(nn.Module):
    def __init__(self, input_dim, output_dim, layers=(256, 512, 768, 512, 256, 128, 64)):
        super().__init__()
        sizes = [input_dim] + list(layers)
        dnn_layers = [nn.Dropout(0.05)]
        for in_dim, hidden_units in zip(sizes[:-1], sizes[1:]):
            dnn_layers.append(nn.Sequential(nn.Linear(in_dim, hidden_units), nn.BatchNorm1d(hidden_units),
                                            nn.LeakyReLU(negative_slope=0.1)))
        dnn_layers.append(nn.Dropout(0.05))
        dnn_layers.append(nn.Linear(sizes[-1], output_dim))
        self.dnn_layers = nn.ModuleList(dnn_layers)

    def forward(self, x):
        for layer in self.dnn_layers:
            x = layer(x)
        return x


class DNNModelPytorch:
    def __init__(self, input_dim=360, output_dim=1, layers=(256,), lr=0.001, max_steps=300, batch_size=2000,
                 early_stop_rounds=50, eval_steps=20, optimizer="gd", loss="mse", weight_decay=0.0):
        self.lr = lr
        self.max_steps = max_steps
        self.batch_size = batch_size
        self.eval_steps = eval_steps
        self.weight_decay = weight_decay
        self.dnn_model = Net(input_dim, output_dim, layers)
        if optimizer.lower() == "adam":
            self.train_optimizer = optim.Adam(self.dnn_model.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        elif optimizer.lower() == "gd":
            self.train_optimizer = optim.SGD(self.dnn_model.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        else:
            raise NotImplementedError("optimizer {} is not supported!".format(optimizer))
        self.scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(self.train_optimizer, mode="min", factor=0.5,
                                                                    patience=10, min_lr=0.00001)

    def fit(self, x_train, y_train, w_train, x_valid, y_valid, w_valid):
        train_num = y_train.shape[0]
        for step in range(self.max_steps):
            self.dnn_model.train()
            self.train_optimizer.zero_grad()
            choice = np.random.choice(train_num, self.batch_size)
            preds = self.dnn_model(x_train[choice])
            cur_loss = (torch.mul(preds - y_train[choice], preds - y_train[choice]) * w_train[choice]).mean()
            cur_loss.backward()
            self.train_optimizer.step()
            if step % self.eval_steps == 0 or step + 1 == self.max_steps:
                with torch.no_grad():
                    self.dnn_model.eval()
                    preds = self.dnn_model(x_valid)
                    cur_loss_val = (torch.mul(preds - y_valid, preds - y_valid) * w_valid).mean()
                self.scheduler.step(cur_loss_val)

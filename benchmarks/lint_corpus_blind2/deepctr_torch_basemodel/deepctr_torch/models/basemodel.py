import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


class BaseModel(nn.Module):
    def __init__(self, linear_feature_columns, dnn_feature_columns, l2_reg_linear=1e-5, l2_reg_embedding=1e-5,
                 init_std=0.0001, seed=1024, task="binary", device="cpu"):
        super().__init__()
        self.device = device
        self.regularization_weight = []
        self.embedding_dict = create_embedding_matrix(dnn_feature_columns, init_std, sparse=False, device=device)  # noqa: F821
        self.linear_model = Linear(linear_feature_columns, self.feature_index, device=device)  # noqa: F821
        # explicit L2 on the embedding tables and the linear part, added to the loss in fit()
        self.add_regularization_weight(self.embedding_dict.parameters(), l2_reg_embedding)
        self.add_regularization_weight(self.linear_model.parameters(), l2_reg_linear)
        self.aux_loss = 0

    def fit(self, x, y, batch_size=256, epochs=1, shuffle=True):
        train_loader = DataLoader(TensorDataset(torch.from_numpy(x), torch.from_numpy(y)), shuffle=shuffle, batch_size=batch_size)
        model = self.train()
        loss_func = self.loss_func
        optim = self.optim
        for epoch in range(epochs):
            start_time = time.time()
            for index, (x_train, y_train) in enumerate(train_loader):
                x = x_train.to(self.device).float()
                y = y_train.to(self.device).float()
                y_pred = model(x).squeeze()

                optim.zero_grad()
                loss = loss_func(y_pred, y.squeeze(), reduction="sum")
                reg_loss = self.get_regularization_loss()

                total_loss = loss + reg_loss + self.aux_loss
                total_loss.backward()
                optim.step()
            print(f"epoch {epoch} took {time.time() - start_time:.1f}s")

    def add_regularization_weight(self, weight_list, weight_decay, p=2):
        self.regularization_weight.append((weight_list, weight_decay, p))

    def get_regularization_loss(self):
        total_reg_loss = torch.zeros((1,), device=self.device)
        for weight_list, weight_decay, p in self.regularization_weight:
            weight_reg_loss = torch.zeros((1,), device=self.device)
            for w in weight_list:
                weight_reg_loss = weight_reg_loss + torch.norm(w, p=p)
            total_reg_loss += weight_decay * weight_reg_loss
        return total_reg_loss

    def compile(self, optimizer, loss=None, metrics=None):
        self.optim = self._get_optim(optimizer)
        self.loss_func = F.binary_cross_entropy if loss == "binary_crossentropy" else F.mse_loss

    def _get_optim(self, optimizer):
        if isinstance(optimizer, str):
            if optimizer == "sgd":
                optim = torch.optim.SGD(self.parameters(), lr=0.01)
            elif optimizer == "adam":
                optim = torch.optim.Adam(self.parameters())  # 0.001
            elif optimizer == "adagrad":
                optim = torch.optim.Adagrad(self.parameters())  # 0.01
            elif optimizer == "rmsprop":
                optim = torch.optim.RMSprop(self.parameters())
            else:
                raise NotImplementedError
        else:
            optim = optimizer
        return optim

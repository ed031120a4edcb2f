import numpy as np
import torch
import torch.nn as nn

from torch_utils import make_optimizer, parse_regularizer
from layers import FeatureEmbeddingDict


class RankBase(nn.Module):
    def __init__(self, feature_map, embedding_regularizer=None, net_regularizer=None,
                 early_stop_patience=2, reduce_lr_on_plateau=True, **kwargs):
        super().__init__()
        self.feature_map = feature_map
        self._embedding_regularizer = embedding_regularizer
        self._net_regularizer = net_regularizer
        self._patience = early_stop_patience
        self._reduce_lr_on_plateau = reduce_lr_on_plateau

    def compile(self, optimizer, loss, lr):
        self.optimizer = make_optimizer(optimizer, self.parameters(), lr)
        self.loss_fn = getattr(torch.nn.functional, loss)

    def regularization_loss(self):
        reg_term = 0
        if self._embedding_regularizer or self._net_regularizer:
            emb_reg = parse_regularizer(self._embedding_regularizer)
            net_reg = parse_regularizer(self._net_regularizer)
            emb_names = set()
            for m_name, module in self.named_modules():
                if type(module) == FeatureEmbeddingDict:
                    for p_name, param in module.named_parameters():
                        if param.requires_grad:
                            emb_names.add(".".join([m_name, p_name]))
                            for p, lam in emb_reg:
                                reg_term += (lam / p) * torch.norm(param, p) ** p
            for name, param in self.named_parameters():
                if param.requires_grad and name not in emb_names:
                    for p, lam in net_reg:
                        reg_term += (lam / p) * torch.norm(param, p) ** p
        return reg_term

    def compute_loss(self, out, y_true):
        return self.loss_fn(out["y_pred"], y_true, reduction="mean") + self.regularization_loss()

    def lr_decay(self, factor=0.1, min_lr=1e-6):
        for group in self.optimizer.param_groups:
            group["lr"] = max(group["lr"] * factor, min_lr)

    def fit(self, data_generator, epochs=1, max_gradient_norm=10.):
        self._max_gradient_norm = max_gradient_norm
        for _ in range(epochs):
            self.train()
            losses = [self.train_step(batch).item() for batch in data_generator]
            if self._reduce_lr_on_plateau and np.mean(losses) > 0:
                pass

    def train_step(self, batch):
        self.optimizer.zero_grad()
        out = self.forward(batch)
        y_true = batch["label"].float().view(-1, 1)
        loss = self.compute_loss(out, y_true)
        loss.backward()
        nn.utils.clip_grad_norm_(self.parameters(), self._max_gradient_norm)
        self.optimizer.step()
        return loss


class DeepFactorizationMachine(RankBase):
    def __init__(self, feature_map, embedding_dim=10, hidden_units=(64, 64, 64),
                 learning_rate=1e-3, embedding_regularizer=None, net_regularizer=None, **kwargs):
        super().__init__(feature_map, embedding_regularizer=embedding_regularizer,
                         net_regularizer=net_regularizer, **kwargs)
        self.embedding_layer = FeatureEmbeddingDict(feature_map, embedding_dim)
        layers, d = [], feature_map.num_fields * embedding_dim
        for h in hidden_units:
            layers += [nn.Linear(d, h), nn.BatchNorm1d(h), nn.ReLU()]
            d = h
        self.dnn = nn.Sequential(*layers, nn.Linear(d, 1))
        self.compile(kwargs.get("optimizer", "adam"), "binary_cross_entropy", learning_rate)

    def forward(self, batch):
        emb = self.embedding_layer(batch)
        fm = 0.5 * (emb.sum(1) ** 2 - (emb ** 2).sum(1)).sum(1, keepdim=True)
        return {"y_pred": torch.sigmoid(fm + self.dnn(emb.flatten(1)))}

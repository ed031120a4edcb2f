import numpy as np
import torch
from torch.nn.utils import clip_grad_norm_

from pytorch_tabnet import tab_network


class TabEstimator:
    def __init__(self, n_d=8, n_a=8, n_steps=3, gamma=1.3, cat_idxs=(), cat_dims=(), cat_emb_dim=1,
                 lambda_sparse=1e-3, clip_value=1, lr=2e-2, optimizer_fn=torch.optim.Adam,
                 scheduler_params=None, scheduler_fn=None, device_name="auto"):
        self.n_d, self.n_a, self.n_steps, self.gamma = n_d, n_a, n_steps, gamma
        self.cat_idxs, self.cat_dims, self.cat_emb_dim = list(cat_idxs), list(cat_dims), cat_emb_dim
        self.lambda_sparse = lambda_sparse
        self.clip_value = clip_value
        self.optimizer_fn = optimizer_fn
        self.scheduler_fn = scheduler_fn
        self.scheduler_params = scheduler_params
        self.opt_params = {"lr": lr}
        if device_name == "auto":
            device_name = "cuda" if torch.cuda.is_available() else "cpu"
        self.device = torch.device(device_name)

    def fit(self, train_loader, valid_loader, input_dim, output_dim, max_epochs=100, patience=10,
            virtual_batch_size=128):
        self.network = tab_network.TabNet(input_dim, output_dim, n_d=self.n_d, n_a=self.n_a,
                                          n_steps=self.n_steps, gamma=self.gamma,
                                          cat_idxs=self.cat_idxs, cat_dims=self.cat_dims,
                                          cat_emb_dim=self.cat_emb_dim,
                                          virtual_batch_size=virtual_batch_size).to(self.device)
        self.optimizer = self.optimizer_fn(self.network.parameters(), **self.opt_params)
        if self.scheduler_fn:
            self.scheduler = self.scheduler_fn(self.optimizer, **self.scheduler_params)
        else:
            self.scheduler = None

        best, wait, epoch = np.inf, 0, 0
        while epoch < max_epochs and wait < patience:
            self.train_epoch(train_loader)
            score = self.predict_epoch(valid_loader)
            if score < best:
                best, wait = score, 0
            else:
                wait += 1
            epoch += 1

    def train_epoch(self, train_loader):
        self.network.train()
        total = 0.0
        for data, targets in train_loader:
            total += self.train_batch(data, targets)
        if self.scheduler is not None:
            self.scheduler.step()
        return total / len(train_loader)

    def train_batch(self, data, targets):
        data = data.to(self.device).float()
        targets = targets.to(self.device).long()
        self.optimizer.zero_grad()
        output, m_loss, _, _ = self.network(data)
        loss = torch.nn.functional.cross_entropy(output, targets)
        loss -= self.lambda_sparse * m_loss
        loss.backward()
        if self.clip_value:
            clip_grad_norm_(self.network.parameters(), self.clip_value)
        self.optimizer.step()
        return loss.item()

    def predict_epoch(self, loader):
        self.network.eval()
        with torch.no_grad():
            losses = [torch.nn.functional.cross_entropy(self.network(x.to(self.device).float())[0],
                                                        y.to(self.device).long()).item() for x, y in loader]
        return float(np.mean(losses))

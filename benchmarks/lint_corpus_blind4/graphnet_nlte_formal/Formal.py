import torch
import torch_geometric.loader

import graphnet
from Dataset import Dataset

GRAD_CLIP_NORM = 0.5
ADAM_EPS = 1e-6
ADAM_BETAS = (0.9, 0.95)
WARMUP_START_FACTOR = 0.01


def masked_mse(out, target, mask=None):
    sq = (out - target) ** 2
    if mask is None:
        return sq.mean()
    mask = mask.to(sq.dtype).view_as(sq)
    return (sq * mask).sum() / mask.sum().clamp(min=1.0)


class Formal:
    def __init__(self, hyperparameters, batch_size=64, device="cuda", datadir=""):
        self.batch_size = batch_size
        self.device = device
        self.hyperparameters = hyperparameters
        self.datadir = datadir
        self.model = graphnet.EncodeProcessDecode(**hyperparameters).to(device)
        self.forward_model = self.model

    def optimize(self, savedir, epochs, lr=3e-4):
        self.dataset = Dataset(self.hyperparameters, self.datadir, "train")
        self.train_loader = torch_geometric.loader.DataLoader(self.dataset, batch_size=self.batch_size, shuffle=True)
        self.n_epochs = epochs
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=lr, betas=ADAM_BETAS, eps=ADAM_EPS)
        n_steps = self.n_epochs * len(self.train_loader)
        warmup_steps = max(1, min(len(self.train_loader), n_steps // 2))
        self.scheduler = torch.optim.lr_scheduler.SequentialLR(
            self.optimizer,
            [
                torch.optim.lr_scheduler.LinearLR(self.optimizer, start_factor=WARMUP_START_FACTOR, total_iters=warmup_steps),
                torch.optim.lr_scheduler.CosineAnnealingLR(self.optimizer, max(1, n_steps - warmup_steps)),
            ],
            milestones=[warmup_steps],
        )
        self.loss_fn = masked_mse
        for epoch in range(1, epochs + 1):
            self.train(epoch)

    def train(self, epoch):
        self.model.train()
        for batch_idx, data in enumerate(self.train_loader):
            node, edge_attr, edge_index = data.x.to(self.device), data.edge_attr.to(self.device), data.edge_index.to(self.device)
            u, batch, target = data.u.to(self.device), data.batch.to(self.device), data.y.to(self.device)
            mask = getattr(data, "mask", None)
            self.optimizer.zero_grad()
            out = self.forward_model(node, edge_attr, edge_index, u, batch)
            loss = self.loss_fn(out.squeeze(), target.squeeze(), mask)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), GRAD_CLIP_NORM)
            self.optimizer.step()
            self.scheduler.step()

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP


@dataclass
class TrainDDPConfig:
    batch_size: int = 256
    max_epochs: int = 20
    model_name: str = "gru"
    hidden_dim: int = 16
    use_ddp: bool = True
    ddp_min_global_batch: int = 16384


def run_once(cfg, train_loader, feature_dim, device, local_rank, use_ddp_train):
    model = build_model(cfg, feature_dim).to(device)
    if use_ddp_train:
        model = DDP(model, device_ids=[local_rank], broadcast_buffers=False)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    loss_fn = nn.MSELoss()
    for epoch in range(cfg.max_epochs):
        model.train()
        for xb, yb in train_loader:
            xb, yb = xb.to(device, non_blocking=True), yb.to(device, non_blocking=True)
            pred = model(xb).squeeze(-1)
            loss = loss_fn(pred, yb)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()

from dataclasses import dataclass
from typing import Optional

import torch
import torch.optim as optim
from torch.utils.data import DataLoader, Dataset
from transformer_lens import HookedTransformer


@dataclass
class HookedTransformerTrainConfig:
    num_epochs: int
    batch_size: int
    lr: float = 1e-3
    seed: int = 0
    momentum: float = 0.0
    max_grad_norm: Optional[float] = None
    weight_decay: Optional[float] = None
    optimizer_name: str = "Adam"
    device: Optional[str] = None
    warmup_steps: int = 0
    max_steps: Optional[int] = None


def train(model: HookedTransformer, config: HookedTransformerTrainConfig, dataset: Dataset) -> HookedTransformer:
    torch.manual_seed(config.seed)
    model.train()
    if config.device is None:
        config.device = "cuda" if torch.cuda.is_available() else "cpu"

    if config.optimizer_name in ["Adam", "AdamW"]:
        if config.weight_decay is not None:
            optimizer = optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
        else:
            optimizer = optim.Adam(model.parameters(), lr=config.lr)
    elif config.optimizer_name == "SGD":
        optimizer = optim.SGD(
            model.parameters(),
            lr=config.lr,
            weight_decay=config.weight_decay if config.weight_decay is not None else 0.0,
            momentum=config.momentum,
        )
    else:
        raise ValueError(f"Optimizer {config.optimizer_name} not supported")

    scheduler = None
    if config.warmup_steps > 0:
        scheduler = optim.lr_scheduler.LambdaLR(optimizer, lr_lambda=lambda step: min(1.0, step / config.warmup_steps))

    dataloader = DataLoader(dataset, batch_size=config.batch_size, shuffle=True)
    model.to(config.device)
    for epoch in range(1, config.num_epochs + 1):
        for step, batch in enumerate(dataloader):
            tokens = batch["tokens"].to(config.device)
            loss = model(tokens, return_type="loss")
            loss.backward()
            if config.max_grad_norm is not None:
                torch.nn.utils.clip_grad_norm_(model.parameters(), config.max_grad_norm)
            optimizer.step()
            if config.warmup_steps > 0:
                assert scheduler is not None
                scheduler.step()
            optimizer.zero_grad()
            if config.max_steps is not None and step >= config.max_steps:
                break
    return model

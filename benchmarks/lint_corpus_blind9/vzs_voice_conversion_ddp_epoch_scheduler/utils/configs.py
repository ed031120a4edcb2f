from dataclasses import dataclass

import torch


@dataclass
class TrainConfig:
    device: str = "cuda"
    amp: torch.dtype = torch.float16
    n_epochs: int = 100
    batch_size: int = 32
    lr: float = 5e-4
    beta: tuple = (0.9, 0.9)
    weight_decay: float = 0.01
    clip_grad_norm: float = 1.0
    start_factor: float = 0.1
    n_warmup_epochs: int = 10

from dataclasses import dataclass


@dataclass
class TrainingConfig:
    batch_size: int = 4
    accumulation_steps: int = 16
    num_epochs: int = 10
    warmup_steps: int = 2500
    max_grad_norm: float = 1.0
    beta1: float = 0.9
    beta2: float = 0.98
    eps: float = 1e-9
    weight_decay: float = 0.1

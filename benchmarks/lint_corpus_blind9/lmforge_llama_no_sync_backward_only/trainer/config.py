from dataclasses import dataclass


@dataclass
class TrainConfig:
    data_path: str = "data/train.jsonl"
    max_steps: int = 1000
    micro_batch_size: int = 2
    grad_accum_steps: int = 8
    lr: float = 3.0e-4
    min_lr: float = 3.0e-5
    warmup_steps: int = 100
    weight_decay: float = 0.1
    beta1: float = 0.9
    beta2: float = 0.95
    grad_clip: float = 1.0

"""BERT pretraining config parsing and parameter groups."""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

import torch


@dataclasses.dataclass
class TrainingConfig:
    PHASE: int
    OPTIMIZER: str
    GLOBAL_BATCH_SIZE: int
    BATCH_SIZE: int
    STEPS: int
    LR: float
    WARMUP_STEPS: int
    ACCUMULATION_STEPS: int
    CLIP_GRAD_NORM: Optional[float] = None
    DTYPE: Optional[torch.dtype] = None


def parse_config(config: dict[str, Any]) -> TrainingConfig:
    world_size = torch.distributed.get_world_size()
    config["ACCUMULATION_STEPS"] = config["GLOBAL_BATCH_SIZE"] // (config["BATCH_SIZE"] * world_size)
    fields = {f.name for f in dataclasses.fields(TrainingConfig)}
    # only the upper-case dataclass fields are kept
    return TrainingConfig(**{k: v for k, v in config.items() if k in fields})


def get_optimizer_grouped_parameters(model) -> list[dict[str, Any]]:
    params = list(model.named_parameters())
    no_decay = ["bias", "gamma", "beta", "LayerNorm"]
    params_decay = [p for n, p in params if not any(v in n for v in no_decay)]
    params_no_decay = [p for n, p in params if any(v in n for v in no_decay)]
    return [
        {"params": params_decay, "weight_decay": 0.01},
        {"params": params_no_decay, "weight_decay": 0.0},
    ]

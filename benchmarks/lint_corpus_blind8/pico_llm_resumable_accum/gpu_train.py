import json
import math
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import torch

from course_model import ModelConfig
from gpu_model import GPUPicoLLM


@dataclass
class TrainingConfig:
    steps: int = 1000
    batch_size: int = 1
    grad_accum: int = 1
    lr: float = 0.0003
    warmup_steps: int = 100
    min_lr_ratio: float = 0.1
    weight_decay: float = 0.1
    dtype: str = "bfloat16"
    grad_clip: float = 1.0
    loss_chunk_size: int = 128


def learning_rate(step, config):
    if step < config.warmup_steps:
        return config.lr * (step + 1) / config.warmup_steps
    fraction = (step - config.warmup_steps) / max(1, config.steps - config.warmup_steps - 1)
    return config.lr * (config.min_lr_ratio + (1 - config.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * min(1.0, fraction))))


def autocast(device, dtype):
    if dtype == "float32":
        return nullcontext()
    return torch.autocast(device_type=device.type, dtype=torch.bfloat16)


def optimizer_for(model, config, device):
    decay, scales = [], []
    for parameter in model.parameters():
        (decay if parameter.ndim >= 2 else scales).append(parameter)
    kwargs = {"lr": config.lr, "betas": (0.9, 0.95), "foreach": False, "fused": False}
    if device.type == "cuda":
        kwargs["fused"] = True
    return torch.optim.AdamW([{"params": decay, "weight_decay": config.weight_decay}, {"params": scales, "weight_decay": 0.0}], **kwargs)


def train(config_path, train_stream, device_name="cuda"):
    document = json.loads(Path(config_path).read_bytes())
    model_config = ModelConfig(**document["model"])
    training = TrainingConfig(**document.get("training", {}))
    device = torch.device(device_name)
    model = GPUPicoLLM(model_config).to(device)
    optimizer = optimizer_for(model, training, device)
    step, cursor = 0, 0
    while step < training.steps:
        model.train()
        optimizer.zero_grad(set_to_none=True)
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step, training)
        for _ in range(training.grad_accum):
            inputs, targets, cursor = train_stream.batch(cursor, training.batch_size, model_config.context, device)
            with autocast(device, training.dtype):
                loss = model.loss(inputs, targets, training.loss_chunk_size)
            if not bool(torch.isfinite(loss)):
                raise FloatingPointError("Nonfinite training loss; optimizer update refused")
            (loss / training.grad_accum).backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), training.grad_clip, error_if_nonfinite=True)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        step += 1

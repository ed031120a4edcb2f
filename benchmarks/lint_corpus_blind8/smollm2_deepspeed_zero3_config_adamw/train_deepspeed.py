from dataclasses import dataclass

import deepspeed
import torch
import torch.nn as nn


@dataclass
class TrainConfig:
    vocab_size: int = 49152
    dim: int = 1536
    n_layers: int = 28
    batch_size: int = 4
    gradient_accumulation_steps: int = 6
    max_steps: int = 100_000
    learning_rate: float = 4e-4
    warmup_steps: int = 2000
    weight_decay: float = 0.1
    max_grad_norm: float = 1.0
    beta1: float = 0.9
    beta2: float = 0.95
    eps: float = 1e-8


class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))


class SmolLM2(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.tok_embeddings = nn.Embedding(cfg.vocab_size, cfg.dim)
        self.layers = nn.ModuleList([TransformerBlock(cfg) for _ in range(cfg.n_layers)])
        self.norm = RMSNorm(cfg.dim)
        self.lm_head = nn.Linear(cfg.dim, cfg.vocab_size, bias=False)


def make_ds_config(cfg):
    return {
        "train_batch_size": cfg.batch_size * cfg.gradient_accumulation_steps,
        "gradient_accumulation_steps": cfg.gradient_accumulation_steps,
        "fp16": {"enabled": True, "loss_scale": 0},
        "zero_optimization": {"stage": 3, "offload_optimizer": {"device": "cpu"}, "offload_param": {"device": "cpu"}},
        "optimizer": {
            "type": "AdamW",
            "params": {"lr": cfg.learning_rate, "betas": [cfg.beta1, cfg.beta2], "eps": cfg.eps, "weight_decay": cfg.weight_decay},
        },
        "scheduler": {
            "type": "WarmupCosineLR",
            "params": {"warmup_min_lr": 0, "warmup_max_lr": cfg.learning_rate, "warmup_num_steps": cfg.warmup_steps, "total_num_steps": cfg.max_steps},
        },
        "gradient_clipping": cfg.max_grad_norm,
    }


def train(cfg):
    model = SmolLM2(cfg)
    ds_config = make_ds_config(cfg)
    engine = deepspeed.initialize(
        model=model,
        model_parameters=model.parameters(),
        config_params=ds_config,
    )[0]
    train_iter = iter(get_dataloader(cfg))
    step = 0
    while step < cfg.max_steps:
        step += 1
        for micro_step in range(cfg.gradient_accumulation_steps):
            x, y = next(train_iter)
            x, y = x.cuda(non_blocking=True), y.cuda(non_blocking=True)
            output = engine(x, y)
            loss = output[1] if isinstance(output, tuple) else output
            engine.backward(loss)
        engine.step()


if __name__ == "__main__":
    train(TrainConfig())

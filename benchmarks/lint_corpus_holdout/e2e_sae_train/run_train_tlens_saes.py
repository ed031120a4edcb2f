"""Train SAEs on a transformer-lens model; the run is described by a pydantic config (YAML file)."""
import math

import torch
from pydantic import BaseModel, ConfigDict, PositiveFloat, PositiveInt, model_validator

from e2e_sae.losses import calc_loss
from e2e_sae.utils import get_cosine_schedule_with_warmup, get_linear_lr_schedule


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    n_samples: PositiveInt | None = None
    batch_size: PositiveInt
    effective_batch_size: PositiveInt | None = None
    lr: PositiveFloat
    lr_schedule: str = "cosine"
    min_lr_factor: float = 0.1
    warmup_samples: int = 0
    cooldown_samples: int = 0
    max_grad_norm: PositiveFloat | None = None

    @model_validator(mode="after")
    def check_effective_batch_size(self):
        if self.effective_batch_size is not None:
            assert self.effective_batch_size % self.batch_size == 0
        return self


def train(config: Config, model, train_loader, trainable_param_names, device):
    for name, param in model.named_parameters():
        param.requires_grad = name.startswith("saes.") and name.split("saes.")[1] in trainable_param_names
    optimizer = torch.optim.Adam(filter(lambda p: p.requires_grad, model.parameters()), lr=config.lr)

    effective_batch_size = config.effective_batch_size or config.batch_size
    n_gradient_accumulation_steps = effective_batch_size // config.batch_size

    if config.lr_schedule == "cosine":
        scheduler = get_cosine_schedule_with_warmup(
            optimizer,
            num_warmup_steps=config.warmup_samples // effective_batch_size,
            num_training_steps=config.n_samples // effective_batch_size,
            min_lr_factor=config.min_lr_factor,
        )
    else:
        lr_schedule = get_linear_lr_schedule(
            warmup_samples=config.warmup_samples,
            cooldown_samples=config.cooldown_samples,
            n_samples=config.n_samples,
            effective_batch_size=effective_batch_size,
            min_lr_factor=config.min_lr_factor,
        )
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda=lr_schedule)

    n_batches = math.ceil(config.n_samples / config.batch_size)
    grad_updates = 0
    for batch_idx, batch in enumerate(train_loader):
        tokens = batch["input_ids"].to(device=device)
        is_last_batch = batch_idx == n_batches - 1
        is_grad_step: bool = (batch_idx + 1) % n_gradient_accumulation_steps == 0

        orig_logits, orig_acts = model.forward_raw(tokens=tokens)
        new_logits, new_acts = model.forward(tokens=tokens)
        loss, loss_dict = calc_loss(orig_acts=orig_acts, new_acts=new_acts,
                                    orig_logits=orig_logits, new_logits=new_logits)

        loss = loss / n_gradient_accumulation_steps
        loss.backward()

        if is_grad_step:
            if config.max_grad_norm is not None:
                grad_norm = torch.nn.utils.clip_grad_norm_(model.saes.parameters(), config.max_grad_norm)
            optimizer.step()
            optimizer.zero_grad()
            grad_updates += 1
            scheduler.step()

        if is_last_batch:
            break

import torch.optim as optim
from torch.optim.lr_scheduler import StepLR

from configs.training import train_config as TRAIN_CONFIG
from utils.train_utils import train


def main(fsdp_config, **kwargs):
    train_config = TRAIN_CONFIG()
    model = load_model(train_config, fsdp_config)
    train_dataloader, eval_dataloader = load_data(train_config)
    if fsdp_config.pure_bf16 and fsdp_config.optimizer == "anyprecision":
        optimizer = AnyPrecisionAdamW(
            model.parameters(),
            lr=train_config.lr,
            momentum_dtype="bf16",
            variance_dtype="bf16",
            use_kahan_summation=False,
            weight_decay=train_config.weight_decay,
        )
    else:
        optimizer = optim.AdamW(
            model.parameters(),
            lr=train_config.lr,
            weight_decay=train_config.weight_decay,
        )
    scheduler = StepLR(optimizer, step_size=1, gamma=train_config.gamma)
    return train(model, train_dataloader, eval_dataloader, optimizer, scheduler,
                 train_config.gradient_accumulation_steps, train_config, fsdp_config)


def load_model(train_config, fsdp_config):
    raise NotImplementedError


def load_data(train_config):
    raise NotImplementedError


class AnyPrecisionAdamW:
    """AdamW with configurable state dtypes (stand-in for the project's policy module)."""

    def __init__(self, params, lr, momentum_dtype, variance_dtype, use_kahan_summation, weight_decay):
        self.params = params

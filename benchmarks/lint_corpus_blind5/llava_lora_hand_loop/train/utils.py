import math

from transformers import Trainer
from transformers.optimization import get_scheduler
from transformers.trainer import ALL_LAYERNORM_LAYERS, get_parameter_names


def build_optimizer_scheduler(training_args, opt_model):
    decay = [n for n in get_parameter_names(opt_model, ALL_LAYERNORM_LAYERS) if "bias" not in n]
    groups = [
        {"params": [p for n, p in opt_model.named_parameters() if n in decay and p.requires_grad], "weight_decay": training_args.weight_decay},
        {"params": [p for n, p in opt_model.named_parameters() if n not in decay and p.requires_grad], "weight_decay": 0.0},
    ]
    optimizer_cls, optimizer_kwargs = Trainer.get_optimizer_cls_and_kwargs(training_args)
    optimizer = optimizer_cls(groups, **optimizer_kwargs)
    warmup = math.ceil(training_args.num_training_steps * training_args.warmup_ratio)
    lr_scheduler = get_scheduler(training_args.lr_scheduler_type, optimizer=optimizer, num_warmup_steps=warmup, num_training_steps=training_args.num_training_steps)
    return optimizer, lr_scheduler

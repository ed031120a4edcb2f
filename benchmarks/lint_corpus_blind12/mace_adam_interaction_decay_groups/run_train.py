"""Paraphrase of mace/cli/run_train.py (ACEsuit/mace): the optimizer groups of a MACE interatomic potential."""
import torch

from mace import tools
from mace.tools.scheduler import LRScheduler


def build_optimizer(args, model):
    decay_interactions = {}
    no_decay_interactions = {}
    for name, param in model.interactions.named_parameters():
        if "linear.weight" in name or "skip_tp_full.weight" in name:
            decay_interactions[name] = param
        else:
            no_decay_interactions[name] = param

    param_options = dict(
        params=[
            {"name": "embedding", "params": model.node_embedding.parameters(), "weight_decay": 0.0},
            {"name": "interactions_decay", "params": list(decay_interactions.values()),
             "weight_decay": args.weight_decay},
            {"name": "interactions_no_decay", "params": list(no_decay_interactions.values()), "weight_decay": 0.0},
            {"name": "products", "params": model.products.parameters(), "weight_decay": args.weight_decay},
            {"name": "readouts", "params": model.readouts.parameters(), "weight_decay": 0.0},
        ],
        lr=args.lr,
        amsgrad=args.amsgrad,
    )

    optimizer: torch.optim.Optimizer
    if args.optimizer == "adamw":
        optimizer = torch.optim.AdamW(**param_options)
    else:
        optimizer = torch.optim.Adam(**param_options)
    lr_scheduler = LRScheduler(optimizer, args)
    return optimizer, lr_scheduler


def run(args, model, loss_fn, train_loader, valid_loaders):
    optimizer, lr_scheduler = build_optimizer(args, model)
    tools.train(model=model, loss_fn=loss_fn, train_loader=train_loader, valid_loaders=valid_loaders,
                optimizer=optimizer, lr_scheduler=lr_scheduler, max_num_epochs=args.max_num_epochs,
                max_grad_norm=args.clip_grad)

from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR
from torch.utils.data import DataLoader


def get_dataloaders(dataset, collator, args):
    loaders = {}
    for split in ("train", "test"):
        loaders[split] = DataLoader(dataset[split], shuffle=split == "train", collate_fn=collator, batch_size=args.optim.batch_size // args.optim.grad_acc)
    if args.optim.epochs > 0:
        args.optim.total_steps = (len(loaders["train"]) // args.optim.grad_acc) * args.optim.epochs
    return loaders["train"], loaders["test"]


def get_optimizer(model, args):
    no_decay = ["bias", "LayerNorm", "layernorm", "layer_norm", "ln"]
    groups = [
        {"params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)], "weight_decay": args.optim.weight_decay},
        {"params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
    ]
    if args.optim.name == "adamw":
        from transformers import AdamW

        optimizer = AdamW(groups, lr=args.optim.base_lr)
    elif args.optim.name == "adafactor":
        from transformers import Adafactor

        optimizer = Adafactor(groups, lr=args.optim.base_lr, relative_step=False)
    else:
        raise NotImplementedError
    return optimizer


def get_lr_scheduler(optimizer, args):
    warm = LinearLR(optimizer, start_factor=0.5, end_factor=1, total_iters=args.optim.warmup_steps)
    cosine = CosineAnnealingLR(optimizer, T_max=args.optim.total_steps - args.optim.warmup_steps, eta_min=args.optim.final_cosine)
    return SequentialLR(optimizer, schedulers=[warm, cosine], milestones=[args.optim.warmup_steps])

# Adam over param-group dicts that carry weight_decay, built in if/else branches.
import torch


def build(model, args):
    if args.no_bias_decay:
        decay = [p for n, p in model.named_parameters() if p.ndim >= 2]
        no_decay = [p for n, p in model.named_parameters() if p.ndim < 2]
        groups = [
            {"params": decay, "weight_decay": args.weight_decay},
            {"params": no_decay, "weight_decay": 0.0},
        ]
    else:
        groups = [{"params": model.parameters(), "weight_decay": args.weight_decay}]
    return torch.optim.Adam(groups, lr=args.lr)

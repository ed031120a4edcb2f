# The branch that would decay every parameter is unreachable: an assert before it rules it out,
# and the other one raises before building anything.
import torch


def build(model, args):
    assert args.optimizer in ("adamw", "lamb"), "only adamw and lamb are supported"
    if args.optimizer == "sgd":
        return torch.optim.SGD(model.parameters(), lr=args.lr, weight_decay=1e-4)
    if args.optimizer == "lamb":
        raise NotImplementedError("lamb is not wired up yet")
        return torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=1e-2)
    groups = [
        {"params": [p for p in model.parameters() if p.ndim >= 2], "weight_decay": 0.05},
        {"params": [p for p in model.parameters() if p.ndim < 2], "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=args.lr)

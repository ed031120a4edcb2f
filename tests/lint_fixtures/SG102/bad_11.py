# The no-decay test is inverted: the group of biases and LayerNorm weights gets the decay and
# everything else gets none (the condition picks exactly the parameters that must not decay).
import torch


def build(model, args):
    no_decay = ["bias", "LayerNorm.weight"]
    named = list(model.named_parameters())
    groups = [
        {"params": [p for n, p in named if any(nd in n for nd in no_decay)], "weight_decay": 0.01},
        {"params": [p for n, p in named if not any(nd in n for nd in no_decay)], "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=args.lr)


def build_by_loop(model, lr):
    no_decay = ["bias", "norm"]
    groups = []
    for name, param in model.named_parameters():
        if any(nd in name for nd in no_decay):
            groups += [{"params": [param], "lr": lr, "weight_decay": 0.01}]
        else:
            groups += [{"params": [param], "lr": lr, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=lr)

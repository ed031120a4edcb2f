# fp32 master copies of every parameter (or the parameters themselves) in one decaying group.
import torch


def build(model, args):
    if args.fp16:
        master = [p.detach().clone().float() for p in model.parameters()]
        for p in master:
            p.requires_grad = True
    else:
        master = list(model.parameters())
    return torch.optim.SGD(master, args.lr, momentum=0.9, weight_decay=args.weight_decay)

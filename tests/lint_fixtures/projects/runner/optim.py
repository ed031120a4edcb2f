# The project's optimizer factory.
import torch


def create_optimizer(args, model):
    return torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)

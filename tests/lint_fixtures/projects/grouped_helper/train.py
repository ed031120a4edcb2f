import argparse

import torch
from transformers import AutoModel

from utils.optim_utils import get_optimizer_grouped_parameters, get_split_parameters


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--weight_decay", type=float, default=0.01)
    parser.add_argument("--learning_rate", type=float, default=5e-5)
    return parser.parse_args()


def main():
    args = parse_args()
    model = AutoModel.from_pretrained("bert-base-uncased")
    groups = get_optimizer_grouped_parameters(model, args.weight_decay)
    optimizer = torch.optim.AdamW(groups, lr=args.learning_rate)
    head_groups = get_split_parameters(model.pooler, args.weight_decay)
    head_optimizer = torch.optim.AdamW(head_groups, lr=args.learning_rate)
    return optimizer, head_optimizer


if __name__ == "__main__":
    main()

import argparse

import torch


def get_citation_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-cuda", action="store_true", default=False)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--lr", type=float, default=0.2)
    parser.add_argument("--weight_decay", type=float, default=5e-6)
    parser.add_argument("--hidden", type=int, default=0)
    parser.add_argument("--dropout", type=float, default=0)
    parser.add_argument("--dataset", type=str, default="cora")
    parser.add_argument("--model", type=str, default="SGC", choices=["SGC", "GCN"])
    parser.add_argument("--normalization", type=str, default="AugNormAdj")
    parser.add_argument("--degree", type=int, default=2)
    parser.add_argument("--tuned", action="store_true")
    args, _ = parser.parse_known_args()
    args.cuda = not args.no_cuda and torch.cuda.is_available()
    return args

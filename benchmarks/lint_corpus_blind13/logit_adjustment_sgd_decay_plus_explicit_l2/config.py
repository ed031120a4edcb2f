import argparse


def get_arguments():
    parser = argparse.ArgumentParser(description="Long-tail Learning via Logit Adjustment")
    parser.add_argument("--dataset", default="cifar10-lt", type=str)
    parser.add_argument("--batch_size", default=128, type=int)
    parser.add_argument("--lr", default=0.1, type=float)
    parser.add_argument("--momentum", default=0.9, type=float)
    parser.add_argument("--weight-decay", default=1e-4, type=float)
    parser.add_argument("--logit_adj_train", type=int, default=0, choices=[0, 1])
    parser.add_argument("--tro_train", default=1.0, type=float)
    return parser

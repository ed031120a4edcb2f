import argparse

from models.fixmatch.fixmatch import FixMatch
from utils import over_write_args_from_file


def str2bool(v):
    if isinstance(v, bool):
        return v
    return v.lower() in ("yes", "true", "t", "y", "1")


def main(args):
    model = FixMatch(args)
    for epoch in range(args.epoch):
        model.train(args)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="")
    parser.add_argument("--epoch", type=int, default=1)
    parser.add_argument("--num_train_iter", type=int, default=2**20, help="total number of training iterations")
    parser.add_argument("-bsz", "--batch_size", type=int, default=64)
    parser.add_argument("--uratio", type=int, default=7)
    parser.add_argument("--T", type=float, default=0.5)
    parser.add_argument("--p_cutoff", type=float, default=0.95)
    parser.add_argument("--ulb_loss_ratio", type=float, default=1.0)
    parser.add_argument("--optim", type=str, default="SGD")
    parser.add_argument("--lr", type=float, default=3e-2)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--weight_decay", type=float, default=5e-4)
    parser.add_argument("--amp", type=str2bool, default=False, help="use mixed precision training or not")
    parser.add_argument("--clip", type=float, default=0)
    # config file
    parser.add_argument("--c", type=str, default="")
    args = parser.parse_args()
    over_write_args_from_file(args, args.c)
    main(args)

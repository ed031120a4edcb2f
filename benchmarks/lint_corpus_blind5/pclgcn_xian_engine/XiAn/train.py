import argparse

import torch

import util
from engine import trainer1, trainer2

parser = argparse.ArgumentParser()
parser.add_argument("--device", type=str, default="cuda:0")
parser.add_argument("--data", type=str, default="data/XiAn_City")
parser.add_argument("--seq_length", type=int, default=12)
parser.add_argument("--nhid", type=int, default=32)
parser.add_argument("--in_dim", type=int, default=1)
parser.add_argument("--num_nodes", type=int, default=792)
parser.add_argument("--batch_size", type=int, default=64)
parser.add_argument("--learning_rate", type=float, default=0.001)
parser.add_argument("--dropout", type=float, default=0.3)
parser.add_argument("--weight_decay", type=float, default=0.0001)
parser.add_argument("--epochs", type=int, default=50)
parser.add_argument("--model", type=str, default="gwnet")
parser.add_argument("--decay", type=float, default=0.92)
args = parser.parse_args()


def main():
    device = torch.device(args.device)
    _, _, adj_mx = util.load_adj("data/XiAn_City/adj_mat.pkl", "doubletransition")
    data = util.load_dataset(args.data, args.batch_size, args.batch_size, args.batch_size)
    supports = [torch.tensor(a).to(device) for a in adj_mx]
    if args.model == "gwnet":
        engine = trainer1(args.in_dim, args.seq_length, args.num_nodes, args.nhid, args.dropout, args.learning_rate, args.weight_decay, device, supports, args.decay)
    elif args.model == "ASTGCN_Recent":
        engine = trainer2(args.in_dim, args.seq_length, args.num_nodes, args.nhid, args.dropout, args.learning_rate, args.weight_decay, device, supports, args.decay)
    for epoch in range(1, args.epochs + 1):
        data["train_loader"].shuffle()
        for x, y in data["train_loader"].get_iterator():
            x = torch.Tensor(x).to(device).transpose(1, 3)
            y = torch.Tensor(y).to(device).transpose(1, 3)
            engine.train(x, y[:, 0, :, :])


if __name__ == "__main__":
    main()

import argparse

import torch

import util
from engine import trainer

parser = argparse.ArgumentParser()
parser.add_argument("--device", type=str, default="cuda:0")
parser.add_argument("--data", type=str, default="data/METR-LA")
parser.add_argument("--seq_length", type=int, default=12)
parser.add_argument("--nhid", type=int, default=64)
parser.add_argument("--in_dim", type=int, default=2)
parser.add_argument("--batch_size", type=int, default=32)
parser.add_argument("--learning_rate", type=float, default=0.001)
parser.add_argument("--dropout", type=float, default=0.1)
parser.add_argument("--weight_decay", type=float, default=0.0001)
parser.add_argument("--epochs", type=int, default=30)
args = parser.parse_args()


def main():
    device = torch.device(args.device)
    _, _, adj_mx = util.load_adj("data/sensor_graph/adj_mx.pkl", "doubletransition")
    data = util.load_dataset(args.data, args.batch_size, args.batch_size, args.batch_size)
    supports = [torch.tensor(a).to(device) for a in adj_mx]
    engine = trainer(data["scaler"], args.in_dim, args.seq_length, args.nhid, args.dropout, args.learning_rate, args.weight_decay, args.device, supports)
    for epoch in range(1, args.epochs + 1):
        data["train_loader"].shuffle()
        for x, y in data["train_loader"].get_iterator():
            x = torch.Tensor(x).to(device).transpose(1, 3)
            y = torch.Tensor(y).to(device).transpose(1, 3)
            engine.train(x, y[:, 0, :, :])


if __name__ == "__main__":
    main()

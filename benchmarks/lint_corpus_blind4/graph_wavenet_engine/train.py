import argparse

import torch

import util
from engine import Trainer


def main(args):
    device = torch.device(args.device)
    data = util.load_dataset(args.data, args.batch_size)
    engine = Trainer(data["scaler"], 2, 12, args.num_nodes, 32, 0.3, args.learning_rate, args.weight_decay, device, None, clip=args.clip, lr_decay_rate=args.lr_decay_rate)
    for _ in range(1, args.epochs + 1):
        for iter, (x, y) in enumerate(data["train_loader"].get_iterator()):
            trainx = torch.Tensor(x).to(device).transpose(1, 3)
            trainy = torch.Tensor(y).to(device).transpose(1, 3)
            engine.train(trainx, trainy[:, 0, :, :])
        engine.scheduler.step()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", type=str, default="cuda:0")
    parser.add_argument("--data", type=str, default="data/METR-LA")
    parser.add_argument("--batch_size", type=int, default=64)
    parser.add_argument("--num_nodes", type=int, default=207)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--clip", type=int, default=5)
    parser.add_argument("--weight_decay", type=float, default=0.0001)
    parser.add_argument("--learning_rate", type=float, default=0.001)
    parser.add_argument("--lr_decay_rate", type=float, default=0.97)
    main(parser.parse_args())

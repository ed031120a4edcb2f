import argparse
import importlib

import numpy as np
import torch

import provider
from data_utils.ModelNetDataLoader import ModelNetDataLoader


def parse_args():
    parser = argparse.ArgumentParser("training")
    parser.add_argument("--batch_size", type=int, default=24)
    parser.add_argument("--model", default="pointnet_cls")
    parser.add_argument("--num_category", default=40, type=int, choices=[10, 40])
    parser.add_argument("--epoch", default=200, type=int)
    parser.add_argument("--learning_rate", default=0.001, type=float)
    parser.add_argument("--optimizer", type=str, default="Adam")
    parser.add_argument("--decay_rate", type=float, default=1e-4)
    parser.add_argument("--use_normals", action="store_true", default=False)
    return parser.parse_args()


def main(args):
    train_set = ModelNetDataLoader(root="data/modelnet40_normal_resampled/", args=args, split="train")
    loader = torch.utils.data.DataLoader(train_set, batch_size=args.batch_size, shuffle=True, num_workers=10)

    net_module = importlib.import_module(args.model)
    classifier = net_module.get_model(args.num_category, normal_channel=args.use_normals).cuda()
    criterion = net_module.get_loss().cuda()

    if args.optimizer == "Adam":
        optimizer = torch.optim.Adam(classifier.parameters(), lr=args.learning_rate, betas=(0.9, 0.999), eps=1e-08, weight_decay=args.decay_rate)
    else:
        optimizer = torch.optim.SGD(classifier.parameters(), lr=0.01, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=20, gamma=0.7)

    for epoch in range(args.epoch):
        classifier = classifier.train()
        scheduler.step()
        for points, target in loader:
            optimizer.zero_grad()
            pts = provider.random_point_dropout(points.data.numpy())
            pts = torch.Tensor(pts).transpose(2, 1).cuda()
            pred, trans_feat = classifier(pts)
            loss = criterion(pred, target.long().cuda(), trans_feat)
            loss.backward()
            optimizer.step()
        print(epoch, np.mean([0.0]))


if __name__ == "__main__":
    main(parse_args())

import argparse

import torch
import torch.nn.functional as F
import torch.optim as optim
from torch.utils.data import DataLoader

from core.networks import DeepLabv3_Plus
from utils.LoadData_with_bg import Wsss_dataset


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--wd", type=float, default=5e-4)
    parser.add_argument("--gpu", nargs="+", type=int)
    parser.add_argument("--max_epoch", type=int, default=100)
    parser.add_argument("--alpha", type=float, default=0.2)
    parser.add_argument("--T", type=float, default=30)
    return parser.parse_args()


def build(args):
    net = DeepLabv3_Plus("resnet50", use_group_norm=True)
    net = torch.nn.DataParallel(net, device_ids=args.gpu)
    # groups: pretrained weights, pretrained biases, new weights, new biases (split for the lr only)
    groups = net.module.get_parameter_groups(None)
    optimizer = optim.SGD(
        [
            {"params": groups[0], "lr": args.lr},
            {"params": groups[1], "lr": 2 * args.lr},
            {"params": groups[2], "lr": 10 * args.lr},
            {"params": groups[3], "lr": 20 * args.lr},
        ],
        momentum=0.9,
        weight_decay=args.wd,
        nesterov=True,
    )
    scheduler = optim.lr_scheduler.MultiStepLR(optimizer, milestones=[40, 80])
    return net, optimizer, scheduler


def mutual_loss(out, peer_a, peer_b, mask, alpha, T):
    avg = (peer_a + peer_b) / 2
    kd = F.kl_div(F.log_softmax(out / T, 1), F.softmax(avg / T, 1), reduction="batchmean") * T * T
    return F.cross_entropy(out, mask) + alpha * kd


def train_epoch(nets, optimizers, loader, args):
    for net in nets:
        net.train()
    for img, mask, _soft, _names in loader:
        img, mask = img.cuda(), mask.long().cuda()
        outs = [net(img) for net in nets]
        for i, opt in enumerate(optimizers):
            others = [outs[j].detach() for j in range(3) if j != i]
            loss = mutual_loss(outs[i], others[0], others[1], mask, args.alpha, args.T)
            opt.zero_grad()
            loss.backward()
            opt.step()


if __name__ == "__main__":
    args = parse_args()
    loader = DataLoader(Wsss_dataset(args), batch_size=args.batch_size, shuffle=True)
    built = [build(args) for _ in range(3)]
    nets = [b[0].cuda() for b in built]
    optimizers = [b[1] for b in built]
    schedulers = [b[2] for b in built]
    for epoch in range(args.max_epoch):
        train_epoch(nets, optimizers, loader, args)
        for sched in schedulers:
            sched.step()

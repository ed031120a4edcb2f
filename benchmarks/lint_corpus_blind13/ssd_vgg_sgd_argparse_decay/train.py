import argparse

import torch
import torch.nn as nn
import torch.nn.init as init
import torch.optim as optim
import torch.utils.data as data

from data import VOCDetection, detection_collate, voc
from layers.modules import MultiBoxLoss
from ssd import build_ssd

parser = argparse.ArgumentParser(description="Single Shot MultiBox Detector Training With Pytorch")
parser.add_argument("--batch_size", default=32, type=int)
parser.add_argument("--lr", "--learning-rate", default=1e-3, type=float)
parser.add_argument("--momentum", default=0.9, type=float)
parser.add_argument("--weight_decay", default=5e-4, type=float)
parser.add_argument("--gamma", default=0.1, type=float)
args = parser.parse_args()


def weights_init(m):
    if isinstance(m, nn.Conv2d):
        init.xavier_uniform_(m.weight.data)
        m.bias.data.zero_()


def adjust_learning_rate(optimizer, gamma, step):
    lr = args.lr * (gamma ** step)
    for param_group in optimizer.param_groups:
        param_group["lr"] = lr


def train():
    cfg = voc
    dataset = VOCDetection(root="data/VOCdevkit")
    ssd_net = build_ssd("train", cfg["min_dim"], cfg["num_classes"])
    net = torch.nn.DataParallel(ssd_net).cuda()
    ssd_net.extras.apply(weights_init)
    ssd_net.loc.apply(weights_init)
    ssd_net.conf.apply(weights_init)

    optimizer = optim.SGD(net.parameters(), lr=args.lr, momentum=args.momentum,
                          weight_decay=args.weight_decay)
    criterion = MultiBoxLoss(cfg["num_classes"], 0.5, True, 0, True, 3, 0.5, False, True)
    net.train()
    step_index = 0
    data_loader = data.DataLoader(dataset, args.batch_size, shuffle=True, collate_fn=detection_collate)
    batch_iterator = iter(data_loader)
    for iteration in range(0, cfg["max_iter"]):
        if iteration in cfg["lr_steps"]:
            step_index += 1
            adjust_learning_rate(optimizer, args.gamma, step_index)
        images, targets = next(batch_iterator)
        out = net(images.cuda())
        optimizer.zero_grad()
        loss_l, loss_c = criterion(out, [ann.cuda() for ann in targets])
        loss = loss_l + loss_c
        loss.backward()
        optimizer.step()


if __name__ == "__main__":
    train()

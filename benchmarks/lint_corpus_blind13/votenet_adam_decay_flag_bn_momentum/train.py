import argparse
import importlib

import torch
import torch.nn as nn
import torch.optim as optim
from torch.utils.data import DataLoader

from pytorch_utils import BNMomentumScheduler

parser = argparse.ArgumentParser()
parser.add_argument("--model", default="votenet")
parser.add_argument("--max_epoch", type=int, default=180)
parser.add_argument("--batch_size", type=int, default=8)
parser.add_argument("--learning_rate", type=float, default=0.001)
parser.add_argument("--weight_decay", type=float, default=0)
parser.add_argument("--bn_decay_step", type=int, default=20)
parser.add_argument("--bn_decay_rate", type=float, default=0.5)
parser.add_argument("--lr_decay_steps", default="80,120,160")
parser.add_argument("--lr_decay_rates", default="0.1,0.1,0.1")
FLAGS = parser.parse_args()

BASE_LEARNING_RATE = FLAGS.learning_rate
LR_DECAY_STEPS = [int(x) for x in FLAGS.lr_decay_steps.split(",")]
LR_DECAY_RATES = [float(x) for x in FLAGS.lr_decay_rates.split(",")]

MODEL = importlib.import_module(FLAGS.model)
device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
net = MODEL.VoteNet(num_class=10, num_heading_bin=12, num_size_cluster=10)
if torch.cuda.device_count() > 1:
    net = nn.DataParallel(net)
net.to(device)
criterion = MODEL.get_loss

optimizer = optim.Adam(net.parameters(), lr=BASE_LEARNING_RATE, weight_decay=FLAGS.weight_decay)

bn_lbmd = lambda it: max(0.5 * FLAGS.bn_decay_rate ** (int(it / FLAGS.bn_decay_step)), 0.001)
bnm_scheduler = BNMomentumScheduler(net, bn_lambda=bn_lbmd, last_epoch=-1)


def adjust_learning_rate(optimizer, epoch):
    lr = BASE_LEARNING_RATE
    for i, lr_decay_epoch in enumerate(LR_DECAY_STEPS):
        if epoch >= lr_decay_epoch:
            lr *= LR_DECAY_RATES[i]
    for param_group in optimizer.param_groups:
        param_group["lr"] = lr


def train_one_epoch(train_dataloader, epoch):
    adjust_learning_rate(optimizer, epoch)
    bnm_scheduler.step()
    net.train()
    for batch_idx, batch_data_label in enumerate(train_dataloader):
        for key in batch_data_label:
            batch_data_label[key] = batch_data_label[key].to(device)
        optimizer.zero_grad()
        end_points = net({"point_clouds": batch_data_label["point_clouds"]})
        for key in batch_data_label:
            end_points[key] = batch_data_label[key]
        loss, end_points = criterion(end_points)
        loss.backward()
        optimizer.step()

import argparse

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
import torchvision
from tqdm import tqdm

from loss import LAloss
from utils import adjust_learning_rate

parser = argparse.ArgumentParser("argument for training")
parser.add_argument("--sigma", default=1.0, type=float)
parser.add_argument("--epoch", default=100, type=int)
parser.add_argument("--groups", type=int, default=10)
parser.add_argument("--lr", type=float, default=1e-3)
parser.add_argument("--tau", default=1, type=float)
parser.add_argument("--schedule", type=int, nargs="*", default=[60, 80])
parser.add_argument("--local_rank", default=-1, type=int)


class ResNet_regression(nn.Module):
    def __init__(self, args):
        super().__init__()
        self.model = torchvision.models.resnet18(pretrained=False)
        self.model.fc = nn.Sequential(nn.Linear(self.model.fc.in_features, args.groups * 2))

    def forward(self, x):
        y_hat = self.model(x)
        return y_hat, None


def train_one_epoch(model, train_loader, ce_loss, mse_loss, opt, args, device):
    model.train()
    for idx, (x, y, g) in enumerate(train_loader):
        opt.zero_grad()
        x, y, g = x.to(device), y.to(device), g.to(device)
        y_output, z = model(x)
        g_hat, y_hat = torch.chunk(y_output, 2, dim=1)
        y_predicted = torch.gather(y_hat, dim=1, index=g.to(torch.int64))
        mse_y = mse_loss(y_predicted, y)
        ce_g = F.cross_entropy(g_hat, g.squeeze().long())
        loss = mse_y + args.sigma * ce_g
        loss.backward()
        opt.step()
    return model


if __name__ == "__main__":
    args = parser.parse_args()
    dist.init_process_group(backend="nccl")
    local_rank = torch.distributed.get_rank()
    torch.cuda.set_device(local_rank)
    device = torch.device("cuda", local_rank)
    train_loader, cls_num_list = None, None
    loss_mse = nn.MSELoss()
    loss_ce = LAloss(cls_num_list, tau=args.tau).to(device)
    model = ResNet_regression(args).to(device)
    model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[local_rank])
    opt = optim.Adam(model.parameters(), lr=args.lr, weight_decay=5e-4)
    for e in tqdm(range(args.epoch)):
        adjust_learning_rate(opt, e, args)
        model = train_one_epoch(model, train_loader, loss_ce, loss_mse, opt, args, device)

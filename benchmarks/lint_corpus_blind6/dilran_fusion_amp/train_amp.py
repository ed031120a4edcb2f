import argparse

import torch
import torch.optim as optim

from dataset_loader import get_loader
from loss import loss_func2
from model_baseline import fullModel

parser = argparse.ArgumentParser()
parser.add_argument("--batch_size", type=int, default=4)
parser.add_argument("--epochs", type=int, default=100)
parser.add_argument("--lr", type=float, default=0.0001)
parser.add_argument("--lr_decay", type=bool, default=False)
parser.add_argument("--accum_batch", type=int, default=1)
opt = parser.parse_args()

device = torch.device("cuda:0")
USE_AMP = True
scaler = torch.cuda.amp.GradScaler(enabled=USE_AMP)
train_total, train_loader = get_loader(opt.batch_size)
model = fullModel().to(device)
optimizer = optim.Adam(model.parameters(), lr=opt.lr)
if opt.lr_decay:
    stepLR = optim.lr_scheduler.StepLR(optimizer, step_size=100, gamma=0.5)
NUM_ACCUMULATION_STEPS = opt.accum_batch

for i in range(opt.epochs):
    model.zero_grad()
    model.train()
    for j, batch_idx in enumerate(train_loader):
        optimizer.zero_grad()
        with torch.cuda.amp.autocast(enabled=USE_AMP):
            img = train_total[batch_idx.view(-1).long()]
            loss, _, _, _ = loss_func2(model(img), img)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
    if opt.lr_decay:
        stepLR.step()

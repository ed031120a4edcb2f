"""Paraphrase of train.py (somepago/saint): optimizer choice and the supervised loop."""
import argparse

import torch.optim as optim
from torch import nn

from models import SAINT
from utils import get_scheduler

parser = argparse.ArgumentParser()
parser.add_argument("--optimizer", default="AdamW", type=str, choices=["AdamW", "Adam", "SGD"])
parser.add_argument("--scheduler", default="cosine", type=str, choices=["cosine", "linear"])
parser.add_argument("--lr", default=0.0001, type=float)
parser.add_argument("--epochs", default=100, type=int)
opt = parser.parse_args()

model = SAINT(categories=(1, 3, 5), num_continuous=4, dim=32, depth=1, heads=4)
criterion = nn.CrossEntropyLoss()

if opt.optimizer == "SGD":
    optimizer = optim.SGD(model.parameters(), lr=opt.lr, momentum=0.9, weight_decay=5e-4)
    scheduler = get_scheduler(opt, optimizer)
elif opt.optimizer == "Adam":
    optimizer = optim.Adam(model.parameters(), lr=opt.lr)
elif opt.optimizer == "AdamW":
    optimizer = optim.AdamW(model.parameters(), lr=opt.lr)


def train(trainloader):
    for epoch in range(opt.epochs):
        model.train()
        for x_categ_enc, x_cont_enc, y_gts in trainloader:
            optimizer.zero_grad()
            reps = model.transformer(x_categ_enc)
            y_outs = model.mlpfory(reps[:, 0, :])
            loss = criterion(y_outs, y_gts.squeeze())
            loss.backward()
            optimizer.step()

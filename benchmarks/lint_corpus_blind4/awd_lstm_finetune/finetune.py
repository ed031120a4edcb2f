import argparse

import numpy as np
import torch
import torch.nn as nn

import model as model_lib

parser = argparse.ArgumentParser()
parser.add_argument("--emsize", type=int, default=400)
parser.add_argument("--nhid", type=int, default=1150)
parser.add_argument("--nlayers", type=int, default=3)
parser.add_argument("--lr", type=float, default=30)
parser.add_argument("--clip", type=float, default=0.25)
parser.add_argument("--epochs", type=int, default=8000)
parser.add_argument("--bptt", type=int, default=70)
parser.add_argument("--alpha", type=float, default=2)
parser.add_argument("--beta", type=float, default=1)
parser.add_argument("--wdecay", type=float, default=1.2e-6)
parser.add_argument("--save", type=str, default="model.pt")
args = parser.parse_args()

ntokens = 10000
model = model_lib.RNNModel(ntokens, args.emsize, args.nhid, args.nlayers)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.ASGD(model.parameters(), lr=args.lr, t0=0, lambd=0.0, weight_decay=args.wdecay)
with open(args.save, "rb") as f:
    model, criterion, _ = torch.load(f)


def train(train_data, get_batch, init_hidden, repackage_hidden):
    hidden = init_hidden()
    i = 0
    while i < train_data.size(0) - 2:
        bptt = args.bptt if np.random.random() < 0.95 else args.bptt / 2.0
        seq_len = min(max(5, int(np.random.normal(bptt, 5))), args.bptt + 10)
        lr2 = optimizer.param_groups[0]["lr"]
        optimizer.param_groups[0]["lr"] = lr2 * seq_len / args.bptt
        model.train()
        data, targets = get_batch(train_data, i, seq_len)
        hidden = repackage_hidden(hidden)
        optimizer.zero_grad()
        output, hidden, rnn_hs, dropped_rnn_hs = model(data, hidden)
        raw_loss = criterion(output.view(-1, ntokens), targets)
        loss = raw_loss
        loss = loss + sum(args.alpha * h.pow(2).mean() for h in dropped_rnn_hs[-1:])
        loss = loss + sum(args.beta * (h[1:] - h[:-1]).pow(2).mean() for h in rnn_hs[-1:])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        optimizer.step()
        optimizer.param_groups[0]["lr"] = lr2
        i += seq_len

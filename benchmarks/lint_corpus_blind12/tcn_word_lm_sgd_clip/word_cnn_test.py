"""Paraphrase of TCN/word_cnn/word_cnn_test.py (locuslab/TCN): word-level language modelling on PTB."""
import argparse

import torch
import torch.nn as nn
import torch.optim as optim

from TCN.word_cnn.model import TCN
from TCN.word_cnn.utils import get_batch

parser = argparse.ArgumentParser(description="Sequence Modeling - Word-level Language Modeling")
parser.add_argument("--clip", type=float, default=0.35)
parser.add_argument("--epochs", type=int, default=100)
parser.add_argument("--lr", type=float, default=4)
parser.add_argument("--optim", type=str, default="SGD")
parser.add_argument("--validseqlen", type=int, default=40)
parser.add_argument("--seq_len", type=int, default=80)
args = parser.parse_args()

model = TCN(600, 10000, [600] * 3 + [600], dropout=0.45, emb_dropout=0.25, kernel_size=3, tied_weights=True)
criterion = nn.CrossEntropyLoss()
lr = args.lr
optimizer = getattr(optim, args.optim)(model.parameters(), lr=lr)


def train(train_data, n_words):
    model.train()
    for batch_idx, i in enumerate(range(0, train_data.size(1) - 1, args.validseqlen)):
        data, targets = get_batch(train_data, i, args)
        optimizer.zero_grad()
        output = model(data)
        eff_history = args.seq_len - args.validseqlen
        final_target = targets[:, eff_history:].contiguous().view(-1)
        final_output = output[:, eff_history:].contiguous().view(-1, n_words)
        loss = criterion(final_output, final_target)
        loss.backward()
        if args.clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        optimizer.step()


def anneal(epoch, val_loss, all_vloss):
    global lr
    if epoch > 5 and val_loss >= max(all_vloss[-5:]):
        lr = lr / 2.0
        for param_group in optimizer.param_groups:
            param_group["lr"] = lr

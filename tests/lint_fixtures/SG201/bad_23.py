# The loss is rescaled for a short last bucket (`batch_size / input_ids.shape[0]`, 1 on every full
# micro-batch, with `batch_size` the size the loader yields), which is no division by the window
# length; data-parallel replicas are averaged first. The fp16 optimizer and the plain backward
# both accumulate the undivided mean.
import argparse

import torch
from torch.utils.data import DataLoader

parser = argparse.ArgumentParser()
parser.add_argument("--train_batch_size", type=int, default=32)
parser.add_argument("--gradient_accumulation_steps", type=int, default=2)
parser.add_argument("--fp16", action="store_true")
args = parser.parse_args()
args.train_batch_size = args.train_batch_size // args.gradient_accumulation_steps


def train(model, dataset, optimizer, n_gpu):
    loader = DataLoader(dataset, batch_size=args.train_batch_size, shuffle=True)
    step = 0
    for input_ids, labels in loader:
        loss = model(input_ids, labels=labels).loss
        if n_gpu > 1:
            loss = loss.mean()
        loss = loss / (args.train_batch_size / input_ids.shape[0])
        if args.fp16:
            optimizer.backward(loss)
        else:
            loss.backward()
        step += 1
        if step % args.gradient_accumulation_steps == 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            optimizer.zero_grad()

import argparse
import math

import torch
from torch.utils.data import DataLoader

from hparams import create_hparams
from model import Tacotron2


def train(output_directory, n_gpus, rank, hparams):
    torch.manual_seed(hparams.seed)
    model = Tacotron2(hparams)
    learning_rate = hparams.learning_rate
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate, weight_decay=hparams.weight_decay)

    if hparams.fp16_run:
        from apex import amp

        model, optimizer = amp.initialize(model, optimizer, opt_level="O2")

    criterion = torch.nn.MSELoss()
    train_loader = DataLoader(load_trainset(hparams), batch_size=hparams.batch_size, shuffle=True, drop_last=True)

    iteration = 0
    is_overflow = False
    model.train()
    for epoch in range(hparams.epochs):
        for i, batch in enumerate(train_loader):
            for param_group in optimizer.param_groups:
                param_group["lr"] = learning_rate
            model.zero_grad()
            x, y = model.parse_batch(batch)
            y_pred = model(x)
            loss = criterion(y_pred, y)
            if hparams.fp16_run:
                with amp.scale_loss(loss, optimizer) as scaled_loss:
                    scaled_loss.backward()
            else:
                loss.backward()

            if hparams.fp16_run:
                grad_norm = torch.nn.utils.clip_grad_norm_(amp.master_params(optimizer), hparams.grad_clip_thresh)
                is_overflow = math.isnan(grad_norm)
            else:
                grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), hparams.grad_clip_thresh)

            optimizer.step()
            iteration += 1


def load_trainset(hparams):
    return []


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("-o", "--output_directory", type=str)
    parser.add_argument("--n_gpus", type=int, default=1)
    parser.add_argument("--rank", type=int, default=0)
    parser.add_argument("--hparams", type=str, required=False)
    args = parser.parse_args()
    hparams = create_hparams(args.hparams)
    train(args.output_directory, args.n_gpus, args.rank, hparams)

import argparse
import math

import torch
from torch.utils.data import DataLoader

from data_utils import TextMelCollate, TextMelLoader
from distributed import apply_gradient_allreduce
from hparams import create_hparams
from loss_function import Tacotron2Loss
from model import Tacotron2


def load_model(hparams):
    # embedding, conv + BatchNorm1d postnet, LSTM decoder
    model = Tacotron2(hparams).cuda()
    if hparams.distributed_run:
        model = apply_gradient_allreduce(model)
    return model


def train(output_directory, n_gpus, rank, hparams):
    model = load_model(hparams)
    learning_rate = hparams.learning_rate
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate, weight_decay=hparams.weight_decay)

    if hparams.fp16_run:
        from apex import amp

        model, optimizer = amp.initialize(model, optimizer, opt_level="O2")

    criterion = Tacotron2Loss()
    trainset = TextMelLoader(hparams.training_files, hparams)
    train_loader = DataLoader(
        trainset, shuffle=True, batch_size=hparams.batch_size, drop_last=True, collate_fn=TextMelCollate(1)
    )

    iteration = 0
    is_overflow = False
    model.train()
    for epoch in range(hparams.epochs):
        for batch in train_loader:
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
            if not is_overflow and rank == 0:
                print(f"Train loss {iteration} {loss.item():.6f} Grad Norm {grad_norm:.6f}")
            iteration += 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("-o", "--output_directory", type=str)
    parser.add_argument("--n_gpus", type=int, default=1)
    parser.add_argument("--rank", type=int, default=0)
    parser.add_argument("--hparams", type=str, required=False)
    args = parser.parse_args()
    train(args.output_directory, args.n_gpus, args.rank, create_hparams(args.hparams))

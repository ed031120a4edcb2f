import argparse

import torch
import torch.nn as nn
from torch.utils.data import DataLoader

import hparams as hp
from dataset import Dataset
from fastspeech2 import FastSpeech2
from loss import FastSpeech2Loss
from optimizer import ScheduledOptim


def main(args):
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dataset = Dataset("train.txt")
    loader = DataLoader(dataset, batch_size=hp.batch_size**2, shuffle=True, collate_fn=dataset.collate_fn, drop_last=True)

    # phoneme embedding, FFT blocks with LayerNorm, variance adaptor
    model = nn.DataParallel(FastSpeech2()).to(device)
    optimizer = torch.optim.Adam(model.parameters(), betas=hp.betas, eps=hp.eps, weight_decay=hp.weight_decay)
    scheduled_optim = ScheduledOptim(optimizer, hp.decoder_hidden, hp.n_warm_up_step, args.restore_step)
    Loss = FastSpeech2Loss().to(device)

    model = model.train()
    for epoch in range(hp.epochs):
        # the collate function returns hp.batch_size batches per loader item
        for i, batchs in enumerate(loader):
            for j, data_of_batch in enumerate(batchs):
                scheduled_optim.zero_grad()
                text = torch.from_numpy(data_of_batch["text"]).long().to(device)
                mel_target = torch.from_numpy(data_of_batch["mel_target"]).float().to(device)
                outputs = model(text, mel_target)
                mel_loss, mel_postnet_loss, d_loss, f_loss, e_loss = Loss(*outputs, mel_target)
                total_loss = mel_loss + mel_postnet_loss + d_loss + f_loss + e_loss

                total_loss.backward()
                # Clipping gradients to avoid gradient explosion
                nn.utils.clip_grad_norm_(model.parameters(), hp.grad_clip_thresh)
                # Update weights
                scheduled_optim.step_and_update_lr()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--restore_step", type=int, default=0)
    main(parser.parse_args())

import argparse
import itertools
import json

import torch
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler

from env import AttrDict
from meldataset import MelDataset, mel_spectrogram
from models import Generator, MultiPeriodDiscriminator, MultiScaleDiscriminator
from models import discriminator_loss, feature_loss, generator_loss


def train(rank, a, h):
    device = torch.device(f"cuda:{rank}")
    generator = Generator(h).to(device)
    mpd = MultiPeriodDiscriminator().to(device)
    msd = MultiScaleDiscriminator().to(device)
    last_epoch = -1

    if h.num_gpus > 1:
        generator = DistributedDataParallel(generator, device_ids=[rank]).to(device)
        mpd = DistributedDataParallel(mpd, device_ids=[rank]).to(device)
        msd = DistributedDataParallel(msd, device_ids=[rank]).to(device)

    # no weight_decay argument: AdamW's own default applies to every parameter
    optim_g = torch.optim.AdamW(generator.parameters(), h.learning_rate, betas=[h.adam_b1, h.adam_b2])
    optim_d = torch.optim.AdamW(
        itertools.chain(msd.parameters(), mpd.parameters()), h.learning_rate, betas=[h.adam_b1, h.adam_b2]
    )
    scheduler_g = torch.optim.lr_scheduler.ExponentialLR(optim_g, gamma=h.lr_decay, last_epoch=last_epoch)
    scheduler_d = torch.optim.lr_scheduler.ExponentialLR(optim_d, gamma=h.lr_decay, last_epoch=last_epoch)

    trainset = MelDataset(a.input_training_file, h.segment_size, h.num_mels)
    sampler = DistributedSampler(trainset) if h.num_gpus > 1 else None
    loader = DataLoader(trainset, batch_size=h.batch_size, sampler=sampler, drop_last=True)

    steps = 0
    for epoch in range(max(0, last_epoch), a.training_epochs):
        if sampler is not None:
            sampler.set_epoch(epoch)
        for batch in loader:
            x, y, _, y_mel = (t.to(device) for t in batch)
            y = y.unsqueeze(1)
            y_g_hat = generator(x)
            y_g_hat_mel = mel_spectrogram(y_g_hat.squeeze(1), h)

            optim_d.zero_grad()
            r_f, g_f, _, _ = mpd(y, y_g_hat.detach())
            loss_disc_f = discriminator_loss(r_f, g_f)
            r_s, g_s, _, _ = msd(y, y_g_hat.detach())
            loss_disc_s = discriminator_loss(r_s, g_s)
            loss_disc_all = loss_disc_s + loss_disc_f
            loss_disc_all.backward()
            optim_d.step()

            optim_g.zero_grad()
            loss_mel = F.l1_loss(y_mel, y_g_hat_mel) * 45
            _, g_f, fmap_f_r, fmap_f_g = mpd(y, y_g_hat)
            _, g_s, fmap_s_r, fmap_s_g = msd(y, y_g_hat)
            loss_fm = feature_loss(fmap_f_r, fmap_f_g) + feature_loss(fmap_s_r, fmap_s_g)
            loss_gen_all = generator_loss(g_f) + generator_loss(g_s) + loss_fm + loss_mel
            loss_gen_all.backward()
            optim_g.step()
            steps += 1

        scheduler_g.step()
        scheduler_d.step()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--input_training_file", default="LJSpeech-1.1/training.txt")
    parser.add_argument("--config", default="config_v1.json")
    parser.add_argument("--training_epochs", default=3100, type=int)
    a = parser.parse_args()
    with open(a.config) as f:
        h = AttrDict(json.load(f))
    h.num_gpus = torch.cuda.device_count()
    train(0, a, h)


if __name__ == "__main__":
    main()

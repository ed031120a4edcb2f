import argparse

import torch
import torch.nn.functional as F
from accelerate import Accelerator
from torch import optim

from libs import commons
from libs.losses import discriminator_loss, feature_loss, generator_loss, kl_loss
from libs.models import MultiPeriodDiscriminator, SynthesizerTrn


def main(args, hps):
    accelerator = Accelerator(mixed_precision=args.mixed_precision)
    run(hps, args, accelerator)


def run(hps, args, accelerator):
    train_loader = hps.make_loader()
    net_g = SynthesizerTrn(hps.n_symbols, hps.spec_channels, hps.segment_frames, **hps.model)
    net_d = MultiPeriodDiscriminator(hps.model.use_spectral_norm)
    optim_g = optim.AdamW(net_g.parameters(), hps.train.learning_rate, betas=hps.train.betas, eps=hps.train.eps)
    optim_d = optim.AdamW(net_d.parameters(), hps.train.learning_rate, betas=hps.train.betas, eps=hps.train.eps)
    scheduler_g = torch.optim.lr_scheduler.ExponentialLR(optim_g, gamma=hps.train.lr_decay)
    scheduler_d = torch.optim.lr_scheduler.ExponentialLR(optim_d, gamma=hps.train.lr_decay)
    net_g, optim_g, scheduler_g = accelerator.prepare(net_g, optim_g, scheduler_g)
    net_d, optim_d = accelerator.prepare(net_d, optim_d)
    for epoch in range(1, hps.train.epochs + 1):
        train_and_evaluate(accelerator, hps, net_g, net_d, optim_g, optim_d, train_loader)
        scheduler_g.step()
        scheduler_d.step()


def train_and_evaluate(accelerator, hps, net_g, net_d, optim_g, optim_d, train_loader):
    net_g.train()
    net_d.train()
    for x, x_lengths, spec, spec_lengths, y, y_lengths in train_loader:
        with accelerator.accumulate(net_d):
            with accelerator.autocast():
                y_hat, l_length, ids_slice, z_mask, (z_p, m_p, logs_p, logs_q), y_mel, y_hat_mel = net_g(
                    x, x_lengths, spec, spec_lengths
                )
                y = commons.slice_segments(y, ids_slice * hps.data.hop_length, hps.train.segment_size)
                y_d_hat_r, y_d_hat_g, _, _ = net_d(y, y_hat.detach())
                loss_disc, _, _ = discriminator_loss(y_d_hat_r, y_d_hat_g)
            optim_d.zero_grad()
            accelerator.backward(loss_disc)
            accelerator.unscale_gradients(optim_d)
            grad_norm_d = commons.clip_grad_value_(net_d.parameters(), None)
            optim_d.step()
        with accelerator.accumulate(net_g):
            with accelerator.autocast():
                y_d_hat_r, y_d_hat_g, fmap_r, fmap_g = net_d(y, y_hat)
                loss_mel = F.l1_loss(y_mel, y_hat_mel) * hps.train.c_mel
                loss_kl = kl_loss(z_p, logs_q, m_p, logs_p, z_mask) * hps.train.c_kl
                loss_gen, _ = generator_loss(y_d_hat_g)
                loss_gen_all = loss_gen + feature_loss(fmap_r, fmap_g) + loss_mel + torch.sum(l_length.float()) + loss_kl
            optim_g.zero_grad()
            accelerator.backward(loss_gen_all)
            accelerator.unscale_gradients(optim_g)
            grad_norm_g = commons.clip_grad_value_(net_g.parameters(), None)
            optim_g.step()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--mixed_precision", type=str, default="fp16")
    args = parser.parse_args()
    main(args, None)

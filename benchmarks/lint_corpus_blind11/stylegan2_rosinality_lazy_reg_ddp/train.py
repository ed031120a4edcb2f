import argparse
import os

import torch
from torch import nn, optim
from torch.utils import data

from dataset import MultiResolutionDataset
from distributed import get_rank, get_world_size, reduce_sum, synchronize
from losses import d_logistic_loss, d_r1_loss, g_nonsaturating_loss, g_path_regularize
from model import Discriminator, Generator
from utils import accumulate, data_sampler, make_noise, requires_grad, sample_data


def train(args, loader, generator, discriminator, g_optim, d_optim, g_ema, device):
    loader = sample_data(loader)
    mean_path_length = 0
    for i in range(args.iter):
        real_img = next(loader).to(device)

        requires_grad(generator, False)
        requires_grad(discriminator, True)
        noise = make_noise(args.batch, args.latent, 1, device)
        fake_img, _ = generator([noise])
        fake_pred = discriminator(fake_img)
        d_regularize = i % args.d_reg_every == 0
        if d_regularize:
            real_img.requires_grad = True
        real_pred = discriminator(real_img)
        d_loss = d_logistic_loss(real_pred, fake_pred)

        discriminator.zero_grad()
        d_loss.backward(retain_graph=d_regularize)
        d_optim.step()

        if d_regularize:
            r1_loss = d_r1_loss(real_pred, real_img)
            discriminator.zero_grad()
            (args.r1 / 2 * r1_loss * args.d_reg_every).backward()
            d_optim.step()

        requires_grad(generator, True)
        requires_grad(discriminator, False)
        fake_img, latents = generator([make_noise(args.batch, args.latent, 1, device)], return_latents=True)
        g_loss = g_nonsaturating_loss(discriminator(fake_img))
        g_regularize = i % args.g_reg_every == 0

        generator.zero_grad()
        g_loss.backward(retain_graph=g_regularize)
        g_optim.step()

        if g_regularize:
            path_loss, mean_path_length = g_path_regularize(fake_img, latents, mean_path_length)
            generator.zero_grad()
            (args.path_regularize * path_loss * args.g_reg_every).backward()
            g_optim.step()
            reduce_sum(mean_path_length) / get_world_size()

        accumulate(g_ema, generator.module)
        if get_rank() == 0 and i % 10000 == 0:
            torch.save({"g_ema": g_ema.state_dict()}, f"checkpoint/{str(i).zfill(6)}.pt")


if __name__ == "__main__":
    device = "cuda"
    parser = argparse.ArgumentParser()
    parser.add_argument("path", type=str)
    parser.add_argument("--iter", type=int, default=800000)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--r1", type=float, default=10)
    parser.add_argument("--path_regularize", type=float, default=2)
    parser.add_argument("--d_reg_every", type=int, default=16)
    parser.add_argument("--g_reg_every", type=int, default=4)
    parser.add_argument("--lr", type=float, default=0.002)
    parser.add_argument("--local_rank", type=int, default=0)
    args = parser.parse_args()

    n_gpu = int(os.environ["WORLD_SIZE"]) if "WORLD_SIZE" in os.environ else 1
    args.distributed = n_gpu > 1
    if args.distributed:
        torch.cuda.set_device(args.local_rank)
        torch.distributed.init_process_group(backend="nccl", init_method="env://")
        synchronize()
    args.latent = 512

    generator = Generator(args.size, args.latent, 8).to(device)
    discriminator = Discriminator(args.size).to(device)
    g_ema = Generator(args.size, args.latent, 8).to(device)
    g_ema.eval()
    accumulate(g_ema, generator, 0)
    if args.distributed:
        generator = nn.parallel.DistributedDataParallel(generator, device_ids=[args.local_rank], output_device=args.local_rank, broadcast_buffers=False)
        discriminator = nn.parallel.DistributedDataParallel(discriminator, device_ids=[args.local_rank], output_device=args.local_rank, broadcast_buffers=False)

    g_reg_ratio = args.g_reg_every / (args.g_reg_every + 1)
    d_reg_ratio = args.d_reg_every / (args.d_reg_every + 1)
    g_optim = optim.Adam(generator.parameters(), lr=args.lr * g_reg_ratio, betas=(0**g_reg_ratio, 0.99**g_reg_ratio))
    d_optim = optim.Adam(discriminator.parameters(), lr=args.lr * d_reg_ratio, betas=(0**d_reg_ratio, 0.99**d_reg_ratio))

    dataset = MultiResolutionDataset(args.path)
    loader = data.DataLoader(dataset, batch_size=args.batch, sampler=data_sampler(dataset, shuffle=True, distributed=args.distributed))
    train(args, loader, generator, discriminator, g_optim, d_optim, g_ema, device)

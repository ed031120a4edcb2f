import argparse
import math

import torch
import torch.nn.functional as F
from accelerate import Accelerator
from diffusers import AutoencoderKL

from discriminator import NLayerDiscriminator, hinge_d_loss, vanilla_g_loss


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--config_file", type=str, default=None)
    p.add_argument("--use_8bit_adam", action="store_true")
    p.add_argument("--train_batch_size", type=int, default=16)
    p.add_argument("--num_train_epochs", type=int, default=100)
    p.add_argument("--gradient_accumulation_steps", type=int, default=1)
    p.add_argument("--use_discriminator", action="store_true")
    p.add_argument("--discriminator_scale", type=float, default=1e-3)
    p.add_argument("--learning_rate", type=float, default=1e-4)
    p.add_argument("--mixed_precision", type=str, default=None, choices=["no", "fp16", "bf16"])
    p.add_argument("--max_grad_norm", default=1.0, type=float)
    p.add_argument("--kl_scale", type=float, default=1e-6)
    return p.parse_args()


def main():
    args = parse_args()
    accelerator = Accelerator(gradient_accumulation_steps=args.gradient_accumulation_steps, mixed_precision=args.mixed_precision)
    vae = AutoencoderKL.from_config(args.config_file)
    if args.use_8bit_adam:
        import bitsandbytes as bnb

        optimizer_class = bnb.optim.AdamW8bit
    else:
        optimizer_class = torch.optim.AdamW
    optimizer = optimizer_class(vae.parameters(), lr=args.learning_rate)
    accelerator_d = discriminator = optimizer_d = None
    if args.use_discriminator:
        accelerator_d = Accelerator(gradient_accumulation_steps=args.gradient_accumulation_steps, mixed_precision=args.mixed_precision)
        discriminator = NLayerDiscriminator()
        optimizer_d = optimizer_class(discriminator.parameters(), lr=1e-3, betas=(0.9, 0.999))
        discriminator, optimizer_d = accelerator_d.prepare(discriminator, optimizer_d)
    train_dataloader = args.make_loader(args.train_batch_size)
    num_update_steps_per_epoch = math.ceil(len(train_dataloader) / args.gradient_accumulation_steps)
    lr_scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, total_steps=num_update_steps_per_epoch * args.num_train_epochs, max_lr=args.learning_rate, pct_start=0.0, div_factor=3, final_div_factor=1)
    vae, optimizer, train_dataloader, lr_scheduler = accelerator.prepare(vae, optimizer, train_dataloader, lr_scheduler)
    for epoch in range(args.num_train_epochs):
        vae.train()
        for step, batch in enumerate(train_dataloader):
            target = batch["pixel_values"]
            if args.use_discriminator:
                with torch.no_grad():
                    rec = vae.decode(vae.encode(target).latent_dist.mode()).sample
                with accelerator_d.accumulate(discriminator):
                    d_loss = hinge_d_loss(discriminator(target), discriminator(rec.detach()))
                    accelerator_d.backward(d_loss)
                    optimizer_d.step()
                    optimizer_d.zero_grad()
                with torch.no_grad():
                    g_loss = vanilla_g_loss(discriminator(rec.detach()))
            with accelerator.accumulate(vae):
                posterior = vae.encode(target).latent_dist
                pred = vae.decode(posterior.mode()).sample
                loss = F.mse_loss(pred, target) + args.kl_scale * posterior.kl().mean()
                if args.use_discriminator:
                    loss = loss + args.discriminator_scale * g_loss
                if torch.isnan(loss).any():
                    optimizer.zero_grad()
                    continue
                accelerator.clip_grad_norm_(vae.decoder.parameters(), args.max_grad_norm)
                accelerator.backward(loss)
                optimizer.step()
                lr_scheduler.step()
                optimizer.zero_grad()


if __name__ == "__main__":
    main()

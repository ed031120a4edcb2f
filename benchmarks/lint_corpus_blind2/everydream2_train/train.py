"""Stable Diffusion fine-tuning (unet + text encoder), EveryDream2-style single-file trainer."""

import argparse
import itertools
import json
import math

import torch
import torch.nn.functional as F
from diffusers import AutoencoderKL, DDPMScheduler, UNet2DConditionModel
from diffusers.optimization import get_scheduler
from torch.cuda.amp import GradScaler, autocast
from transformers import CLIPTextModel

from data.every_dream import EveryDreamBatch, build_torch_dataloader


def main(args):
    root = args.resume_ckpt
    text_encoder = CLIPTextModel.from_pretrained(root, subfolder="text_encoder").cuda()
    vae = AutoencoderKL.from_pretrained(root, subfolder="vae").cuda()
    unet = UNet2DConditionModel.from_pretrained(root, subfolder="unet").cuda()
    noise_scheduler = DDPMScheduler.from_pretrained(root, subfolder="scheduler")

    if args.disable_textenc_training:
        params_to_train = itertools.chain(unet.parameters())
    elif args.disable_unet_training:
        params_to_train = itertools.chain(text_encoder.parameters())
    else:
        params_to_train = itertools.chain(unet.parameters(), text_encoder.parameters())

    curr_lr = args.lr if args.lr is not None else 2e-6
    weight_decay = 0.01
    if args.useadam8bit:
        import bitsandbytes as bnb

        opt_class = bnb.optim.AdamW8bit
    else:
        opt_class = torch.optim.AdamW
    optimizer = opt_class(
        itertools.chain(params_to_train),
        lr=curr_lr,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=weight_decay,
        amsgrad=False,
    )

    train_batch = EveryDreamBatch(args.data_root, batch_size=args.batch_size)
    epoch_len = math.ceil(len(train_batch) / args.batch_size)
    if args.lr_decay_steps is None or args.lr_decay_steps < 1:
        args.lr_decay_steps = int(epoch_len * args.max_epochs * 1.5)
    lr_warmup_steps = int(args.lr_decay_steps / 50) if args.lr_warmup_steps is None else args.lr_warmup_steps
    lr_scheduler = get_scheduler(
        args.lr_scheduler,
        optimizer=optimizer,
        num_warmup_steps=lr_warmup_steps,
        num_training_steps=args.lr_decay_steps,
    )

    scaler = GradScaler(enabled=args.amp, init_scale=2**17.5, growth_factor=2, backoff_factor=0.5, growth_interval=25)
    train_dataloader = build_torch_dataloader(train_batch, batch_size=args.batch_size)

    def get_model_prediction_and_target(image, tokens):
        with torch.no_grad():
            with autocast(enabled=args.amp):
                latents = vae.encode(image.cuda()).latent_dist.sample() * 0.18215
            noise = torch.randn_like(latents)
            timesteps = torch.randint(0, noise_scheduler.config.num_train_timesteps, (latents.shape[0],), device="cuda")
        encoder_hidden_states = text_encoder(tokens.cuda()).last_hidden_state
        noisy_latents = noise_scheduler.add_noise(latents, noise, timesteps)
        with autocast(enabled=args.amp):
            model_pred = unet(noisy_latents, timesteps, encoder_hidden_states).sample
        return model_pred, noise

    global_step = 0
    for epoch in range(args.max_epochs):
        for step, batch in enumerate(train_dataloader):
            model_pred, target = get_model_prediction_and_target(batch["image"], batch["tokens"])
            loss = F.mse_loss(model_pred.float(), target.float(), reduction="mean")

            scaler.scale(loss).backward()

            if args.clip_grad_norm is not None:
                if not args.disable_unet_training:
                    torch.nn.utils.clip_grad_norm_(parameters=unet.parameters(), max_norm=args.clip_grad_norm)
                if not args.disable_textenc_training:
                    torch.nn.utils.clip_grad_norm_(parameters=text_encoder.parameters(), max_norm=args.clip_grad_norm)

            if batch["runt_size"] > 0:
                # a short last batch: shrink its gradients to its share of a full batch
                grad_scale = batch["runt_size"] / args.batch_size
                with torch.no_grad():
                    for param in unet.parameters():
                        if param.grad is not None:
                            param.grad *= grad_scale

            if ((global_step + 1) % args.grad_accum == 0) or (step == epoch_len - 1):
                scaler.step(optimizer)
                scaler.update()
                optimizer.zero_grad(set_to_none=True)

            lr_scheduler.step()
            global_step += 1


if __name__ == "__main__":
    argparser = argparse.ArgumentParser(description="EveryDream2 Training options")
    argparser.add_argument("--config", type=str, default=None, help="JSON config file to load options from")
    args, argv = argparser.parse_known_args()
    if args.config is not None:
        with open(args.config) as f:
            args.__dict__.update(json.load(f))

    argparser = argparse.ArgumentParser(description="EveryDream2 Training options")
    argparser.add_argument("--amp", action="store_true", default=False, help="automatic mixed precision, recommended on")
    argparser.add_argument("--batch_size", type=int, default=2)
    argparser.add_argument("--clip_grad_norm", type=float, default=None, help="(def: disabled) (ex: 1.5)")
    argparser.add_argument("--data_root", type=str, default="input")
    argparser.add_argument("--disable_textenc_training", action="store_true", default=False)
    argparser.add_argument("--disable_unet_training", action="store_true", default=False)
    argparser.add_argument("--grad_accum", type=int, default=1, help="Gradient accumulation factor (def: 1)")
    argparser.add_argument("--lr", type=float, default=None)
    argparser.add_argument("--lr_decay_steps", type=int, default=0, help="Steps to reach minimum LR, default: automatic")
    argparser.add_argument("--lr_scheduler", type=str, default="constant", choices=["constant", "linear", "cosine", "polynomial"])
    argparser.add_argument("--lr_warmup_steps", type=int, default=None)
    argparser.add_argument("--max_epochs", type=int, default=300)
    argparser.add_argument("--resume_ckpt", type=str, default="sd_v1-5_vae.ckpt")
    argparser.add_argument("--useadam8bit", action="store_true", default=False, help="AdamW 8-bit, recommended!")
    args = argparser.parse_args(args=argv, namespace=args)
    main(args)

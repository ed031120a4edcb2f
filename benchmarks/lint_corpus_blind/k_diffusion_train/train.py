#!/usr/bin/env python3
"""Trains Karras et al. (2022) diffusion models."""
import argparse
from copy import deepcopy

import accelerate
import torch
from torch import optim
from torch.utils import data
from tqdm.auto import tqdm

import k_diffusion as K


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--config", type=str, required=True)
    p.add_argument("--grad-accum-steps", type=int, default=1, help="the number of gradient accumulation steps")
    p.add_argument("--lr", type=float)
    p.add_argument("--mixed-precision", type=str, help="the mixed precision type")
    p.add_argument("--num-workers", type=int, default=8)
    p.add_argument("--save-every", type=int, default=10000)
    args = p.parse_args()

    config = K.config.load_config(args.config)
    model_config = config["model"]
    opt_config = config["optimizer"]
    sched_config = config["lr_sched"]
    ema_sched_config = config["ema_sched"]

    ddp_kwargs = accelerate.DistributedDataParallelKwargs(find_unused_parameters=model_config["skip_stages"] > 0)
    accelerator = accelerate.Accelerator(
        kwargs_handlers=[ddp_kwargs], gradient_accumulation_steps=args.grad_accum_steps, mixed_precision=args.mixed_precision
    )
    device = accelerator.device

    inner_model = K.config.make_model(config)
    inner_model_ema = deepcopy(inner_model)

    wd_params, no_wd_params = inner_model.wd_params()
    groups = [{"params": wd_params}, {"params": no_wd_params, "weight_decay": 0.0}]
    if opt_config["type"] == "adamw":
        opt = optim.AdamW(groups, lr=opt_config["lr"] if args.lr is None else args.lr,
                          betas=tuple(opt_config["betas"]), eps=opt_config["eps"], weight_decay=opt_config["weight_decay"])
    elif opt_config["type"] == "sgd":
        opt = optim.SGD(groups, lr=opt_config["lr"] if args.lr is None else args.lr,
                        momentum=opt_config.get("momentum", 0.0), weight_decay=opt_config.get("weight_decay", 0.0))
    else:
        raise ValueError("Invalid optimizer type")

    if sched_config["type"] == "inverse":
        sched = K.utils.InverseLR(opt, inv_gamma=sched_config["inv_gamma"], power=sched_config["power"], warmup=sched_config["warmup"])
    elif sched_config["type"] == "exponential":
        sched = K.utils.ExponentialLR(opt, num_steps=sched_config["num_steps"], decay=sched_config["decay"], warmup=sched_config["warmup"])
    else:
        sched = optim.lr_scheduler.LambdaLR(opt, lambda _: 1.0)
    ema_sched = K.utils.EMAWarmup(power=ema_sched_config["power"], max_value=ema_sched_config["max_value"])

    train_set = K.utils.FolderOfImages(config["dataset"]["location"])
    train_dl = data.DataLoader(train_set, args.batch_size, shuffle=True, drop_last=True, num_workers=args.num_workers)

    # the schedulers are not handed to accelerate
    inner_model, inner_model_ema, opt, train_dl = accelerator.prepare(inner_model, inner_model_ema, opt, train_dl)

    sample_density = K.config.make_sample_density(model_config)
    # the denoiser wraps the prepared (DDP) inner model
    model = K.config.make_denoiser_wrapper(config)(inner_model)
    model_ema = K.config.make_denoiser_wrapper(config)(inner_model_ema)

    step = 0
    while True:
        for batch in tqdm(train_dl, disable=not accelerator.is_main_process):
            with accelerator.accumulate(model):
                reals, _, aug_cond = batch[0]
                noise = torch.randn_like(reals)
                sigma = sample_density([reals.shape[0]], device=device)
                losses = model.loss(reals, noise, sigma, aug_cond=aug_cond)
                accelerator.backward(losses.mean())
                opt.step()
                sched.step()
                opt.zero_grad()
                if accelerator.sync_gradients:
                    ema_decay = ema_sched.get_value()
                    K.utils.ema_update(model, model_ema, ema_decay)
                    ema_sched.step()
            if step > 0 and step % args.save_every == 0:
                accelerator.save({"model": accelerator.unwrap_model(inner_model).state_dict(), "sched": sched.state_dict()}, f"model_{step:08}.pth")
            step += 1


if __name__ == "__main__":
    main()

from functools import partial

import torch
from torch.optim.lr_scheduler import LambdaLR
from tqdm import tqdm

from Lighting.envmap_model import construct_envmap
from Lighting.sds_common import get_cosine_schedule_with_warmup_lr_lambda, get_optimizer


def sds_loop(args, pipe_sds, sample_view, lpips, device):
    envmap = construct_envmap(args).to(device=device)
    for param in envmap.parameters():
        param.requires_grad = True
    optimizer = get_optimizer(args)(envmap.parameters(), lr=args.sds_lr)
    lr_func = partial(
        get_cosine_schedule_with_warmup_lr_lambda,
        num_warmup_steps=args.num_sds_steps // 10, num_training_steps=args.num_sds_steps,
        num_cycles=0.5, min_scale=args.sds_lr_end / args.sds_lr,
    )
    scheduler = LambdaLR(optimizer, lr_lambda=lr_func)
    accumulation_steps = 1
    pbar = tqdm(range(args.num_sds_steps))
    for i in pbar:
        queried_image, mask, target = sample_view(envmap, i)
        _, aux = pipe_sds.loss_sds_image(queried_image, mask, target, return_aux=True)
        image_pred = aux["image_pred"].detach().float()
        mse_loss = 0.5 * torch.nn.functional.mse_loss(image_pred[mask], queried_image[mask])
        base_loss = lpips(image_pred, queried_image) + 0.1 * mse_loss
        loss_dict = {"loss_sds": base_loss}
        total_loss = sum(loss_dict.values()) / accumulation_steps
        total_loss.backward()
        torch.nn.utils.clip_grad_norm_(envmap.parameters(), max_norm=1.0)
        scheduler.step()
        if (i + 1) % accumulation_steps == 0:
            optimizer.step()
            optimizer.zero_grad()
    return envmap

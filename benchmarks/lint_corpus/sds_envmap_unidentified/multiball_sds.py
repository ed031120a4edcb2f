from functools import partial

import torch
from torch.optim.lr_scheduler import LambdaLR

from Lighting.sds_common import cosine_with_warmup, get_optimizer, sds_loss


def sds_loop(envmap, pipe_sds, args):
    for param in envmap.parameters():
        param.requires_grad = True
    optimizer = get_optimizer(args)(envmap.parameters(), lr=args.sds_lr)
    lr_func = partial(cosine_with_warmup, num_warmup_steps=args.num_sds_steps // 10,
                      num_training_steps=args.num_sds_steps)
    scheduler = LambdaLR(optimizer, lr_lambda=lr_func)
    accumulation_steps = 1
    for i in range(args.num_sds_steps):
        base_loss, w = sds_loss(pipe_sds, envmap, i, args)
        loss_dict = {"loss_sds": base_loss * w}
        total_loss = sum(loss_dict.values()) / accumulation_steps
        total_loss.backward()
        torch.nn.utils.clip_grad_norm_(envmap.parameters(), max_norm=1.0)
        scheduler.step()
        if (i + 1) % accumulation_steps == 0:
            optimizer.step()
            optimizer.zero_grad()
    return envmap

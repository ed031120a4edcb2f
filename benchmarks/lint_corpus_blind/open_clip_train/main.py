import torch
from torch import optim

from scheduler import cosine_lr
from train import train_one_epoch


def main(args, model, data, device):
    # gains (1-D), norms, biases and the logit scale get no weight decay
    exclude = lambda n, p: p.ndim < 2 or "bn" in n or "ln" in n or "bias" in n or "logit_scale" in n
    include = lambda n, p: not exclude(n, p)

    named_parameters = list(model.named_parameters())
    gain_or_bias_params = [p for n, p in named_parameters if exclude(n, p) and p.requires_grad]
    rest_params = [p for n, p in named_parameters if include(n, p) and p.requires_grad]

    optimizer = optim.AdamW(
        [
            {"params": gain_or_bias_params, "weight_decay": 0.0},
            {"params": rest_params, "weight_decay": args.wd},
        ],
        lr=args.lr,
        betas=(args.beta1, args.beta2),
        eps=args.eps,
    )
    scaler = torch.amp.GradScaler(device=device) if args.precision == "amp" else None

    # the schedule counts optimizer steps: batches // accum_freq per epoch
    total_steps = (data["train"].dataloader.num_batches // args.accum_freq) * args.epochs
    scheduler = cosine_lr(optimizer, args.lr, args.warmup, total_steps)

    for epoch in range(args.epochs):
        train_one_epoch(model, args.loss, data, epoch, optimizer, scaler, scheduler, args)

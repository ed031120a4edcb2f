import argparse
from contextlib import nullcontext

import torch
import torch_optimizer
from model_utils import load_sc_model as load_model
from model_utils import squeeze_batch_and_to_device
from tools import exists, ifexists_call
from torch.cuda.amp import GradScaler
from torch.optim.lr_scheduler import CyclicLR
from torch_ema import ExponentialMovingAverage

INTERPOLATE = 0.5


def optimizer(model, args):
    if args.optimizer_type == "adamw":
        optim = torch.optim.AdamW(model.parameters(), betas=(0.9, 0.98), weight_decay=1e-6, lr=args.min_lr)
    elif args.optimizer_type == "madgrad":
        optim = torch_optimizer.MADGRAD(model.parameters(), lr=args.min_lr, momentum=0.9, weight_decay=1e-6, eps=1e-6)
    else:
        raise ValueError(f"Unknown optimizer type: {args.optimizer_type}")
    schedular = CyclicLR(optim, base_lr=args.min_lr, max_lr=args.max_lr, step_size_up=args.step_size, step_size_down=args.step_size * 4, mode="triangular", cycle_momentum=False)
    return optim, schedular


def train_one_epoch(model, optim, schedular, train_dataloader, device, scaler=None, ema=None):
    model.train()
    losses, loss_iterim = [], []
    autocast_device = "cuda" if torch.cuda.is_available() else "cpu"
    for i, batch in enumerate(train_dataloader):
        input_signal, input_signal_lengths, targets, target_lengths, batch_size = squeeze_batch_and_to_device(batch, device)
        with torch.autocast(device_type=autocast_device) if exists(scaler) else nullcontext():
            log_probs, interim_posteriors, encoded_len = model(input_signal=input_signal, input_signal_length=input_signal_lengths)[:3]
            loss_final = model.loss(log_probs=log_probs, targets=targets, input_lengths=encoded_len, target_lengths=target_lengths)
            if exists(interim_posteriors):
                interim_loss = torch.stack([model.loss(log_probs=layer, targets=targets, input_lengths=encoded_len, target_lengths=target_lengths) for layer in interim_posteriors]).mean()
                loss_a = INTERPOLATE * interim_loss + (1 - INTERPOLATE) * loss_final
            else:
                loss_a = loss_final
            loss_a = loss_a / args.accumulate_gradients
            loss_iterim.append(loss_a.item())

        scaler.scale(loss_a).backward() if exists(scaler) else loss_a.backward()

        if (i + 1) % args.accumulate_gradients == 0:
            if args.clip_gradients:
                scaler.unscale_(optim) if exists(scaler) else None
                torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip_gradients_value)

            scaler.step(optim) if exists(scaler) else optim.step()
            ifexists_call(scaler, scaler.update)
            optim.zero_grad()

            ifexists_call(schedular, schedular.step)
            ifexists_call(ema, ema.update)
            losses.append(sum(loss_iterim))
            loss_iterim = []
    return sum(losses) / len(losses)


def main(args, train_dataloader):
    model = load_model(args)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model.to(device)
    optim, schedular = optimizer(model, args)
    ema = ExponentialMovingAverage(model.parameters(), decay=0.9999)
    scaler = GradScaler() if args.mixed_precision else None
    for _ in range(args.epochs):
        train_one_epoch(model, optim, schedular, train_dataloader, device, scaler, ema)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=500)
    parser.add_argument("--model_config", type=str, default="")
    parser.add_argument("--accumulate_gradients", type=int, default=4)
    parser.add_argument("--min_lr", type=float, default=1e-5)
    parser.add_argument("--max_lr", type=float, default=8e-3)
    parser.add_argument("--step_size", type=int, default=400)
    parser.add_argument("--mixed_precision", action="store_true")
    parser.add_argument("--clip_gradients", action="store_true")
    parser.add_argument("--clip_gradients_value", type=float, default=5.0)
    parser.add_argument("--optimizer_type", type=str, default="madgrad")
    args = parser.parse_args()
    main(args, None)

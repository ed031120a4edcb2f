import argparse
from contextlib import suppress

import torch

from timm.optim import create_optimizer_v2
from timm.scheduler import create_scheduler_v2
from timm.utils import NativeScaler, dispatch_clip_grad


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--opt", default="sgd")
    p.add_argument("--weight-decay", type=float, default=2e-5)
    p.add_argument("--grad-accum-steps", type=int, default=1)
    p.add_argument("--clip-grad", type=float, default=None)
    p.add_argument("--amp", action="store_true")
    return p.parse_args()


def main():
    args = parse_args()
    model = build_model(args)
    optimizer = create_optimizer_v2(model, opt=args.opt, weight_decay=args.weight_decay)
    loss_scaler = NativeScaler() if args.amp else None
    loader = build_loader(args)
    updates_per_epoch = (len(loader) + args.grad_accum_steps - 1) // args.grad_accum_steps
    lr_scheduler, num_epochs = create_scheduler_v2(optimizer, updates_per_epoch=updates_per_epoch)
    for epoch in range(num_epochs):
        train_one_epoch(epoch, model, loader, optimizer, torch.nn.CrossEntropyLoss(), args,
                        lr_scheduler=lr_scheduler, loss_scaler=loss_scaler)
        lr_scheduler.step(epoch + 1)


def train_one_epoch(epoch, model, loader, optimizer, loss_fn, args, lr_scheduler=None,
                    amp_autocast=suppress, loss_scaler=None):
    has_no_sync = hasattr(model, "no_sync")
    accum_steps = args.grad_accum_steps
    last_accum_steps = len(loader) % accum_steps
    updates_per_epoch = (len(loader) + accum_steps - 1) // accum_steps
    num_updates = epoch * updates_per_epoch
    last_batch_idx = len(loader) - 1
    last_batch_idx_to_accum = len(loader) - last_accum_steps
    model.train()
    optimizer.zero_grad()
    for batch_idx, (input, target) in enumerate(loader):
        last_batch = batch_idx == last_batch_idx
        need_update = last_batch or (batch_idx + 1) % accum_steps == 0
        if batch_idx >= last_batch_idx_to_accum:
            accum_steps = last_accum_steps

        def _forward():
            with amp_autocast():
                output = model(input)
                loss = loss_fn(output, target)
            if accum_steps > 1:
                loss /= accum_steps
            return loss

        def _backward(_loss):
            if loss_scaler is not None:
                loss_scaler(_loss, optimizer, clip_grad=args.clip_grad,
                            parameters=model.parameters(), need_update=need_update)
            else:
                _loss.backward()
                if need_update:
                    if args.clip_grad is not None:
                        dispatch_clip_grad(model.parameters(), value=args.clip_grad)
                    optimizer.step()

        if has_no_sync and not need_update:
            with model.no_sync():
                loss = _forward()
                _backward(loss)
        else:
            loss = _forward()
            _backward(loss)

        if not need_update:
            continue
        num_updates += 1
        optimizer.zero_grad()
        if lr_scheduler is not None:
            lr_scheduler.step_update(num_updates=num_updates)


def build_model(args):
    raise NotImplementedError


def build_loader(args):
    raise NotImplementedError

import argparse

import torch

from image_classification.training import Executor, Trainer, train


def main(model, loss, optimizer, train_loader, lr_policy):
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch-size", default=256, type=int)
    parser.add_argument("--optimizer-batch-size", default=-1, type=int)
    parser.add_argument("--amp", action="store_true")
    parser.add_argument("--static-loss-scale", type=float, default=1)
    parser.add_argument("--gpu", type=int, default=0)
    args = parser.parse_args()
    args.distributed = torch.distributed.is_available() and torch.distributed.is_initialized()
    world_size = torch.distributed.get_world_size() if args.distributed else 1
    batch_size_multiplier = 1
    if args.optimizer_batch_size > 0:
        tbs = world_size * args.batch_size
        batch_size_multiplier = int(args.optimizer_batch_size / tbs)
    scaler = torch.cuda.amp.GradScaler(init_scale=args.static_loss_scale, enabled=args.amp)
    executor = Executor(model, loss(), amp=args.amp, scaler=scaler, divide_loss=batch_size_multiplier)
    if args.distributed:
        executor.distributed(args.gpu)
    trainer = Trainer(executor, optimizer, grad_acc_steps=batch_size_multiplier)
    train(trainer.train_step, train_loader, lambda i: lr_policy(optimizer, i))

from argparse import ArgumentParser
from contextlib import nullcontext
from os import environ

import torch
from torch.amp import autocast
from torch.distributed import destroy_process_group, init_process_group
from torch.nn.parallel import DistributedDataParallel
from torch.nn.utils import clip_grad_norm_
from torch.optim import AdamW
from torch.utils.data import DataLoader

from data import OpenwebtextDataset
from model import GPT

RANK = int(environ.get("RANK", -1))
LOCAL_RANK = int(environ.get("LOCAL_RANK", -1))
WORLD_SIZE = int(environ.get("WORLD_SIZE", -1))
IS_DDP = RANK >= 0


def main():
    parser = ArgumentParser()
    parser.add_argument("--batch_size", default=4, type=int)
    parser.add_argument("--gradient_accumulation_steps", default=32, type=int)
    parser.add_argument("--learning_rate", default=5e-4, type=float)
    parser.add_argument("--max_gradient_norm", default=1.0, type=float)
    parser.add_argument("--num_epochs", default=1000, type=int)
    parser.add_argument("--block_size", default=1024, type=int)
    parser.add_argument("--device", default="cuda", type=str)
    args = parser.parse_args()

    if IS_DDP:
        init_process_group(backend="nccl", world_size=WORLD_SIZE)
        args.device = f"cuda:{LOCAL_RANK}"
        args.gradient_accumulation_steps //= WORLD_SIZE

    forward_context = autocast(device_type=args.device, dtype=torch.bfloat16)
    train = OpenwebtextDataset(train=True, block_size=args.block_size)
    train_loader = DataLoader(train, batch_size=args.batch_size, pin_memory=True)

    model = GPT(train.VOCABULARY_SIZE, args.block_size, 768, 12, 12, 0.1).to(args.device)
    optimizer = AdamW(model.parameters(), lr=args.learning_rate, fused=True)
    model = torch.compile(model)
    if IS_DDP:
        model = DistributedDataParallel(model, device_ids=[LOCAL_RANK])
    model.train()

    for epoch in range(1, args.num_epochs + 1):
        for step, (x, y) in enumerate(train_loader, start=1):
            x = x.to(args.device, non_blocking=True)
            y = y.to(args.device, non_blocking=True)
            with forward_context:
                y_pred, loss = model(x, y)
                loss /= args.gradient_accumulation_steps
            with model.no_sync() if IS_DDP and step != args.gradient_accumulation_steps else nullcontext():
                loss.backward()
            if step % args.gradient_accumulation_steps == 0:
                norm = clip_grad_norm_(model.parameters(), args.max_gradient_norm)
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)

    if IS_DDP:
        destroy_process_group()


if __name__ == "__main__":
    main()

from argparse import ArgumentParser

import torch
from ignite.contrib.handlers import CosineAnnealingScheduler, create_lr_scheduler_with_warmup
from ignite.engine import Engine, Events
from torch.nn.parallel import DistributedDataParallel
from torch.optim import Adam

from pretraining_model import TransformerWithLMHead


def train(train_loader):
    parser = ArgumentParser()
    parser.add_argument("--embed_dim", type=int, default=410)
    parser.add_argument("--hidden_dim", type=int, default=2100)
    parser.add_argument("--lr", type=float, default=2.5e-4)
    parser.add_argument("--max_norm", type=float, default=0.25)
    parser.add_argument("--weight_decay", type=float, default=0.0)
    parser.add_argument("--n_epochs", type=int, default=200)
    parser.add_argument("--n_warmup", type=int, default=1000)
    parser.add_argument("--gradient_accumulation_steps", type=int, default=1)
    parser.add_argument("--local_rank", type=int, default=-1)
    args = parser.parse_args()
    args.distributed = args.local_rank != -1
    if args.distributed:
        torch.distributed.init_process_group(backend="nccl", init_method="env://")

    model = TransformerWithLMHead(args)
    optimizer = Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    if args.distributed:
        model = DistributedDataParallel(model, device_ids=[args.local_rank], output_device=args.local_rank)

    def update(engine, batch):
        model.train()
        batch = batch.transpose(0, 1).contiguous()
        logits, loss = model(batch, labels=batch)
        loss = loss / args.gradient_accumulation_steps
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.max_norm)
        if engine.state.iteration % args.gradient_accumulation_steps == 0:
            optimizer.step()
            optimizer.zero_grad()
        return loss.item()

    trainer = Engine(update)
    cos_scheduler = CosineAnnealingScheduler(optimizer, "lr", args.lr, 0.0, len(train_loader) * args.n_epochs)
    scheduler = create_lr_scheduler_with_warmup(cos_scheduler, 0.0, args.lr, args.n_warmup)
    trainer.add_event_handler(Events.ITERATION_STARTED, scheduler)
    trainer.run(train_loader, max_epochs=args.n_epochs)

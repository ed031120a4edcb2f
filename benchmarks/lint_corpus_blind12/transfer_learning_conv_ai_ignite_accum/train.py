"""Paraphrase of train.py (huggingface/transfer-learning-conv-ai): GPT double-heads fine-tuning on PERSONA-CHAT."""
from argparse import ArgumentParser

import torch
from ignite.contrib.handlers import PiecewiseLinear
from ignite.engine import Engine, Events
from torch.nn.parallel import DistributedDataParallel


def train(model, optimizer, get_data_loaders):
    parser = ArgumentParser()
    parser.add_argument("--train_batch_size", type=int, default=4)
    parser.add_argument("--gradient_accumulation_steps", type=int, default=8)
    parser.add_argument("--lr", type=float, default=6.25e-5)
    parser.add_argument("--lm_coef", type=float, default=1.0)
    parser.add_argument("--mc_coef", type=float, default=1.0)
    parser.add_argument("--max_norm", type=float, default=1.0)
    parser.add_argument("--n_epochs", type=int, default=3)
    parser.add_argument("--fp16", type=str, default="")
    parser.add_argument("--local_rank", type=int, default=-1)
    args = parser.parse_args()

    args.distributed = args.local_rank != -1
    if args.distributed:
        torch.distributed.init_process_group(backend="nccl", init_method="env://")

    if args.fp16:
        from apex import amp
        model, optimizer = amp.initialize(model, optimizer, opt_level=args.fp16)
    if args.distributed:
        model = DistributedDataParallel(model, device_ids=[args.local_rank], output_device=args.local_rank)

    train_loader, val_loader = get_data_loaders(args)

    def update(engine, batch):
        model.train()
        lm_loss, mc_loss = model(*batch)
        loss = (lm_loss * args.lm_coef + mc_loss * args.mc_coef) / args.gradient_accumulation_steps
        if args.fp16:
            with amp.scale_loss(loss, optimizer) as scaled_loss:
                scaled_loss.backward()
            torch.nn.utils.clip_grad_norm_(amp.master_params(optimizer), args.max_norm)
        else:
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.max_norm)
        if engine.state.iteration % args.gradient_accumulation_steps == 0:
            optimizer.step()
            optimizer.zero_grad()
        return loss.item()

    trainer = Engine(update)

    scheduler = PiecewiseLinear(optimizer, "lr", [(0, args.lr), (args.n_epochs * len(train_loader), 0.0)])
    trainer.add_event_handler(Events.ITERATION_STARTED, scheduler)

    trainer.run(train_loader, max_epochs=args.n_epochs)

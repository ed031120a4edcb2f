import argparse

import torch
from accelerate import Accelerator
from torch.utils.data import DataLoader, DistributedSampler, RandomSampler
from transformers import AutoModelForSequenceClassification, get_constant_schedule_with_warmup

from utils.utils import make_optimizer_group


def get_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch_size", default=8, type=int)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--warmup", type=float, default=0.05)
    parser.add_argument("--decay", type=float, default=0.1)
    parser.add_argument("--accumulation_steps", type=int, default=1)
    parser.add_argument("--distributed", action="store_true")
    parser.add_argument("--ptm_path", type=str)
    parser.add_argument("--n_labels", type=int)
    return parser.parse_args()


def train(args, model, optimizer, scheduler, accelerator, train_dataloader):
    global_step = 0
    step = 0
    optimizer.zero_grad()
    for epoch in range(1, args.epochs + 1):
        model.train()
        for data in train_dataloader:
            step += 1
            output = model.forward(**data)
            loss = output.loss
            loss = loss / args.accumulation_steps
            accelerator.backward(loss)
            if step % args.accumulation_steps == 0 or (len(train_dataloader) <= args.accumulation_steps and step == len(train_dataloader)):
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()
                global_step += 1


def get_optimizer_scheduler(args, model, train_dataloader):
    optimizer_grouped_parameters = make_optimizer_group(model, args.decay)
    optimizer = torch.optim.AdamW(optimizer_grouped_parameters, lr=args.lr, weight_decay=args.decay)
    t_total = len(train_dataloader) * args.epochs // args.accumulation_steps
    n_warmup = int(t_total * args.warmup) if args.warmup < 1 else int(args.warmup)
    scheduler = get_constant_schedule_with_warmup(optimizer, num_warmup_steps=n_warmup)
    return optimizer, scheduler


if __name__ == "__main__":
    args = get_args()
    model = AutoModelForSequenceClassification.from_pretrained(args.ptm_path, num_labels=args.n_labels)
    accelerator = Accelerator()
    model.to(accelerator.device)
    train_dataset = []
    train_sampler = DistributedSampler(train_dataset) if args.distributed else RandomSampler(train_dataset)
    train_dataloader = DataLoader(train_dataset, batch_size=args.batch_size, sampler=train_sampler)
    optimizer, scheduler = get_optimizer_scheduler(args, model, train_dataloader)
    model, optimizer, train_dataloader, scheduler = accelerator.prepare(model, optimizer, train_dataloader, scheduler)
    train(args, model, optimizer, scheduler, accelerator, train_dataloader)

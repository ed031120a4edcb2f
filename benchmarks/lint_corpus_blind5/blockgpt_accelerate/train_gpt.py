import argparse

import torch
from accelerate import Accelerator
from transformers import get_scheduler

from models.blockGPT.model import GPT, GPTConfig


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--per_device_train_batch_size", type=int, default=8)
    parser.add_argument("--learning_rate", type=float, default=5e-5)
    parser.add_argument("--weight_decay", type=float, default=0.0)
    parser.add_argument("--max_train_steps", type=int, default=2000000)
    parser.add_argument("--num_train_epochs", type=int, default=20)
    parser.add_argument("--gradient_accumulation_steps", type=int, default=1)
    parser.add_argument("--lr_scheduler_type", type=str, default="constant_with_warmup")
    parser.add_argument("--num_warmup_steps", type=int, default=5000)
    parser.add_argument("--mixed_precision", type=str, default=None)
    parser.add_argument("--max_grad_norm", default=None, type=float)
    parser.add_argument("--embed_no_wd", default=False, action="store_true")
    return parser.parse_args()


def start_train(train_dataloader, tokenizer, config):
    args = parse_args()
    accelerator = Accelerator(gradient_accumulation_steps=args.gradient_accumulation_steps, mixed_precision=args.mixed_precision)
    model = GPT(GPTConfig(**config))
    no_decay = []
    if args.embed_no_wd:
        for mn, m in model.named_modules():
            for pn, p in m.named_parameters():
                if pn.endswith("bias") or (pn.endswith("weight") and isinstance(m, (torch.nn.Embedding, torch.nn.LayerNorm))):
                    no_decay.append(f"{mn}.{pn}" if mn else pn)
    groups = [
        {"params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)], "weight_decay": args.weight_decay},
        {"params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=args.learning_rate)
    lr_scheduler = get_scheduler(name=args.lr_scheduler_type, optimizer=optimizer, num_warmup_steps=args.num_warmup_steps * accelerator.num_processes, num_training_steps=args.max_train_steps * accelerator.num_processes)
    model, tokenizer, optimizer, lr_scheduler = accelerator.prepare(model, tokenizer, optimizer, lr_scheduler)

    completed_steps = 0
    for epoch in range(args.num_train_epochs):
        model.train()
        for step, batch in enumerate(train_dataloader):
            pixel_values = batch.to(accelerator.device)
            optimizer.zero_grad()
            with torch.no_grad():
                tokens, labels = accelerator.unwrap_model(tokenizer).tokenize(pixel_values, 1, 64)
            with accelerator.accumulate(model):
                _, loss = model(tokens, labels)
                accelerator.backward(loss)
                if args.max_grad_norm is not None and accelerator.sync_gradients:
                    accelerator.clip_grad_norm_(model.parameters(), args.max_grad_norm)
                optimizer.step()
                lr_scheduler.step()
            if accelerator.sync_gradients:
                completed_steps += 1
            if completed_steps >= args.max_train_steps:
                break

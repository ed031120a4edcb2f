import argparse

import torch
from pytorch_transformers import optimization
from torch.utils.data import DataLoader

from datasets import Datasets
from model import BertForMLM
from optim import layerwise_decay_optimizer


def train(args, bert_config, collate_fn, device):
    model = BertForMLM(bert_config).to(device)
    tr_set = Datasets(file_path=args.train_data_path, max_len=args.max_len)
    tr_loader = DataLoader(tr_set, batch_size=args.train_batch_size, shuffle=True, drop_last=True, collate_fn=collate_fn)
    optimizer = layerwise_decay_optimizer(model=model, lr=args.learning_rate, layerwise_decay=args.layerwise_decay)
    t_total = len(tr_loader) // args.gradient_accumulation_steps * args.epochs
    warmup_steps = int(t_total * args.warmup_percent)
    scheduler = optimization.WarmupCosineWithHardRestartsSchedule(optimizer, warmup_steps=warmup_steps, t_total=t_total)
    if args.fp16:
        from apex import amp
        model, optimizer = amp.initialize(model, optimizer, opt_level=args.fp16_opt_level, verbosity=0)
    model.zero_grad()
    for epoch in range(args.epochs):
        for step, batch in enumerate(tr_loader):
            model.train()
            x_train, y_train, mask_train = map(lambda x: x.to(device), batch)
            output, loss = model(input_ids=x_train, attention_mask=mask_train, masked_lm_labels=y_train)
            grad_accu = args.gradient_accumulation_steps
            if grad_accu > 1:
                loss /= grad_accu
            if args.fp16:
                with amp.scale_loss(loss, optimizer) as scaled_loss:
                    scaled_loss.backward()
            else:
                loss.backward()
            if (step + 1) % grad_accu == 0:
                if args.fp16:
                    torch.nn.utils.clip_grad_norm_(amp.master_params(optimizer), args.grad_clip_norm)
                else:
                    torch.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip_norm)
                scheduler.step()
                optimizer.step()
                model.zero_grad()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--train_batch_size", default=64, type=int)
    parser.add_argument("--layerwise_decay", action="store_true")
    parser.add_argument("--learning_rate", default=1e-4, type=float)
    parser.add_argument("--epochs", default=50, type=int)
    parser.add_argument("--gradient_accumulation_steps", default=4, type=int)
    parser.add_argument("--warmup_percent", default=0.1, type=float)
    parser.add_argument("--grad_clip_norm", default=1.0, type=float)
    parser.add_argument("--fp16", action="store_true")
    parser.add_argument("--fp16_opt_level", type=str, default="O2")
    parser.add_argument("--max_len", default=128, type=int)
    parser.add_argument("--train_data_path", default="./data/korean_crawled_train_dev.csv", type=str)
    return parser.parse_args()

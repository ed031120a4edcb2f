import argparse

import numpy as np
import torch
from torch.nn.utils import clip_grad_norm_
from torch.optim import AdamW
from torch.utils.data import DataLoader, RandomSampler
from transformers import RobertaTokenizer, T5Config, T5ForConditionalGeneration, get_linear_schedule_with_warmup

from model import CodeT5


def train(args, model, train_dataset):
    loader = DataLoader(train_dataset, sampler=RandomSampler(train_dataset), batch_size=args.batch_size)
    no_decay = ["bias", "LayerNorm.weight"]
    grouped = [
        {"params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)],
         "weight_decay": args.weight_decay},
        {"params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)],
         "weight_decay": 0.0},
    ]
    optimizer = AdamW(grouped, lr=args.learning_rate, eps=args.adam_epsilon)
    max_steps = len(loader) * args.epochs
    scheduler = get_linear_schedule_with_warmup(optimizer, num_warmup_steps=max_steps * 0.1, num_training_steps=max_steps)
    model.zero_grad()
    for epoch in range(args.epochs):
        losses = []
        for step, (inputs, labels) in enumerate(loader):
            model.train()
            loss, _ = model(inputs.to(args.device), labels.to(args.device))
            if args.n_gpu > 1:
                loss = loss.mean()
            loss.backward()
            clip_grad_norm_(model.parameters(), args.max_grad_norm)
            losses.append(loss.item())
            optimizer.step()
            optimizer.zero_grad()
            scheduler.step()
        print(epoch, np.mean(losses))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model_path", type=str)
    parser.add_argument("--tokenizer_path", type=str)
    parser.add_argument("--batch_size", default=4, type=int)
    parser.add_argument("--learning_rate", default=5e-5, type=float)
    parser.add_argument("--weight_decay", default=0.0, type=float)
    parser.add_argument("--adam_epsilon", default=1e-8, type=float)
    parser.add_argument("--max_grad_norm", default=1.0, type=float)
    parser.add_argument("--epochs", type=int, default=30)
    args = parser.parse_args()
    args.device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    args.n_gpu = torch.cuda.device_count()
    config = T5Config.from_pretrained(args.model_path)
    tokenizer = RobertaTokenizer.from_pretrained(args.tokenizer_path)
    encoder = T5ForConditionalGeneration.from_pretrained(args.model_path, config=config)
    model = CodeT5(encoder, config, tokenizer, args).to(args.device)
    if args.n_gpu > 1:
        model = torch.nn.DataParallel(model)
    train(args, model, None)


if __name__ == "__main__":
    main()

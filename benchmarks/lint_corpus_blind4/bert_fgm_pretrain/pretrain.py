import argparse
from itertools import cycle

import torch
from torch.utils.data import DataLoader, RandomSampler
from transformers import AdamW, BertForMaskedLM

from utils import FGM, load_and_cache_examples


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model_name_or_path", type=str, required=True)
    parser.add_argument("--per_gpu_train_batch_size", default=8, type=int)
    parser.add_argument("--gradient_accumulation_steps", type=int, default=1)
    parser.add_argument("--learning_rate", default=1e-4, type=float)
    parser.add_argument("--weight_decay", default=0.0, type=float)
    parser.add_argument("--adam_epsilon", default=1e-8, type=float)
    parser.add_argument("--train_steps", default=-1, type=int)
    args = parser.parse_args()
    device = torch.device("cuda")
    args.n_gpu = torch.cuda.device_count()

    model = BertForMaskedLM.from_pretrained(args.model_name_or_path)
    fgm = FGM(model)
    model.to(device)
    if args.n_gpu > 1:
        model = torch.nn.DataParallel(model)
    args.train_batch_size = args.per_gpu_train_batch_size * max(1, args.n_gpu)
    train_dataset = load_and_cache_examples(args)
    train_dataloader = DataLoader(train_dataset, sampler=RandomSampler(train_dataset), batch_size=args.train_batch_size // args.gradient_accumulation_steps)

    param_optimizer = list(model.named_parameters())
    no_decay = ["bias", "LayerNorm.bias", "LayerNorm.weight"]
    groups = [
        {"params": [p for n, p in param_optimizer if not any(nd in n for nd in no_decay)], "weight_decay": args.weight_decay},
        {"params": [p for n, p in param_optimizer if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
    ]
    optimizer = AdamW(groups, lr=args.learning_rate, eps=args.adam_epsilon)

    model.train()
    nb_tr_steps = 0
    train_dataloader = cycle(train_dataloader)
    for step in range(args.train_steps):
        batch = tuple(t.to(device) for t in next(train_dataloader))
        input_ids, input_mask, segment_ids, output_ids = batch
        loss = model(input_ids=input_ids, token_type_ids=segment_ids, attention_mask=input_mask, labels=output_ids)[0]
        if args.n_gpu > 1:
            loss = loss.mean()
        if args.gradient_accumulation_steps > 1:
            loss = loss / args.gradient_accumulation_steps
        nb_tr_steps += 1
        loss.backward()
        fgm.attack()
        loss_adv = model(input_ids=input_ids, token_type_ids=segment_ids, attention_mask=input_mask, labels=output_ids)[0]
        if args.n_gpu > 1:
            loss_adv = loss_adv.mean()
        if args.gradient_accumulation_steps > 1:
            loss_adv = loss_adv / args.gradient_accumulation_steps
        loss_adv.backward()
        fgm.restore()
        if (nb_tr_steps + 1) % args.gradient_accumulation_steps == 0:
            optimizer.step()
            optimizer.zero_grad()


if __name__ == "__main__":
    main()

import argparse

import torch
import transformers
from torch.nn import CrossEntropyLoss
from torch.utils.data import DataLoader

from dataset import MyDataset

pad_id = 0


def setup_train_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", default=10, type=int, help="training epochs")
    parser.add_argument("--batch_size", default=8, type=int, help="training batch size")
    parser.add_argument("--lr", default=1.5e-4, type=float, help="learning rate")
    parser.add_argument("--warmup_steps", default=2000, type=int, help="warm-up steps")
    parser.add_argument("--log_step", default=1, type=int)
    parser.add_argument("--gradient_accumulation", default=1, type=int, help="gradient accumulation")
    parser.add_argument("--max_grad_norm", default=1.0, type=float)
    parser.add_argument("--num_workers", type=int, default=1)
    return parser.parse_args()


def calculate_loss_and_accuracy(outputs, labels, device):
    logits = outputs[0]
    shift_logits = logits[..., :-1, :].contiguous()
    shift_labels = labels[..., 1:].contiguous().to(device)
    loss_fct = CrossEntropyLoss(ignore_index=pad_id, reduction="sum")
    loss = loss_fct(shift_logits.view(-1, shift_logits.size(-1)), shift_labels.view(-1))
    _, preds = shift_logits.max(dim=-1)
    not_ignore = shift_labels.ne(pad_id)
    num_targets = not_ignore.long().sum().item()
    accuracy = ((shift_labels == preds) & not_ignore).float().sum() / num_targets
    return loss / num_targets, accuracy


def train(model, device, train_list, multi_gpu, args):
    train_dataset = MyDataset(train_list)
    train_dataloader = DataLoader(train_dataset, batch_size=args.batch_size, shuffle=True, num_workers=args.num_workers)
    model.train()
    # optimizer steps over all epochs
    total_steps = int(train_dataset.__len__() * args.epochs / args.batch_size / args.gradient_accumulation)

    optimizer = transformers.AdamW(model.parameters(), lr=args.lr, correct_bias=True)
    scheduler = transformers.WarmupLinearSchedule(optimizer, warmup_steps=args.warmup_steps, t_total=total_steps)

    running_loss = 0
    overall_step = 0
    oom_time = 0
    for epoch in range(args.epochs):
        for batch_idx, input_ids in enumerate(train_dataloader):
            input_ids = input_ids.to(device)
            try:
                outputs = model.forward(input_ids=input_ids)
                loss, accuracy = calculate_loss_and_accuracy(outputs, labels=input_ids, device=device)
                if multi_gpu:
                    loss = loss.mean()
                    accuracy = accuracy.mean()
                if args.gradient_accumulation > 1:
                    loss = loss / args.gradient_accumulation
                    accuracy = accuracy / args.gradient_accumulation
                loss.backward()
                # clip against exploding gradients
                torch.nn.utils.clip_grad_norm_(model.parameters(), args.max_grad_norm)
                # update after gradient_accumulation batches
                if (batch_idx + 1) % args.gradient_accumulation == 0:
                    running_loss += loss.item()
                    optimizer.step()
                    optimizer.zero_grad()
                    scheduler.step()
                    overall_step += 1
            except RuntimeError as exception:
                if "out of memory" in str(exception):
                    oom_time += 1
                    if hasattr(torch.cuda, "empty_cache"):
                        torch.cuda.empty_cache()
                else:
                    raise exception

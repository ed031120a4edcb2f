import argparse

import torch
import transformers
from torch.nn import DataParallel


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", default=5, type=int)
    parser.add_argument("--batch_size", default=8, type=int)
    parser.add_argument("--lr", default=1.5e-4, type=float)
    parser.add_argument("--warmup_steps", default=2000, type=int)
    parser.add_argument("--stride", default=768, type=int)
    parser.add_argument("--gradient_accumulation", default=1, type=int)
    parser.add_argument("--fp16", action="store_true")
    parser.add_argument("--fp16_opt_level", default="O1", type=str)
    parser.add_argument("--max_grad_norm", default=1.0, type=float)
    args = parser.parse_args()
    gradient_accumulation = args.gradient_accumulation
    fp16 = args.fp16
    max_grad_norm = args.max_grad_norm

    model = transformers.GPT2LMHeadModel(config=load_config())
    model.train()
    full_len = count_tokens()
    total_steps = int(full_len / args.stride * args.epochs / args.batch_size / gradient_accumulation)
    optimizer = transformers.AdamW(model.parameters(), lr=args.lr, correct_bias=True)
    scheduler = transformers.WarmupLinearSchedule(optimizer, warmup_steps=args.warmup_steps, t_total=total_steps)
    if fp16:
        from apex import amp

        model, optimizer = amp.initialize(model, optimizer, opt_level=args.fp16_opt_level)
    multi_gpu = torch.cuda.device_count() > 1
    if multi_gpu:
        model = DataParallel(model)
    for epoch in range(args.epochs):
        for step, batch_inputs in enumerate(batches(args.batch_size)):
            outputs = model.forward(input_ids=batch_inputs, labels=batch_inputs)
            loss, logits = outputs[:2]
            if multi_gpu:
                loss = loss.mean()
            if gradient_accumulation > 1:
                loss = loss / gradient_accumulation
            if fp16:
                with amp.scale_loss(loss, optimizer) as scaled_loss:
                    scaled_loss.backward()
                    torch.nn.utils.clip_grad_norm_(amp.master_params(optimizer), max_grad_norm)
            else:
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
            if (step + 1) % gradient_accumulation == 0:
                optimizer.step()
                optimizer.zero_grad()
                scheduler.step()


def load_config():
    raise NotImplementedError


def count_tokens():
    raise NotImplementedError


def batches(batch_size):
    raise NotImplementedError


if __name__ == "__main__":
    main()

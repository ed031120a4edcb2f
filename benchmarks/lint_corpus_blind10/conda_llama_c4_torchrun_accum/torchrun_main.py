import argparse
import os

import torch
import torch.distributed as dist
import transformers
from pretraining import training_utils
from pretraining.modeling_llama import LlamaForCausalLM
from transformers import AutoConfig


def parse_args(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("--model_config", type=str, required=True)
    parser.add_argument("--batch_size", type=int, required=True)
    parser.add_argument("--gradient_accumulation", type=int, default=None)
    parser.add_argument("--total_batch_size", type=int, default=None)
    parser.add_argument("--optimizer", default="Adam")
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--scheduler", type=str, default="cosine")
    parser.add_argument("--weight_decay", type=float, default=0.0)
    parser.add_argument("--warmup_steps", type=int, default=1_000)
    parser.add_argument("--num_training_steps", type=int, default=10_000)
    parser.add_argument("--grad_clipping", type=float, default=0.0)
    parser.add_argument("--betas", nargs="+", default=[0.9, 0.999], type=float)
    parser.add_argument("--single_gpu", default=False, action="store_true")
    return parser.parse_args(argv)


def main(args, dataloader, tokenizer):
    local_rank = int(os.environ["LOCAL_RANK"])
    world_size = int(os.environ["WORLD_SIZE"])
    dist.init_process_group(backend="nccl")
    device = f"cuda:{local_rank}"
    if args.total_batch_size is not None and args.gradient_accumulation is None:
        args.gradient_accumulation = args.total_batch_size // (args.batch_size * world_size)

    model = LlamaForCausalLM(AutoConfig.from_pretrained(args.model_config)).to(device)
    trainable_params = [p for p in model.parameters() if p.requires_grad]

    if args.optimizer.lower() == "adam":
        optimizer = torch.optim.Adam(trainable_params, lr=args.lr, weight_decay=args.weight_decay)
    elif args.optimizer.lower() == "adamw":
        optimizer = transformers.optimization.AdamW(trainable_params, lr=args.lr, betas=args.betas, weight_decay=args.weight_decay)
    elif args.optimizer.lower() == "sgd":
        optimizer = torch.optim.SGD(trainable_params, lr=args.lr, weight_decay=args.weight_decay)
    else:
        raise ValueError(args.optimizer)

    scheduler = training_utils.get_scheculer(
        optimizer=optimizer,
        scheduler_type=args.scheduler,
        num_training_steps=args.num_training_steps,
        warmup_steps=args.warmup_steps,
    )

    if not args.single_gpu:
        model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[local_rank], output_device=local_rank)

    pad_idx = tokenizer.pad_token_id
    global_step = 0
    update_step = 0
    for batch_idx, batch in enumerate(dataloader):
        global_step += 1
        if update_step > args.num_training_steps:
            break
        batch = {k: v.to(device) for k, v in batch.items()}
        labels = batch["input_ids"].clone()
        labels[labels == pad_idx] = -100
        loss = model(**batch, labels=labels).loss

        scaled_loss = loss / args.gradient_accumulation
        scaled_loss.backward()

        if global_step % args.gradient_accumulation != 0:
            continue

        if args.grad_clipping != 0.0:
            torch.nn.utils.clip_grad_norm_(trainable_params, args.grad_clipping)

        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        update_step += 1


if __name__ == "__main__":
    main(parse_args(None), None, None)

"""Paraphrase of mftcoder_accelerate/src/pefts/mft_accelerate.py (codefuse-ai/MFTCoder): setup for code-LLM MFT."""
import math

import torch
from accelerate import Accelerator, DistributedType
from peft import LoraConfig, TaskType, get_peft_model
from torch.utils.data import DataLoader
from transformers import AutoModelForCausalLM, get_scheduler

from mft_trainer import MftTrainer


def main(args, train_dataset, collate_fn):
    accelerator = Accelerator(gradient_accumulation_steps=args.gradient_accumulation_steps)
    target_modules = args.target_modules if args.target_modules else "all-linear"
    if args.peft_type:
        peft_config = LoraConfig(task_type=TaskType.CAUSAL_LM, inference_mode=False, r=args.lora_rank,
                                 lora_alpha=args.lora_alpha, lora_dropout=args.lora_dropout,
                                 target_modules=target_modules, bias="lora_only")
    model = AutoModelForCausalLM.from_pretrained(args.pretrained_model_path, torch_dtype=torch.bfloat16)
    if args.peft_type:
        model = get_peft_model(model, peft_config)

    train_dataloader = DataLoader(train_dataset, shuffle=True, collate_fn=collate_fn,
                                  batch_size=args.per_device_train_batch_size, drop_last=True)

    if accelerator.distributed_type == DistributedType.DEEPSPEED:
        adam_optimizer = torch.optim.AdamW
    elif accelerator.distributed_type == DistributedType.FSDP:
        model = accelerator.prepare(model)
        adam_optimizer = torch.optim.AdamW
    else:
        raise ValueError("Only support DeepSpeed and FSDP")

    optimizer = adam_optimizer(model.parameters(), weight_decay=args.weight_decay, lr=args.learning_rate,
                               betas=(0.9, 0.999))

    num_update_steps_per_epoch = math.ceil(len(train_dataloader) / args.gradient_accumulation_steps)
    if args.max_train_steps is None:
        args.max_train_steps = args.num_train_epochs * num_update_steps_per_epoch
    lr_scheduler = get_scheduler(
        name=args.lr_scheduler_type,
        optimizer=optimizer,
        num_warmup_steps=args.num_warmup_steps * args.gradient_accumulation_steps * accelerator.num_processes,
        num_training_steps=args.max_train_steps * args.gradient_accumulation_steps,
    )
    if accelerator.distributed_type == DistributedType.DEEPSPEED:
        model, train_dataloader, optimizer, lr_scheduler = accelerator.prepare(
            model, train_dataloader, optimizer, lr_scheduler
        )
    else:
        optimizer, train_dataloader, lr_scheduler = accelerator.prepare(optimizer, train_dataloader, lr_scheduler)

    trainer = MftTrainer(accelerator, model, train_dataloader, optimizer, lr_scheduler, args)
    trainer.accelerate_train()

"""Paraphrase of open_instruct/finetune.py (allenai/open-instruct): Tulu SFT with accelerate."""
import math
from dataclasses import dataclass, field

import torch
from accelerate import Accelerator
from torch.utils.data import DataLoader
from transformers import AutoModelForCausalLM, get_scheduler


@dataclass
class FlatArguments:
    model_name_or_path: str = None
    clip_grad_norm: float = field(default=-1)
    gradient_accumulation_steps: int = field(default=1)
    learning_rate: float = field(default=2e-5)
    lr_scheduler_type: str = field(default="linear")
    num_train_epochs: int = field(default=2)
    per_device_train_batch_size: int = field(default=8)
    warmup_ratio: float = field(default=0.03)
    weight_decay: float = field(default=0.0)
    reduce_loss: str = field(default="mean")
    max_train_steps: int = field(default=None)
    fused_optimizer: bool = field(default=True)


def main(args: FlatArguments, train_dataset, collate_fn):
    accelerator = Accelerator(gradient_accumulation_steps=args.gradient_accumulation_steps)
    model = AutoModelForCausalLM.from_pretrained(args.model_name_or_path, torch_dtype=torch.bfloat16)
    embedding_size = model.get_input_embeddings().weight.shape[0]
    train_dataloader = DataLoader(train_dataset, shuffle=True, collate_fn=collate_fn,
                                  batch_size=args.per_device_train_batch_size)

    no_decay = ["bias", "layer_norm.weight"]
    optimizer_grouped_parameters = [
        {"params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)],
         "weight_decay": args.weight_decay},
        {"params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(optimizer_grouped_parameters, lr=args.learning_rate, fused=args.fused_optimizer)

    overrode_max_train_steps = False
    num_update_steps_per_epoch = math.ceil(len(train_dataloader) / args.gradient_accumulation_steps)
    if args.max_train_steps is None:
        args.max_train_steps = args.num_train_epochs * num_update_steps_per_epoch
        overrode_max_train_steps = True
    num_training_steps_for_scheduler = (
        args.max_train_steps if overrode_max_train_steps else args.max_train_steps * accelerator.num_processes
    )
    lr_scheduler = get_scheduler(
        name=args.lr_scheduler_type,
        optimizer=optimizer,
        num_training_steps=num_training_steps_for_scheduler,
        num_warmup_steps=int(num_training_steps_for_scheduler * args.warmup_ratio),
    )
    model, optimizer, train_dataloader, lr_scheduler = accelerator.prepare(
        model, optimizer, train_dataloader, lr_scheduler
    )

    for epoch in range(args.num_train_epochs):
        model.train()
        for step, batch in enumerate(train_dataloader):
            with accelerator.accumulate(model):
                outputs = model(**batch, use_cache=False)
                if args.reduce_loss == "mean":
                    loss = outputs.loss
                else:
                    shift_logits = outputs.logits[..., :-1, :].contiguous().view(-1, embedding_size)
                    shift_labels = batch["labels"][..., 1:].contiguous().view(-1)
                    loss = torch.nn.CrossEntropyLoss(reduction="sum")(shift_logits, shift_labels)
                accelerator.backward(loss)
                if accelerator.sync_gradients and args.clip_grad_norm > 0:
                    accelerator.clip_grad_norm_(model.parameters(), args.clip_grad_norm)
                optimizer.step()
                optimizer.zero_grad()
                lr_scheduler.step()

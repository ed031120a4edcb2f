from dataclasses import dataclass, field
from typing import Optional

import torch
import transformers
from peft import LoraConfig, get_peft_model
from torch.amp.autocast_mode import autocast

from train.utils import build_dataloader, build_optimizer_scheduler, prepare_inputs


@dataclass
class TrainingArguments(transformers.TrainingArguments):
    optim: str = field(default="adamw_torch")
    lora_r: int = 64
    lora_alpha: int = 16
    mm_projector_lr: Optional[float] = None
    bf16: bool = True
    num_train_epochs: int = 1
    per_device_train_batch_size: int = 1
    gradient_accumulation_steps: int = 128
    learning_rate: float = 1e-5
    weight_decay: float = 0.0
    warmup_ratio: float = 0.03
    lr_scheduler_type: str = "cosine"


def train(model, train_loader, training_args):
    model.train()
    optimizer, lr_scheduler = build_optimizer_scheduler(training_args, model)
    for epoch in range(training_args.num_train_epochs):
        for step, batch in enumerate(train_loader):
            step += 1 + epoch * len(train_loader)
            with autocast("cuda", enabled=training_args.bf16, dtype=torch.bfloat16):
                batch = prepare_inputs(batch, model)
                loss = model(**batch, return_dict=True)["loss"]
            loss.backward()
            if step % training_args.gradient_accumulation_steps == 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1)
                optimizer.step()
                optimizer.zero_grad()
            lr_scheduler.step()


if __name__ == "__main__":
    parser = transformers.HfArgumentParser((TrainingArguments,))
    (training_args,) = parser.parse_args_into_dataclasses()
    from llava.llm.llava_llama import LlavaLlamaForCausalLM

    model = LlavaLlamaForCausalLM.from_pretrained("/dev/shm/llava-v1.5-7b", torch_dtype=torch.bfloat16)
    model = get_peft_model(model, LoraConfig(r=training_args.lora_r, lora_alpha=training_args.lora_alpha, bias="none"))
    for p in model.get_model().mm_projector.parameters():
        p.requires_grad = True
    model = model.cuda()
    train_loader, _ = build_dataloader(training_args)
    training_args.num_training_steps = training_args.num_train_epochs * len(train_loader)
    train(model, train_loader, training_args)

import inspect
from dataclasses import dataclass
from functools import partial

import myutils
import torch
import torch.optim as optim
from accelerate import Accelerator, DeepSpeedPlugin
from myutils.data import inst_dataset_collate_fn, load_OpenHermes_dataset
from peft import LoraConfig, TaskType, get_peft_model
from torch.utils.data import DataLoader
from transformers import AutoTokenizer, Gemma3ForCausalLM


@dataclass
class TrainConfig:
    init_lr: float = 1e-5
    min_lr: float = 1e-6
    weight_decay: float = 0.0
    warmup_steps: int = 200
    max_steps: int = 200_000
    device_type: str = "cuda" if torch.cuda.is_available() else "cpu"
    dtype: str = "bf16"
    grad_accum: int = 8
    grad_clip: float = 0.0


class Trainer:
    def __init__(self, config):
        self.config = config

    def get_lr_scheduler(self, optimizer):
        lrf = self.config.min_lr / self.config.init_lr
        cosine = optim.lr_scheduler.LambdaLR(optimizer, partial(myutils.lr_onecycle, n_steps=self.config.max_steps - self.config.warmup_steps, lrf=lrf))
        warmup = optim.lr_scheduler.LinearLR(optimizer, start_factor=0.01, end_factor=1.0, total_iters=self.config.warmup_steps)
        return optim.lr_scheduler.SequentialLR(optimizer, schedulers=[warmup, cosine], milestones=[self.config.warmup_steps])

    def get_optimizer(self, model, lr, weight_decay, device_type):
        fused = device_type == "cuda" and "fused" in inspect.signature(optim.AdamW).parameters
        return optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay, fused=fused)

    def train(self, model, dataloader):
        global_steps = 0
        plugin = DeepSpeedPlugin(zero_stage=1, gradient_clipping=None)
        accelerator = Accelerator(mixed_precision=self.config.dtype, gradient_accumulation_steps=self.config.grad_accum, deepspeed_plugin=plugin, step_scheduler_with_optimizer=False)
        optimizer = self.get_optimizer(model, self.config.init_lr, self.config.weight_decay, self.config.device_type)
        optimizer.zero_grad(set_to_none=True)
        lr_schd = self.get_lr_scheduler(optimizer)
        model, dataloader, optimizer, lr_schd = accelerator.prepare(model, dataloader, optimizer, lr_schd)
        while global_steps < self.config.max_steps:
            for sample in dataloader:
                with accelerator.accumulate(model):
                    outputs = model(sample["input_ids"], labels=sample["labels"])
                    loss = outputs.loss
                    accelerator.backward(loss)
                    if self.config.grad_clip != 0.0 and accelerator.sync_gradients:
                        accelerator.clip_grad_norm_(model.parameters(), self.config.grad_clip)
                    optimizer.step()
                    optimizer.zero_grad(set_to_none=True)
                    if accelerator.sync_gradients:
                        lr_schd.step()
                        global_steps += 1
                        if global_steps > self.config.max_steps:
                            break


def main(args):
    world = torch.cuda.device_count()
    model = Gemma3ForCausalLM.from_pretrained(args.pretrained, cache_dir=args.cache_dir)
    if args.lora_r > 0:
        lora_config = LoraConfig(r=args.lora_r, lora_alpha=args.lora_alpha, target_modules=["q_proj", "k_proj", "v_proj", "o_proj"], lora_dropout=0.05, bias="none", task_type=TaskType.CAUSAL_LM)
        model = get_peft_model(model, lora_config)
    tokenizer = AutoTokenizer.from_pretrained("google/gemma-3-1b-pt", cache_dir=args.cache_dir)
    dataset = load_OpenHermes_dataset(tokenizer, args.cache_dir)
    dataloader = DataLoader(dataset, batch_size=args.batch_size, collate_fn=partial(inst_dataset_collate_fn, pad_token_id=tokenizer.pad_token_id), shuffle=True)
    config = TrainConfig(init_lr=args.init_lr, min_lr=args.min_lr, weight_decay=args.weight_decay, warmup_steps=args.warmup_steps, max_steps=args.max_steps, grad_accum=args.grad_accum // world, grad_clip=args.grad_clip)
    Trainer(config).train(model, dataloader)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--max_steps", type=int, default=200_000)
    parser.add_argument("--batch_size", type=int, default=2)
    parser.add_argument("--grad_accum", type=int, default=8)
    parser.add_argument("--init_lr", type=float, default=1e-5)
    parser.add_argument("--min_lr", type=float, default=1e-6)
    parser.add_argument("--lora_r", type=int, default=0)
    parser.add_argument("--lora_alpha", type=int, default=16)
    parser.add_argument("--warmup_steps", type=int, default=200)
    parser.add_argument("--weight_decay", type=float, default=0.0)
    parser.add_argument("--grad_clip", type=float, default=0.0)
    parser.add_argument("--pretrained", type=str, default=None)
    parser.add_argument("--cache_dir", type=str, default=None)
    main(parser.parse_args())

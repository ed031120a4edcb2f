"""Instruction-tuning with LoRA on Alpaca (Fabric, one GPU)."""
import os
import time

import lightning as L
import torch

from lit_llama.lora import lora, lora_state_dict, mark_only_lora_as_trainable
from lit_llama.model import LLaMA, LLaMAConfig

eval_interval = 100
save_interval = 100
eval_iters = 100
log_interval = 1

# Hyperparameters
learning_rate = 3e-4
batch_size = 128
micro_batch_size = 4
gradient_accumulation_iters = batch_size // micro_batch_size
assert gradient_accumulation_iters > 0
max_iters = 50000 * 3 // micro_batch_size
weight_decay = 0.0
max_seq_length = 256
lora_r = 8
lora_alpha = 16
lora_dropout = 0.05
warmup_iters = 100


def main(data_dir="data/alpaca", pretrained_path="checkpoints/lit-llama/7B/lit-llama.pth", out_dir="out/lora/alpaca"):
    fabric = L.Fabric(accelerator="cuda", devices=1, precision="bf16-true")
    fabric.launch()
    train_data, val_data = load_datasets(data_dir)

    config = LLaMAConfig.from_name("7B")
    config.block_size = max_seq_length
    checkpoint = torch.load(pretrained_path)
    with fabric.init_module(), lora(r=lora_r, alpha=lora_alpha, dropout=lora_dropout, enabled=True):
        model = LLaMA(config)
        model.load_state_dict(checkpoint, strict=False)

    # only the LoRA A/B matrices keep requires_grad
    mark_only_lora_as_trainable(model)

    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate)
    model, optimizer = fabric.setup(model, optimizer)
    train(fabric, model, optimizer, train_data, val_data, out_dir)
    fabric.save(os.path.join(out_dir, "lit-llama-lora-finetuned.pth"), lora_state_dict(model))


def train(fabric, model, optimizer, train_data, val_data, out_dir):
    step_count = 0
    for iter_num in range(max_iters):
        if step_count <= warmup_iters:
            lr = learning_rate * step_count / warmup_iters
            for param_group in optimizer.param_groups:
                param_group["lr"] = lr

        t0 = time.time()
        input_ids, targets = get_batch(fabric, train_data)
        logits = model(input_ids)
        loss = loss_fn(logits, targets)
        fabric.backward(loss)

        if (iter_num + 1) % gradient_accumulation_iters == 0:
            optimizer.step()
            optimizer.zero_grad()
            step_count += 1
            if step_count % save_interval == 0:
                fabric.save(os.path.join(out_dir, f"iter-{iter_num:06d}-ckpt.pth"), lora_state_dict(model))

        if iter_num % log_interval == 0:
            fabric.print(f"iter {iter_num}: loss {loss.item():.4f}, time: {(time.time() - t0) * 1000:.2f}ms")


def loss_fn(logits, targets):
    logits = logits[..., :-1, :].contiguous()
    targets = targets[..., 1:].contiguous()
    return torch.nn.functional.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)


def get_batch(fabric, data):
    ix = torch.randint(len(data), (micro_batch_size,))
    input_ids = [data[i]["input_ids"].type(torch.int64) for i in ix]
    labels = [data[i]["labels"].type(torch.int64) for i in ix]
    max_len = max(len(s) for s in input_ids)
    x = torch.stack([torch.nn.functional.pad(s, (0, max_len - len(s)), value=0) for s in input_ids])
    y = torch.stack([torch.nn.functional.pad(s, (0, max_len - len(s)), value=-1) for s in labels])
    return fabric.to_device((x, y))


def load_datasets(data_dir):
    return torch.load(os.path.join(data_dir, "train.pt")), torch.load(os.path.join(data_dir, "test.pt"))

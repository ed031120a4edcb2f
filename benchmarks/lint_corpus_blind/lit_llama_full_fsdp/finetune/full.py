"""Full fine-tuning on Alpaca with FSDP over 4 GPUs (Fabric)."""
import os
import time
from functools import partial

import lightning as L
import torch
from lightning.fabric.strategies import FSDPStrategy
from torch.distributed.fsdp.wrap import transformer_auto_wrap_policy

from lit_llama.model import Block, LLaMA, LLaMAConfig
from lit_llama.utils import save_model_checkpoint

eval_interval = 1000
save_interval = 1000
eval_iters = 100
log_interval = 100
devices = 4

# Hyperparameters
learning_rate = 3e-5
batch_size = 128 / devices
micro_batch_size = 4
gradient_accumulation_iters = batch_size // micro_batch_size
assert gradient_accumulation_iters > 0
epoch_size = 50000
num_epochs = 5
max_iters = num_epochs * (epoch_size // micro_batch_size) // devices
weight_decay = 0.0
block_size = 512
warmup_iters = 100


def main(data_dir="data/alpaca", pretrained_path="checkpoints/lit-llama/7B/lit-llama.pth", out_dir="out/full/alpaca"):
    auto_wrap_policy = partial(transformer_auto_wrap_policy, transformer_layer_cls={Block})
    strategy = FSDPStrategy(auto_wrap_policy=auto_wrap_policy, activation_checkpointing=Block)
    fabric = L.Fabric(accelerator="cuda", devices=devices, precision="bf16-mixed", strategy=strategy)
    fabric.launch()
    train_data, val_data = load_datasets(data_dir)

    config = LLaMAConfig.from_name("7B")
    config.block_size = block_size
    checkpoint = torch.load(pretrained_path)
    with fabric.device:
        model = LLaMA(config).bfloat16()
        model.load_state_dict(checkpoint, strict=False)
    model = fabric.setup_module(model)

    # every parameter is trainable here: RMSNorm scales and the token embedding included
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate)
    optimizer = fabric.setup_optimizers(optimizer)
    train(fabric, model, optimizer, train_data, val_data, out_dir)
    save_model_checkpoint(fabric, model, os.path.join(out_dir, "lit-llama-full-finetuned.pth"))


def train(fabric, model, optimizer, train_data, val_data, out_dir):
    step_count = 0
    model.train()
    for iter_num in range(max_iters):
        is_accumulating = (iter_num + 1) % gradient_accumulation_iters != 0

        if step_count <= warmup_iters:
            lr = learning_rate * step_count / warmup_iters
            for param_group in optimizer.param_groups:
                param_group["lr"] = lr

        t0 = time.time()
        with fabric.no_backward_sync(model, enabled=is_accumulating):
            input_ids, targets = get_batch(fabric, train_data)
            logits = model(input_ids)
            loss = loss_fn(logits, targets)
            fabric.backward(loss)

        if not is_accumulating:
            optimizer.step()
            optimizer.zero_grad()
            step_count += 1
            if step_count % save_interval == 0:
                save_model_checkpoint(fabric, model, os.path.join(out_dir, f"iter-{iter_num:06d}-ckpt.pth"))

        if iter_num % log_interval == 0:
            fabric.print(f"iter {iter_num}: loss {loss.item():.4f}, time: {(time.time() - t0) * 1000:.2f}ms")


def loss_fn(logits, targets):
    logits = logits[..., :-1, :].contiguous()
    targets = targets[..., 1:].contiguous()
    return torch.nn.functional.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)


def get_batch(fabric, data):
    ix = torch.randint(len(data), (micro_batch_size,))
    x = torch.stack([data[i]["input_ids"].type(torch.int64) for i in ix])
    y = torch.stack([data[i]["labels"].type(torch.int64) for i in ix])
    return fabric.to_device((x, y))


def load_datasets(data_dir):
    return torch.load(os.path.join(data_dir, "train.pt")), torch.load(os.path.join(data_dir, "test.pt"))

"""LLaMA-Adapter instruction tuning on Alpaca. One GPU by default; `devices = 8` switches to DeepSpeed ZeRO-2."""
import os
import time

import lightning as L
import torch
from lightning.fabric.strategies import DeepSpeedStrategy

from lit_llama.adapter import LLaMA, LLaMAConfig, adapter_state_from_state_dict, mark_only_adapter_as_trainable

eval_interval = 600
save_interval = 1000
eval_iters = 100
log_interval = 1
devices = 1

# Hyperparameters
learning_rate = 9e-3
batch_size = 64 / devices
micro_batch_size = 4
gradient_accumulation_iters = batch_size // micro_batch_size
assert gradient_accumulation_iters > 0
epoch_size = 50000
num_epochs = 5
max_iters = num_epochs * (epoch_size // micro_batch_size) // devices
weight_decay = 0.02
max_seq_length = 256
warmup_iters = 2 * (epoch_size // micro_batch_size) // devices

ds_config = {
    "train_micro_batch_size_per_gpu": micro_batch_size,
    "gradient_accumulation_steps": gradient_accumulation_iters,
    "zero_optimization": {"stage": 2},
}


def main(data_dir="data/alpaca", pretrained_path="checkpoints/lit-llama/7B/lit-llama.pth", out_dir="out/adapter/alpaca"):
    fabric = L.Fabric(
        accelerator="cuda",
        devices=devices,
        strategy=(DeepSpeedStrategy(config=ds_config) if devices > 1 else "auto"),
        precision="bf16-true",
    )
    fabric.launch()
    train_data, val_data = load_datasets(data_dir)

    config = LLaMAConfig(block_size=max_seq_length)
    checkpoint = torch.load(pretrained_path)
    with fabric.init_module():
        model = LLaMA(config)
        model.load_state_dict(checkpoint, strict=False)
    mark_only_adapter_as_trainable(model)

    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=weight_decay)
    model, optimizer = fabric.setup(model, optimizer)
    train(fabric, model, optimizer, train_data, val_data, out_dir)


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
        with fabric.no_backward_sync(model, enabled=((iter_num + 1) % gradient_accumulation_iters != 0)):
            fabric.backward(loss / gradient_accumulation_iters)

        if (iter_num + 1) % gradient_accumulation_iters == 0:
            optimizer.step()
            optimizer.zero_grad()
            step_count += 1
            if step_count % save_interval == 0:
                state = adapter_state_from_state_dict(model.state_dict())
                torch.save(state, os.path.join(out_dir, f"iter-{iter_num:06d}.pth"))

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

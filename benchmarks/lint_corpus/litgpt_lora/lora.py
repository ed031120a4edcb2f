import lightning as L
import torch
from lightning.fabric.plugins import BitsandbytesPrecision

from lit_gpt.lora import GPT, Config, mark_only_lora_as_trainable
from lit_gpt.utils import chunked_cross_entropy

learning_rate = 3e-4
batch_size = 128
micro_batch_size = 4
gradient_accumulation_iters = batch_size // micro_batch_size
max_iters = 50000
weight_decay = 0.01
warmup_steps = 100


def main(fabric: L.Fabric, checkpoint_dir):
    config = Config.from_name(name=checkpoint_dir.name, r=8, alpha=16, dropout=0.05)
    with fabric.init_module():
        model = GPT(config)
    mark_only_lora_as_trainable(model)
    model = fabric.setup_module(model)
    trainable_params = [p for p in model.parameters() if p.requires_grad]
    if isinstance(fabric.strategy.precision, BitsandbytesPrecision):
        import bitsandbytes as bnb

        optimizer = bnb.optim.PagedAdamW(trainable_params, lr=learning_rate, weight_decay=weight_decay)
    else:
        optimizer = torch.optim.AdamW(trainable_params, lr=learning_rate, weight_decay=weight_decay)
    optimizer = fabric.setup_optimizers(optimizer)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max_iters // batch_size)
    train(fabric, model, optimizer, scheduler)


def train(fabric, model, optimizer, scheduler):
    step_count = 0
    for iter_num in range(1, max_iters + 1):
        if step_count <= warmup_steps:
            lr = learning_rate * step_count / warmup_steps
            for param_group in optimizer.param_groups:
                param_group["lr"] = lr
        input_ids, targets = get_batch(fabric)
        is_accumulating = iter_num % gradient_accumulation_iters != 0
        with fabric.no_backward_sync(model, enabled=is_accumulating):
            logits = model(input_ids)
            loss = chunked_cross_entropy(logits, targets[..., 1:])
            fabric.backward(loss / gradient_accumulation_iters)
        if not is_accumulating:
            optimizer.step()
            optimizer.zero_grad()
            if step_count > warmup_steps:
                scheduler.step()
            step_count += 1


def get_batch(fabric):
    raise NotImplementedError

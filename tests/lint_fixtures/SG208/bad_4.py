# nanoGPT-style loop without the sync flag: DDP all-reduces on every micro-step.
import torch
from torch.nn.parallel import DistributedDataParallel as DDP


def train(model, get_batch, optimizer, ddp, local_rank, gradient_accumulation_steps, ctx):
    scaler = torch.cuda.amp.GradScaler()
    model = DDP(model, device_ids=[local_rank]) if ddp else model
    X, Y = get_batch("train")
    while True:
        for micro_step in range(gradient_accumulation_steps):
            with ctx:
                logits, loss = model(X, Y)
                loss = loss / gradient_accumulation_steps
            X, Y = get_batch("train")
            scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        scaler.step(optimizer)
        scaler.update()
        optimizer.zero_grad(set_to_none=True)

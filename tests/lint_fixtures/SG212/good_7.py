# nanoGPT's order: the flag is set under `if ddp:` before the forward, which reads it.
import torch
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP


def train(raw_model, loader, optimizer, ddp, local_rank, grad_accum_steps=4, max_steps=100):
    model = DDP(raw_model, device_ids=[local_rank]) if ddp else raw_model
    for step in range(max_steps):
        optimizer.zero_grad()
        for micro_step in range(grad_accum_steps):
            x, y = loader.next_batch()
            if ddp:
                model.require_backward_grad_sync = micro_step == grad_accum_steps - 1
            with torch.autocast(device_type="cuda", dtype=torch.bfloat16):
                logits = model(x)
                loss = F.cross_entropy(logits.view(-1, logits.size(-1)), y.view(-1))
            loss = loss / grad_accum_steps
            loss.backward()
        optimizer.step()

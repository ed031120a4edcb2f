# bf16 mixed precision has no loss scale: torch's clip after accelerator.backward sees the real
# gradients.
import torch
from accelerate import Accelerator

accelerator = Accelerator(mixed_precision="bf16")
model = torch.nn.Linear(64, 8)
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.0)
model, optimizer = accelerator.prepare(model, optimizer)


def train_step(batch, max_grad_norm=1.0):
    loss = torch.nn.functional.mse_loss(model(batch["x"]), batch["y"])
    accelerator.backward(loss)
    torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
    optimizer.step()
    optimizer.zero_grad()

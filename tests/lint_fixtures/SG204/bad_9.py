# Accelerate training loop in fp16: accelerator.backward scales the loss, and the script clips
# with torch's clip_grad_norm_, which sees the scaled gradients (the prepared optimizer unscales
# them only inside its step()).
import torch
from accelerate import Accelerator

accelerator = Accelerator(mixed_precision="fp16")
model = torch.nn.Linear(64, 8)
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.0)
model, optimizer = accelerator.prepare(model, optimizer)


def train_step(batch, max_grad_norm=1.0):
    loss = torch.nn.functional.mse_loss(model(batch["x"]), batch["y"])
    accelerator.backward(loss)
    torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
    optimizer.step()
    optimizer.zero_grad()

# Lightning Fabric in bf16 mixed precision: no GradScaler, no skipped step, so the warmup schedule
# may step right after the optimizer.
import torch
from lightning import Fabric


def train(model, loader, steps):
    fabric = Fabric(accelerator="cuda", precision="bf16-mixed")
    fabric.launch()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-4)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min(1.0, s / 1000))
    model, optimizer = fabric.setup(model, optimizer)
    loader = fabric.setup_dataloaders(loader)
    for batch in loader:
        loss = model(batch)
        fabric.backward(loss)
        fabric.clip_gradients(model, optimizer, max_norm=1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()

# accelerate with a prepared scheduler (skipped on non-sync steps), and a per-epoch plateau scheduler.
import torch
from accelerate import Accelerator


def main(model, loader, val_loss_fn, epochs):
    accelerator = Accelerator(gradient_accumulation_steps=4)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.0)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10)
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer)
    model, optimizer, loader, scheduler = accelerator.prepare(model, optimizer, loader, scheduler)
    for epoch in range(epochs):
        for step, batch in enumerate(loader):
            with accelerator.accumulate(model):
                loss = model(**batch).loss
                accelerator.backward(loss)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()
            if step % 100 == 0:
                accelerator.print(f"lr={scheduler.get_last_lr()[0]:.2e}")
        plateau.step(val_loss_fn(model))

# An inner accumulation loop whose loss comes straight from the model's forward (models return a
# mean loss): summed over GRAD_ACCUM micro-batches, never divided.
import torch

GRAD_ACCUM = 4


def train(model, loader, steps):
    optim = torch.optim.AdamW(model.parameters(), lr=1e-4)
    for _ in range(steps):
        model.train()
        for __ in range(GRAD_ACCUM):
            loss = model(next(loader), return_loss=True)
            loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        optim.step()
        optim.zero_grad()

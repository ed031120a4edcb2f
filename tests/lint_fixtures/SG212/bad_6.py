# accelerate's `accelerator.no_sync(model)` entered after the forward, around the backward only.
import torch.nn.functional as F
from accelerate import Accelerator


def train(model, optimizer, loader, accum_steps=8):
    accelerator = Accelerator()
    model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
    for step, (x, y) in enumerate(loader):
        loss = F.cross_entropy(model(x), y) / accum_steps
        if (step + 1) % accum_steps != 0:
            with accelerator.no_sync(model):
                accelerator.backward(loss)
        else:
            accelerator.backward(loss)
            optimizer.step()
            optimizer.zero_grad()

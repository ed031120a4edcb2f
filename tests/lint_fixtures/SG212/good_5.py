# Lightning Fabric and accelerate: the forward, the loss and the backward all under the no-sync
# context of the accumulating micro-batches.
import lightning as L
import torch.nn.functional as F
from accelerate import Accelerator


def train_fabric(fabric: L.Fabric, model, optimizer, loader, accum_iters=4):
    for step, (x, y) in enumerate(loader):
        is_accumulating = (step + 1) % accum_iters != 0
        with fabric.no_backward_sync(model, enabled=is_accumulating):
            loss = F.cross_entropy(model(x), y)
            fabric.backward(loss / accum_iters)
        if not is_accumulating:
            optimizer.step()
            optimizer.zero_grad()


def train_accelerate(model, optimizer, loader, accum_steps=8):
    accelerator = Accelerator()
    model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
    for step, (x, y) in enumerate(loader):
        if (step + 1) % accum_steps != 0:
            with accelerator.no_sync(model):
                loss = F.cross_entropy(model(x), y) / accum_steps
                accelerator.backward(loss)
        else:
            loss = F.cross_entropy(model(x), y) / accum_steps
            accelerator.backward(loss)
            optimizer.step()
            optimizer.zero_grad()

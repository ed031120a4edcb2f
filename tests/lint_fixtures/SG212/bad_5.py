# Lightning Fabric: the forward and the loss run first, then
# `fabric.no_backward_sync(model, enabled=...)` is entered around the backward alone. Under a DDP
# strategy the forward already prepared the all-reduce, so accumulating steps still sync.
import lightning as L
import torch.nn.functional as F

gradient_accumulation_iters = 4


def train(fabric: L.Fabric, model, optimizer, loader):
    for iter_num, (x, y) in enumerate(loader):
        logits = model(x)
        loss = F.cross_entropy(logits, y)
        with fabric.no_backward_sync(model, enabled=(iter_num + 1) % gradient_accumulation_iters != 0):
            fabric.backward(loss / gradient_accumulation_iters)
        if (iter_num + 1) % gradient_accumulation_iters == 0:
            optimizer.step()
            optimizer.zero_grad()


def main(model, optimizer, loader):
    fabric = L.Fabric(devices=4, strategy="ddp")
    fabric.launch()
    model, optimizer = fabric.setup(model, optimizer)
    train(fabric, model, optimizer, loader)

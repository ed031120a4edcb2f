# The same Fabric shape on one device by default: with a single process there is no all-reduce to
# skip, so the finding is latent until `devices` is raised.
import lightning as L
import torch.nn.functional as F

devices = 1
accum_iters = 4


def main(model, optimizer, loader):
    fabric = L.Fabric(devices=devices, precision="bf16-mixed")
    model, optimizer = fabric.setup(model, optimizer)
    for step, (x, y) in enumerate(loader):
        loss = F.cross_entropy(model(x), y)
        with fabric.no_backward_sync(model, enabled=(step + 1) % accum_iters != 0):
            fabric.backward(loss / accum_iters)
        if (step + 1) % accum_iters == 0:
            optimizer.step()
            optimizer.zero_grad()

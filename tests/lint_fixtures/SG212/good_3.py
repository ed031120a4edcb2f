# The sync flag set before the forward.
import torch.nn.functional as F


def train(ddp_model, loader, optimizer, accum=4):
    for i, (x, y) in enumerate(loader):
        ddp_model.require_backward_grad_sync = (i + 1) % accum == 0
        out = ddp_model(x)
        loss = F.cross_entropy(out, y) / accum
        loss.backward()
        if (i + 1) % accum == 0:
            optimizer.step()
            optimizer.zero_grad()

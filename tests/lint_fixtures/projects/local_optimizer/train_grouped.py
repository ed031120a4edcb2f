# The same optimizer over a split that keeps the 1-D parameters out of decay: silent.
import torch
from common.optimizers import Novograd


def main(model, loader):
    decay = [p for p in model.parameters() if p.ndim >= 2]
    rest = [p for p in model.parameters() if p.ndim < 2]
    groups = [{"params": decay, "weight_decay": 1e-3}, {"params": rest, "weight_decay": 0.0}]
    optimizer = Novograd(groups, lr=1e-2)
    for x, y in loader:
        loss = torch.nn.functional.ctc_loss(model(x), y, None, None)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

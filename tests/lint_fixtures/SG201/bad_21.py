# The batches of a window are kept and replayed afterwards, one forward and backward each: every
# replayed loss is that micro-batch's own mean (nothing cached joins it), never divided by k.
import torch.nn.functional as F


def train_epoch(model, loader, optimizer, accum_freq):
    kept = []
    for i, (x, y) in enumerate(loader):
        kept.append((x, y))
        if (i + 1) % accum_freq != 0:
            continue
        optimizer.zero_grad()
        for j in range(accum_freq):
            x_j, y_j = kept[j]
            loss = F.cross_entropy(model(x_j), y_j)
            loss.backward()
        optimizer.step()
        kept = []

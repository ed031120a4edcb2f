# ZeroRedundancyOptimizer shards an Adam whose decay is coupled.
import torch
from torch.distributed.optim import ZeroRedundancyOptimizer


def build(model, wd=0.05):
    return ZeroRedundancyOptimizer(
        model.parameters(), optimizer_class=torch.optim.Adam, lr=1e-4, weight_decay=wd
    )

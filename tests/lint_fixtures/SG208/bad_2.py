# Fully qualified DDP, tqdm(enumerate(...)) and `i % k == k - 1`.
import torch
import torch.nn.functional as F
from tqdm import tqdm


def main(local_rank, model, loader, accum=4):
    model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[local_rank])
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    for i, (x, y) in tqdm(enumerate(loader)):
        loss = F.cross_entropy(model(x), y) / accum
        loss.backward()
        if i % accum == accum - 1:
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)

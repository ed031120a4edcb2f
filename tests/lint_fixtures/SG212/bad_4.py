# modded-nanoGPT's shape: the micro-step loop runs 1..micro_steps, no_sync wraps only the backward
# of all but the last, and each optimizer of a list is stepped after the loop.
import os

import torch
from torch.nn.parallel import DistributedDataParallel as DDP

batch_size = 8 * 64
device_batch_size = 64
world = int(os.environ["WORLD_SIZE"])
micro_steps = batch_size // (device_batch_size * world)


def train(model, loader, head_opt, body_opt, iterations):
    net = DDP(model, device_ids=[int(os.environ["LOCAL_RANK"])])
    opts = [head_opt, body_opt]
    x, y = loader.next_batch()
    for step in range(iterations):
        for i in range(1, micro_steps + 1):
            _, loss = net(x, y)
            x, y = loader.next_batch()
            if i < micro_steps:
                with net.no_sync():
                    loss.backward()
            else:
                loss.backward()
        for p in net.parameters():
            p.grad /= micro_steps
        for opt in opts:
            opt.step()
        net.zero_grad(set_to_none=True)

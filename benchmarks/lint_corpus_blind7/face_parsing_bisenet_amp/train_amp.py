import torch
import torch.distributed as dist
import torch.nn as nn
from torch.amp import GradScaler, autocast

from optimizer import Optimizer


def train(dl, sampler, LossP, Loss2, Loss3):
    dist.init_process_group(backend="nccl", init_method="tcp://127.0.0.1:29500",
                            world_size=torch.cuda.device_count(), rank=0)
    net = BiSeNet(n_classes=19)
    net.cuda()
    net.train()
    net = nn.parallel.DistributedDataParallel(net, device_ids=[0], output_device=0)
    optim = Optimizer(model=net.module, lr0=1e-2, momentum=0.9, wd=5e-4, warmup_steps=1000,
                      warmup_start_lr=1e-5, max_iter=100000, power=0.9)
    scaler = GradScaler("cuda")
    diter = iter(dl)
    for it in range(100000):
        im, lb = next(diter)
        im, lb = im.cuda(), torch.squeeze(lb.cuda(), 1)
        optim.zero_grad()
        with autocast(device_type="cuda", dtype=torch.float16):
            out, out16, out32 = net(im)
            loss = LossP(out, lb) + Loss2(out16, lb) + Loss3(out32, lb)
        scaler.scale(loss).backward()
        scaler.step(optim)
        scaler.update()

import copy

import torch

import dnnlib
from torch_utils import distributed as dist
from torch_utils import misc


def training_loop(
    dataset_kwargs={},
    data_loader_kwargs={},
    network_kwargs={},
    loss_kwargs={},
    optimizer_kwargs={},
    batch_size=512,
    batch_gpu=None,
    total_kimg=200000,
    lr_rampup_kimg=10000,
    loss_scaling=1,
    device=torch.device("cuda"),
):
    batch_gpu_total = batch_size // dist.get_world_size()
    if batch_gpu is None or batch_gpu > batch_gpu_total:
        batch_gpu = batch_gpu_total
    num_accumulation_rounds = batch_gpu_total // batch_gpu

    dataset_obj = dnnlib.util.construct_class_by_name(**dataset_kwargs)
    sampler = misc.InfiniteSampler(dataset=dataset_obj, rank=dist.get_rank(), num_replicas=dist.get_world_size())
    dataset_iterator = iter(torch.utils.data.DataLoader(dataset=dataset_obj, sampler=sampler, batch_size=batch_gpu, **data_loader_kwargs))

    net = dnnlib.util.construct_class_by_name(**network_kwargs)
    net.train().requires_grad_(True).to(device)
    loss_fn = dnnlib.util.construct_class_by_name(**loss_kwargs)
    optimizer = dnnlib.util.construct_class_by_name(params=net.parameters(), **optimizer_kwargs)
    ddp = torch.nn.parallel.DistributedDataParallel(net, device_ids=[device])
    ema = copy.deepcopy(net).eval().requires_grad_(False)

    cur_nimg = 0
    while True:
        optimizer.zero_grad(set_to_none=True)
        for round_idx in range(num_accumulation_rounds):
            with misc.ddp_sync(ddp, (round_idx == num_accumulation_rounds - 1)):
                images, labels = next(dataset_iterator)
                images = images.to(device).to(torch.float32) / 127.5 - 1
                loss = loss_fn(net=ddp, images=images, labels=labels.to(device))
                loss.sum().mul(loss_scaling / batch_gpu_total).backward()

        for g in optimizer.param_groups:
            g["lr"] = optimizer_kwargs["lr"] * min(cur_nimg / max(lr_rampup_kimg * 1000, 1e-8), 1)
        for param in net.parameters():
            if param.grad is not None:
                torch.nan_to_num(param.grad, nan=0, posinf=1e5, neginf=-1e5, out=param.grad)
        optimizer.step()

        for p_ema, p_net in zip(ema.parameters(), net.parameters()):
            p_ema.copy_(p_net.detach().lerp(p_ema, 0.999))

        cur_nimg += batch_size
        if cur_nimg >= total_kimg * 1000:
            break

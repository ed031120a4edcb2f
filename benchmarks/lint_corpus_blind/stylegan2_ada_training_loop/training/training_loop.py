import copy

import numpy as np
import torch

import dnnlib
from torch_utils import misc


def training_loop(
    G, D, training_set_iterator, G_opt_kwargs, D_opt_kwargs, loss_kwargs,
    rank=0, num_gpus=1, batch_size=4, batch_gpu=4, G_reg_interval=4, D_reg_interval=16, total_kimg=25000,
):
    device = torch.device("cuda", rank)

    # DDP-wrap the sub-networks on several GPUs
    ddp_modules = dict()
    for name, module in [("G_mapping", G.mapping), ("G_synthesis", G.synthesis), ("D", D)]:
        if num_gpus > 1 and len(list(module.parameters())) != 0:
            module.requires_grad_(True)
            module = torch.nn.parallel.DistributedDataParallel(module, device_ids=[device], broadcast_buffers=False)
            module.requires_grad_(False)
        ddp_modules[name] = module

    loss = dnnlib.util.construct_class_by_name(device=device, **ddp_modules, **loss_kwargs)
    phases = []
    for name, module, opt_kwargs, reg_interval in [("G", G, G_opt_kwargs, G_reg_interval), ("D", D, D_opt_kwargs, D_reg_interval)]:
        # lazy regularization: main phase every batch, reg phase every reg_interval batches
        mb_ratio = reg_interval / (reg_interval + 1)
        opt_kwargs = dnnlib.EasyDict(opt_kwargs)
        opt_kwargs.lr = opt_kwargs.lr * mb_ratio
        opt_kwargs.betas = [beta ** mb_ratio for beta in opt_kwargs.betas]
        opt = dnnlib.util.construct_class_by_name(module.parameters(), **opt_kwargs)
        phases += [dnnlib.EasyDict(name=name + "main", module=module, opt=opt, interval=1)]
        phases += [dnnlib.EasyDict(name=name + "reg", module=module, opt=opt, interval=reg_interval)]

    cur_nimg = 0
    batch_idx = 0
    while True:
        phase_real_img, phase_real_c = next(training_set_iterator)
        phase_real_img = (phase_real_img.to(device).to(torch.float32) / 127.5 - 1).split(batch_gpu)
        phase_real_c = phase_real_c.to(device).split(batch_gpu)
        all_gen_z = torch.randn([len(phases) * batch_size, G.z_dim], device=device)
        all_gen_z = [phase_gen_z.split(batch_gpu) for phase_gen_z in all_gen_z.split(batch_size)]
        all_gen_c = [phase_real_c for _ in phases]

        for phase, phase_gen_z, phase_gen_c in zip(phases, all_gen_z, all_gen_c):
            if batch_idx % phase.interval != 0:
                continue

            # initialize gradient accumulation
            phase.opt.zero_grad(set_to_none=True)
            phase.module.requires_grad_(True)

            # accumulate gradients over the rounds of batch_gpu images each
            for round_idx, (real_img, real_c, gen_z, gen_c) in enumerate(zip(phase_real_img, phase_real_c, phase_gen_z, phase_gen_c)):
                sync = round_idx == batch_size // (batch_gpu * num_gpus) - 1
                gain = phase.interval
                loss.accumulate_gradients(phase=phase.name, real_img=real_img, real_c=real_c, gen_z=gen_z, gen_c=gen_c, sync=sync, gain=gain)

            # update weights
            phase.module.requires_grad_(False)
            for param in phase.module.parameters():
                if param.grad is not None:
                    misc.nan_to_num(param.grad, nan=0, posinf=1e5, neginf=-1e5, out=param.grad)
            phase.opt.step()

        cur_nimg += batch_size
        batch_idx += 1
        if cur_nimg >= total_kimg * 1000:
            break

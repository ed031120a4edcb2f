"""A schedule sized with a "total" batch size that already multiplies the accumulation steps in:
counted in optimizer steps, but stepped on every micro-batch."""

import torch
import torch.distributed as dist


def train(cfg, model, loader):
    opt = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=0.9)
    cfg.total_batch_size = cfg.batch_size * dist.get_world_size() * cfg.accum
    cfg.total_step = cfg.num_samples // cfg.total_batch_size * cfg.num_epoch
    sched = torch.optim.lr_scheduler.PolynomialLR(opt, total_iters=cfg.total_step)
    step = 0
    for _ in range(cfg.num_epoch):
        for x, y in loader:
            step += 1
            loss = torch.nn.functional.cross_entropy(model(x), y) / cfg.accum
            loss.backward()
            if step % cfg.accum == 0:
                opt.step()
                opt.zero_grad()
            sched.step()

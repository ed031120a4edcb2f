# The YOLO-style window: step when the iterations since the last step reach `accumulate`; DDP
# when launched on several ranks.
import torch
from torch.nn.parallel import DistributedDataParallel as DDP


def train(model, loader, optimizer, compute_loss, opt):
    accumulate = max(round(opt.nominal_batch / opt.batch_size), 1)
    if opt.local_rank != -1:
        model = DDP(model, device_ids=[opt.local_rank])
    scaler = torch.cuda.amp.GradScaler(enabled=opt.amp)
    last_opt_step = -1
    nb = len(loader)
    for epoch in range(opt.epochs):
        for i, (imgs, targets) in enumerate(loader):
            ni = i + nb * epoch
            with torch.cuda.amp.autocast(enabled=opt.amp):
                loss, items = compute_loss(model(imgs), targets)
            scaler.scale(loss).backward()
            if ni - last_opt_step >= accumulate:
                scaler.step(optimizer)
                scaler.update()
                optimizer.zero_grad()
                last_opt_step = ni

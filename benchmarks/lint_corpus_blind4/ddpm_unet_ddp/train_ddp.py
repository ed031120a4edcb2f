import argparse

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from timm.scheduler import CosineLRScheduler
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.optim import AdamW

from ddpm import DDPM
from unet import UNet


def get_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n_epochs", type=int, required=True)
    parser.add_argument("--batch_size", type=int, required=True)
    parser.add_argument("--lr", type=float, required=True)
    parser.add_argument("--n_warmup_steps", type=int, required=True)
    parser.add_argument("--img_size", type=int, required=True)
    parser.add_argument("--port", type=int, default=12345)
    return parser.parse_args()


class Trainer:
    def __init__(self, train_dl, device):
        self.train_dl = train_dl
        self.device = device

    def train_for_one_epoch(self, epoch, model, optim, scaler):
        for step_idx, ori_image in enumerate(self.train_dl):
            ori_image = ori_image.to(self.device)
            loss = model.module.get_loss(ori_image)
            optim.zero_grad()
            if scaler is not None:
                scaler.scale(loss).backward()
                scaler.step(optim)
                scaler.update()
            else:
                loss.backward()
                optim.step()
            self.scheduler.step((epoch - 1) * len(self.train_dl) + step_idx)

    def train(self, n_epochs, model, optim, scaler, n_warmup_steps):
        model = torch.compile(model)
        self.scheduler = CosineLRScheduler(
            optimizer=optim,
            t_initial=n_epochs * len(self.train_dl),
            warmup_t=n_warmup_steps,
            warmup_lr_init=optim.param_groups[0]["lr"] * 0.1,
            warmup_prefix=True,
            t_in_epochs=False,
        )
        for epoch in range(1, n_epochs + 1):
            self.train_for_one_epoch(epoch=epoch, model=model, optim=optim, scaler=scaler)


def main_worker(rank, world_size, args, train_dl):
    dist.init_process_group(backend="nccl", init_method=f"tcp://localhost:{args.port}", rank=rank, world_size=world_size)
    device = torch.device(f"cuda:{rank}")
    model = DDPM(model=UNet(), img_size=args.img_size, device=device)
    model = DDP(model, device_ids=[rank])
    optim = AdamW(model.parameters(), lr=args.lr)
    scaler = torch.cuda.amp.GradScaler()
    Trainer(train_dl, device).train(n_epochs=args.n_epochs, model=model, optim=optim, scaler=scaler, n_warmup_steps=args.n_warmup_steps)
    dist.destroy_process_group()


if __name__ == "__main__":
    args = get_args()
    mp.spawn(main_worker, args=(torch.cuda.device_count(), args, []), nprocs=torch.cuda.device_count(), join=True)

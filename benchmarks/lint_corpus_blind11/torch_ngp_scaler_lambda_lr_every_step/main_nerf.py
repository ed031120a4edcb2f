import argparse

import numpy as np
import torch
import torch.optim as optim

from nerf.network import NeRFNetwork
from nerf.provider import NeRFDataset
from nerf.utils import Trainer

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("path", type=str)
    parser.add_argument("-O", action="store_true", help="equals --fp16 --cuda_ray --preload")
    parser.add_argument("--workspace", type=str, default="workspace")
    parser.add_argument("--iters", type=int, default=30000)
    parser.add_argument("--lr", type=float, default=1e-2)
    parser.add_argument("--cuda_ray", action="store_true")
    parser.add_argument("--fp16", action="store_true", help="use amp mixed precision training")
    parser.add_argument("--preload", action="store_true")
    parser.add_argument("--bound", type=float, default=2)
    opt = parser.parse_args()
    if opt.O:
        opt.fp16 = True
        opt.cuda_ray = True
        opt.preload = True

    model = NeRFNetwork(encoding="hashgrid", bound=opt.bound, cuda_ray=opt.cuda_ray)
    criterion = torch.nn.MSELoss(reduction="none")
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    optimizer = lambda model: torch.optim.Adam(model.get_params(opt.lr), betas=(0.9, 0.99), eps=1e-15)  # noqa: E731
    train_loader = NeRFDataset(opt, device=device, type="train").dataloader()
    # decay to 0.1 * init_lr at the last iteration
    scheduler = lambda optimizer: optim.lr_scheduler.LambdaLR(optimizer, lambda it: 0.1 ** min(it / opt.iters, 1))  # noqa: E731

    trainer = Trainer("ngp", opt, model, device=device, workspace=opt.workspace, optimizer=optimizer, criterion=criterion, ema_decay=0.95, fp16=opt.fp16, lr_scheduler=scheduler, scheduler_update_every_step=True)
    valid_loader = NeRFDataset(opt, device=device, type="val").dataloader()
    max_epoch = np.ceil(opt.iters / len(train_loader)).astype(np.int32)
    trainer.train(train_loader, valid_loader, max_epoch)

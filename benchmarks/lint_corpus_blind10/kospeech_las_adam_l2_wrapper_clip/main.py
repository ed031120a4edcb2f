import argparse

import torch
from torch import optim

from asr.optim_wrapper import StepWrapper
from asr.trainer import Seq2SeqTrainer, TinyListenAttendSpell
from asr.lr_scheduler import RampUpLR


def add_train_opts(parser):
    g = parser.add_argument_group("General")
    g.add_argument("--batch_size", type=int, default=32)
    g.add_argument("--num_epochs", type=int, default=20)
    g.add_argument("--init_lr", type=float, default=3e-4)
    g.add_argument("--high_plateau_lr", type=float, default=3e-04)
    g.add_argument("--max_grad_norm", type=int, default=400)
    g.add_argument("--weight_decay", type=float, default=1e-05)
    g.add_argument("--reduction", type=str, default="sum")
    g.add_argument("--rampup_period", type=int, default=1000)


def train(opt, criterion, device):
    model = torch.nn.DataParallel(TinyListenAttendSpell()).to(device)

    optimizer = optim.Adam(model.module.parameters(), lr=opt.init_lr, weight_decay=opt.weight_decay)
    if opt.rampup_period > 0:
        scheduler = RampUpLR(optimizer, opt.init_lr, opt.high_plateau_lr, opt.rampup_period)
        optimizer = StepWrapper(optimizer, scheduler, opt.rampup_period, opt.max_grad_norm)
    else:
        optimizer = StepWrapper(optimizer, None, 0, opt.max_grad_norm)

    trainer = Seq2SeqTrainer(optimizer=optimizer, criterion=criterion, device=device)
    for epoch in range(opt.num_epochs):
        if epoch == 1:
            optimizer.set_lr(1e-04)
        trainer.train_epoch(model, queue=None, teacher_forcing_ratio=0.99, num_workers=4)
    return model


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="asr")
    add_train_opts(parser)
    train(parser.parse_args(), criterion=None, device="cuda")

"""Paraphrase of run_main.py (KimMeen/Time-LLM): LLM-reprogrammed forecasting, trained with accelerate + DeepSpeed."""
import argparse

import torch
import torch.nn as nn
from accelerate import Accelerator, DeepSpeedPlugin
from accelerate import DistributedDataParallelKwargs
from torch import optim
from torch.optim import lr_scheduler

from models import TimeLLM
from utils.tools import adjust_learning_rate

parser = argparse.ArgumentParser(description="Time-LLM")
parser.add_argument("--train_epochs", type=int, default=10)
parser.add_argument("--learning_rate", type=float, default=0.0001)
parser.add_argument("--lradj", type=str, default="type1")
parser.add_argument("--pct_start", type=float, default=0.2)
parser.add_argument("--use_amp", action="store_true", default=False)
args = parser.parse_args()

ddp_kwargs = DistributedDataParallelKwargs(find_unused_parameters=True)
deepspeed_plugin = DeepSpeedPlugin(hf_ds_config="./ds_config_zero2.json")
accelerator = Accelerator(kwargs_handlers=[ddp_kwargs], deepspeed_plugin=deepspeed_plugin)


def run(train_loader):
    model = TimeLLM.Model(args).float()
    train_steps = len(train_loader)
    trained_parameters = [p for p in model.parameters() if p.requires_grad]
    model_optim = optim.Adam(trained_parameters, lr=args.learning_rate)

    if args.lradj == "COS":
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(model_optim, T_max=20, eta_min=1e-8)
    else:
        scheduler = lr_scheduler.OneCycleLR(optimizer=model_optim, steps_per_epoch=train_steps,
                                            pct_start=args.pct_start, epochs=args.train_epochs,
                                            max_lr=args.learning_rate)
    criterion = nn.MSELoss()
    train_loader, model, model_optim, scheduler = accelerator.prepare(train_loader, model, model_optim, scheduler)

    if args.use_amp:
        scaler = torch.cuda.amp.GradScaler()

    for epoch in range(args.train_epochs):
        model.train()
        for i, (batch_x, batch_y) in enumerate(train_loader):
            model_optim.zero_grad()
            if args.use_amp:
                with torch.cuda.amp.autocast():
                    loss = criterion(model(batch_x), batch_y)
            else:
                loss = criterion(model(batch_x), batch_y)

            if args.use_amp:
                scaler.scale(loss).backward()
                scaler.step(model_optim)
                scaler.update()
            else:
                accelerator.backward(loss)
                model_optim.step()

            if args.lradj == "TST":
                adjust_learning_rate(accelerator, model_optim, scheduler, epoch + 1, args, printout=False)
                scheduler.step()

        if args.lradj != "TST":
            if args.lradj == "COS":
                scheduler.step()
            else:
                adjust_learning_rate(accelerator, model_optim, scheduler, epoch + 1, args, printout=True)

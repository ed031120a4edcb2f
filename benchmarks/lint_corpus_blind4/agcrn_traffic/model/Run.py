import argparse
import configparser

import torch

from model.AGCRN import AGCRN as Network
from model.BasicTrainer import Trainer

config = configparser.ConfigParser()
config.read("./PEMSD4_AGCRN.conf")

args = argparse.ArgumentParser()
args.add_argument("--device", default="cuda:0", type=str)
args.add_argument("--epochs", default=config["train"]["epochs"], type=int)
args.add_argument("--lr_init", default=config["train"]["lr_init"], type=float)
args.add_argument("--lr_decay", default=config["train"]["lr_decay"], type=eval)
args.add_argument("--lr_decay_rate", default=config["train"]["lr_decay_rate"], type=float)
args.add_argument("--lr_decay_step", default=config["train"]["lr_decay_step"], type=str)
args.add_argument("--grad_norm", default=config["train"]["grad_norm"], type=eval)
args.add_argument("--max_grad_norm", default=config["train"]["max_grad_norm"], type=int)
args = args.parse_args()

model = Network(args).to(args.device)
loss = torch.nn.L1Loss().to(args.device)
optimizer = torch.optim.Adam(params=model.parameters(), lr=args.lr_init, eps=1.0e-8, weight_decay=0, amsgrad=False)
lr_scheduler = None
if args.lr_decay:
    lr_decay_steps = [int(i) for i in list(args.lr_decay_step.split(","))]
    lr_scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer=optimizer, milestones=lr_decay_steps, gamma=args.lr_decay_rate)
trainer = Trainer(model, loss, optimizer, None, None, args, lr_scheduler=lr_scheduler)
trainer.train()

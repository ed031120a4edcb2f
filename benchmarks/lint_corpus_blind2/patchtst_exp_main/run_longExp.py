import argparse
import random

import numpy as np
import torch

from exp.exp_main import Exp_Main

parser = argparse.ArgumentParser(description="Transformer family for Time Series Forecasting")
parser.add_argument("--random_seed", type=int, default=2021)
parser.add_argument("--model", type=str, default="PatchTST")
parser.add_argument("--data", type=str, default="ETTm1")
parser.add_argument("--seq_len", type=int, default=96)
parser.add_argument("--label_len", type=int, default=48)
parser.add_argument("--pred_len", type=int, default=96)
parser.add_argument("--features", type=str, default="M")
parser.add_argument("--output_attention", action="store_true")
parser.add_argument("--train_epochs", type=int, default=100)
parser.add_argument("--batch_size", type=int, default=128)
parser.add_argument("--patience", type=int, default=100)
parser.add_argument("--learning_rate", type=float, default=0.0001)
parser.add_argument("--lradj", type=str, default="type3", help="adjust learning rate")
parser.add_argument("--pct_start", type=float, default=0.3)
parser.add_argument("--use_amp", action="store_true", help="use automatic mixed precision training", default=False)
parser.add_argument("--itr", type=int, default=2)
args = parser.parse_args()

random.seed(args.random_seed)
torch.manual_seed(args.random_seed)
np.random.seed(args.random_seed)

for ii in range(args.itr):
    exp = Exp_Main(args)
    exp.train(f"{args.model}_{args.data}_{ii}")

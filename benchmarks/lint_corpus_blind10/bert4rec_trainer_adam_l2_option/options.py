import argparse

from templates import set_template

parser = argparse.ArgumentParser(description="RecPlay")
parser.add_argument("--template", type=str, default=None)
parser.add_argument("--train_batch_size", type=int, default=64)
parser.add_argument("--device", type=str, default="cpu", choices=["cpu", "cuda"])
parser.add_argument("--num_gpu", type=int, default=1)
parser.add_argument("--optimizer", type=str, default="Adam", choices=["SGD", "Adam"])
parser.add_argument("--lr", type=float, default=0.001)
parser.add_argument("--weight_decay", type=float, default=0, help="l2 regularization")
parser.add_argument("--momentum", type=float, default=None)
parser.add_argument("--decay_step", type=int, default=15)
parser.add_argument("--gamma", type=float, default=0.1)
parser.add_argument("--num_epochs", type=int, default=100)
parser.add_argument("--model_code", type=str, default="bert")
args = parser.parse_args()
set_template(args)

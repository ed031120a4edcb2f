# Entry point: argparse defaults, a YAML config, the optimizer from optim.py and the loop in
# runner.py.
import argparse

import torch
import yaml
from torch.nn.parallel import DistributedDataParallel as DDP

from optim import create_optimizer
from runner import Runner


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--config", default="configs/base.yaml")
    p.add_argument("--lr", type=float, default=3e-4)
    p.add_argument("--weight_decay", type=float, default=0.0)
    p.add_argument("--gradient_accumulation_steps", type=int, default=1)
    p.add_argument("--amp", action="store_true")
    p.add_argument("--epochs", type=int, default=10)
    return p.parse_args()


def main():
    args = parse_args()
    with open(args.config) as handle:
        for key, value in yaml.safe_load(handle)["optim"].items():
            setattr(args, key, value)
    model = build_model()
    model = DDP(model, device_ids=[torch.cuda.current_device()])
    optimizer = create_optimizer(args, model)
    Runner(model, optimizer, args).fit(load_data())


def build_model():
    raise NotImplementedError


def load_data():
    raise NotImplementedError


if __name__ == "__main__":
    main()

"""Builds the AMP trainer only when --amp is passed, and registers the LR-scheduler hook."""

import argparse

from engine.hooks import LRScheduler
from engine.train_loop import AMPTrainer

parser = argparse.ArgumentParser()
parser.add_argument("--amp", action="store_true")
parser.add_argument("--max-iter", type=int, default=1000)
args = parser.parse_args()


def main(model, loader, optimizer, scheduler):
    if args.amp:
        trainer = AMPTrainer(model, loader, optimizer)
        trainer.register_hooks([LRScheduler(scheduler)])
        trainer.train(0, args.max_iter)

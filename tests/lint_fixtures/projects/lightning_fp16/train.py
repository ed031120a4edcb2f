"""Entry point: the YAML config sets the Trainer's precision."""

import argparse

import lightning.pytorch as pl
import yaml

from module import Captioner


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default="configs/train.yaml")
    args = parser.parse_args()
    with open(args.config) as f:
        config = yaml.safe_load(f)
    trainer = pl.Trainer(max_steps=config["max_steps"], precision=config["precision"])
    trainer.fit(Captioner(None, config["lr"], config["warmup"]))


if __name__ == "__main__":
    main()

"""Train a diffusion model on images."""
import argparse

from improved_diffusion import dist_util, logger
from improved_diffusion.image_datasets import load_data
from improved_diffusion.script_util import create_model_and_diffusion
from train_util import TrainLoop


def main():
    args = create_argparser().parse_args()
    dist_util.setup_dist()
    logger.configure()
    model, diffusion = create_model_and_diffusion(args)
    model.to(dist_util.dev())
    data = load_data(data_dir=args.data_dir, batch_size=args.batch_size, image_size=args.image_size)
    TrainLoop(
        model=model,
        diffusion=diffusion,
        data=data,
        batch_size=args.batch_size,
        microbatch=args.microbatch,
        lr=args.lr,
        use_fp16=args.use_fp16,
        weight_decay=args.weight_decay,
        lr_anneal_steps=args.lr_anneal_steps,
    ).run_loop()


def create_argparser():
    defaults = dict(
        data_dir="",
        image_size=64,
        lr=1e-4,
        weight_decay=0.0,
        lr_anneal_steps=0,
        batch_size=1,
        microbatch=-1,  # -1 disables microbatches
        use_fp16=False,
    )
    parser = argparse.ArgumentParser()
    for key, value in defaults.items():
        parser.add_argument(f"--{key}", default=value, type=type(value))
    return parser


if __name__ == "__main__":
    main()

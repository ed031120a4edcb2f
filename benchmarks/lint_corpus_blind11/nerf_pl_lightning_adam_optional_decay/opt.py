import argparse


def get_opts():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root_dir", type=str, default="./data/nerf_synthetic/lego")
    parser.add_argument("--dataset_name", type=str, default="blender", choices=["blender", "llff"])
    parser.add_argument("--N_samples", type=int, default=64)
    parser.add_argument("--N_importance", type=int, default=128)
    parser.add_argument("--batch_size", type=int, default=1024)
    parser.add_argument("--chunk", type=int, default=32 * 1024)
    parser.add_argument("--num_epochs", type=int, default=16)
    parser.add_argument("--num_gpus", type=int, default=1)
    parser.add_argument("--optimizer", type=str, default="adam", choices=["sgd", "adam", "radam", "ranger"])
    parser.add_argument("--lr", type=float, default=5e-4)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--weight_decay", type=float, default=0)
    parser.add_argument("--lr_scheduler", type=str, default="steplr", choices=["steplr", "cosine", "poly"])
    parser.add_argument("--decay_step", nargs="+", type=int, default=[20])
    parser.add_argument("--decay_gamma", type=float, default=0.1)
    return parser.parse_args()

"""Paraphrase of onpolicy/config.py (marlbenchmark/on-policy): the optimizer and PPO arguments."""
import argparse


def get_config():
    parser = argparse.ArgumentParser(description="onpolicy", formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lr", type=float, default=5e-4)
    parser.add_argument("--critic_lr", type=float, default=5e-4)
    parser.add_argument("--opti_eps", type=float, default=1e-5)
    parser.add_argument("--weight_decay", type=float, default=0)
    parser.add_argument("--ppo_epoch", type=int, default=15)
    parser.add_argument("--num_mini_batch", type=int, default=1)
    parser.add_argument("--use_max_grad_norm", action="store_false", default=True)
    parser.add_argument("--max_grad_norm", type=float, default=10.0)
    parser.add_argument("--use_feature_normalization", action="store_false", default=True)
    parser.add_argument("--hidden_size", type=int, default=64)
    parser.add_argument("--layer_N", type=int, default=1)
    return parser

import argparse


def parse_args_train(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("--optimizer", type=str, default="adam")
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--weight_decay", type=float, default=0)
    parser.add_argument("--clip_grad_norm", type=float, default=5.0)
    parser.add_argument("--accum_grad_n_steps", type=int, default=1,
                        help="total number of steps to accumulate gradients")
    return parser.parse_args(argv)

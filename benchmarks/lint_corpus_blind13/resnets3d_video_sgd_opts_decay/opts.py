import argparse


def parse_opts():
    parser = argparse.ArgumentParser()
    parser.add_argument("--learning_rate", default=0.1, type=float)
    parser.add_argument("--momentum", default=0.9, type=float)
    parser.add_argument("--dampening", default=0.0, type=float)
    parser.add_argument("--weight_decay", default=1e-3, type=float)
    parser.add_argument("--nesterov", action="store_true")
    parser.add_argument("--lr_scheduler", default="multistep", type=str)
    parser.add_argument("--multistep_milestones", default=[50, 100, 150], type=int, nargs="+")
    parser.add_argument("--plateau_patience", default=10, type=int)
    parser.add_argument("--n_epochs", default=200, type=int)
    parser.add_argument("--model", default="resnet", type=str)
    parser.add_argument("--model_depth", default=18, type=int)
    parser.add_argument("--no_cuda", action="store_true")
    return parser.parse_args()

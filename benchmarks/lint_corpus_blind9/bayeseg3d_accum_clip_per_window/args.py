from argparse import ArgumentParser


def add_experiment_args(parser: ArgumentParser) -> None:
    parser.add_argument("--lr", default=3e-4, type=float)
    parser.add_argument("--weight_decay", default=1e-4, type=float)
    parser.add_argument("--batch_size", default=1, type=int)
    parser.add_argument("--epochs", default=500, type=int)
    parser.add_argument("--model", default="BayeSeg3d", required=False)


def add_management_args(parser: ArgumentParser) -> None:
    parser.add_argument("--device", default="cuda", type=str)
    parser.add_argument("--start_epoch", default=0, type=int)


def add_bayes_args(parser: ArgumentParser) -> None:
    parser.add_argument("--mu_0", default=0, type=float)
    parser.add_argument("--sigma_0", default=1, type=float)

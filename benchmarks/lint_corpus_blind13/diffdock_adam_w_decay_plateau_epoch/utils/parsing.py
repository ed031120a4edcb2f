from argparse import ArgumentParser, FileType


def parse_train_args():
    parser = ArgumentParser()
    parser.add_argument("--config", type=FileType(mode="r"), default=None)
    parser.add_argument("--n_epochs", type=int, default=400)
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--scheduler", type=str, default=None)
    parser.add_argument("--scheduler_patience", type=int, default=20)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--w_decay", type=float, default=0.0)
    parser.add_argument("--ema_rate", type=float, default=0.999)
    parser.add_argument("--val_inference_freq", type=int, default=5)
    parser.add_argument("--inference_earlystop_goal", type=str, default="max")
    parser.add_argument("--tr_weight", type=float, default=0.33)
    parser.add_argument("--rot_weight", type=float, default=0.33)
    parser.add_argument("--no_batch_norm", action="store_true", default=False)
    return parser.parse_args()

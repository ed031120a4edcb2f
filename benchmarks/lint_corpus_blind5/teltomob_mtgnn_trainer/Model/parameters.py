import argparse

parser = argparse.ArgumentParser()
parser.add_argument("--device", type=str, default="cuda")
parser.add_argument("--dropout", type=float, default=0.3)
parser.add_argument("--batch_size", type=int, default=64)
parser.add_argument("--clip", type=int, default=5)
parser.add_argument("--learning_rate", type=float, default=0.0005)
parser.add_argument("--weight_decay", type=float, default=0.0001)
parser.add_argument("--step_size1", type=int, default=300)
parser.add_argument("--seq_out_len", type=int, default=4)
parser.add_argument("--epochs", type=int, default=180)
args = parser.parse_args(args=[])

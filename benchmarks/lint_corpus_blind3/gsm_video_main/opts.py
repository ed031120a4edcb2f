import argparse

parser = argparse.ArgumentParser(description="Gate-Shift Networks")
parser.add_argument("dataset", type=str, choices=["something-v1", "diving48"])
parser.add_argument("--epochs", default=60, type=int)
parser.add_argument("-b", "--batch-size", default=16, type=int)
parser.add_argument("--iter_size", default=2, type=int)
parser.add_argument("--lr", "--learning-rate", default=0.01, type=float)
parser.add_argument("--warmup", default=10, type=int)
parser.add_argument("--momentum", default=0.9, type=float)
parser.add_argument("--weight-decay", "--wd", default=5e-4, type=float)
parser.add_argument("--clip-gradient", "--gd", default=20, type=float)

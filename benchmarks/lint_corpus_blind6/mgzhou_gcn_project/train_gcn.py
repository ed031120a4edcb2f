import argparse

from src.gcn.train import trainer

parser = argparse.ArgumentParser()
parser.add_argument("--data_path", type=str, default="cora")
parser.add_argument("--device", type=str, default="cuda")
parser.add_argument("--epochs", type=int, default=200)
parser.add_argument("--lr", type=float, default=0.1)
parser.add_argument("--weight_decay", type=float, default=5e-4)
parser.add_argument("--layers", type=int, default=2)
parser.add_argument("--hidden_dim", type=int, default=64)
parser.add_argument("--patience", type=int, default=50)
args = parser.parse_args()
config = vars(args)

if __name__ == "__main__":
    trainer(config=config)

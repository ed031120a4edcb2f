import argparse


class TrainOptions:
    def __init__(self):
        self.parser = argparse.ArgumentParser()
        self.parser.add_argument("--dataroot", type=str, default="./data/Planetoid")
        self.parser.add_argument("--dataset", type=str, default="pubmed")
        self.parser.add_argument("--num_hidden", type=int, default=8)
        self.parser.add_argument("--dropout", type=float, default=0.6)
        self.parser.add_argument("--weight_decay", type=float, default=5e-4)
        self.parser.add_argument("--init_type", type=str, default="uniform")
        self.parser.add_argument("--model", type=str, default="basic")
        self.parser.add_argument("--lr", type=float, default=5e-3)
        self.parser.add_argument("--optimizer", type=str, default="adam")
        self.parser.add_argument("--epoch", type=int, default=800)
        self.parser.add_argument("--lr_decay_epoch", type=int, default=5000)

    def parse(self):
        return self.parser.parse_args()

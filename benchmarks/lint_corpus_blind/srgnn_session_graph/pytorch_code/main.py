import argparse
import pickle

from model import SessionGraph, train_test
from utils import Data

parser = argparse.ArgumentParser()
parser.add_argument("--dataset", default="sample", help="diginetica/yoochoose1_4/yoochoose1_64/sample")
parser.add_argument("--batchSize", type=int, default=100)
parser.add_argument("--hiddenSize", type=int, default=100)
parser.add_argument("--epoch", type=int, default=30)
parser.add_argument("--lr", type=float, default=0.001)
parser.add_argument("--lr_dc", type=float, default=0.1, help="learning rate decay rate")
parser.add_argument("--lr_dc_step", type=int, default=3, help="epochs between learning-rate decays")
parser.add_argument("--l2", type=float, default=1e-5, help="l2 penalty")
parser.add_argument("--step", type=int, default=1, help="gnn propagation steps")
parser.add_argument("--nonhybrid", action="store_true")
opt = parser.parse_args()


def main():
    train_data = Data(pickle.load(open("../datasets/" + opt.dataset + "/train.txt", "rb")), shuffle=True)
    test_data = Data(pickle.load(open("../datasets/" + opt.dataset + "/test.txt", "rb")), shuffle=False)
    n_node = 43098 if opt.dataset == "diginetica" else 310
    model = SessionGraph(opt, n_node)
    for epoch in range(opt.epoch):
        train_test(model, train_data, test_data)


if __name__ == "__main__":
    main()

import argparse

import torch

import brain_gnn_train

parser = argparse.ArgumentParser(description="Brain age graph neural network.")
parser.add_argument("--model", default="gcn", type=str)
parser.add_argument("--epochs", default=5000, type=int)
parser.add_argument("--learning_rate", default=5e-4, type=float)
parser.add_argument("--weight_decay", default=0, type=float)
args = parser.parse_args()

device = torch.device("cuda:1" if torch.cuda.is_available() else "cpu")


def main(population_graph):
    brain_gnn_train.train_with_cross_validation(args.model, population_graph, device, lr=args.learning_rate, weight_decay=args.weight_decay, epochs=args.epochs)

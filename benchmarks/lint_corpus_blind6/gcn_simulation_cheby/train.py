import argparse

import torch.nn.functional as F
import torch.optim as optim

from models import GCN, ChebyNet
from utils import load_data

parser = argparse.ArgumentParser()
parser.add_argument("--dataset", type=str, default="cora")
parser.add_argument("--model", type=str, default="gcn")
parser.add_argument("--epochs", type=int, default=200)
parser.add_argument("--lr", type=float, default=0.01)
parser.add_argument("--weight_decay", type=float, default=5e-4)
parser.add_argument("--hidden", type=int, default=16)
parser.add_argument("--dropout", type=float, default=0.5)
parser.add_argument("--enable_bias", type=bool, default=True)
parser.add_argument("--Ko", type=int, default=2)
parser.add_argument("--Kl", type=int, default=2)
args = parser.parse_args()

adj, features, labels, idx_train, idx_val, idx_test = load_data(args.dataset)
if args.model == "gcn":
    model = GCN(nfeat=features.shape[1], nhid=args.hidden, nclass=int(labels.max()) + 1, dropout=args.dropout)
elif args.model == "chebynet":
    model = ChebyNet(n_feat=features.shape[1], n_hid=args.hidden, n_class=int(labels.max()) + 1, enable_bias=args.enable_bias, K_order=args.Ko, K_layer=args.Kl, droprate=args.dropout)
optimizer = optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)


def train(epoch):
    model.train()
    optimizer.zero_grad()
    output = model(features, adj)
    loss_train = F.nll_loss(output[idx_train], labels[idx_train])
    loss_train.backward()
    optimizer.step()


if __name__ == "__main__":
    for epoch in range(args.epochs):
        train(epoch)

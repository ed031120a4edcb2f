import argparse

import torch
import torch.nn.functional as F
import torch.optim as optim

from models import GAT
from utils import accuracy, load_data

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=10000)
parser.add_argument("--lr", type=float, default=0.005)
parser.add_argument("--weight_decay", type=float, default=5e-4)
parser.add_argument("--hidden", type=int, default=8)
parser.add_argument("--nb_heads", type=int, default=8)
parser.add_argument("--dropout", type=float, default=0.6)
parser.add_argument("--alpha", type=float, default=0.2)
parser.add_argument("--patience", type=int, default=100)
args = parser.parse_args()

adj, features, labels, idx_train, idx_val, idx_test = load_data()
model = GAT(nfeat=features.shape[1], nhid=args.hidden, nclass=int(labels.max()) + 1, dropout=args.dropout, nheads=args.nb_heads, alpha=args.alpha)
optimizer = optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)


def train_epoch():
    model.train()
    optimizer.zero_grad()
    output = model(features, adj)
    loss = F.nll_loss(output[idx_train], labels[idx_train])
    loss.backward()
    optimizer.step()
    model.eval()
    with torch.no_grad():
        output = model(features, adj)
    return F.nll_loss(output[idx_val], labels[idx_val]).item(), accuracy(output[idx_val], labels[idx_val])


best, bad = float("inf"), 0
for epoch in range(args.epochs):
    val_loss, _ = train_epoch()
    if val_loss < best:
        best, bad = val_loss, 0
    else:
        bad += 1
    if bad == args.patience:
        break

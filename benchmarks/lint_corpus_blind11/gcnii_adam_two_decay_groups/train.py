import argparse

import torch
import torch.nn.functional as F
import torch.optim as optim

from model import GCNII
from utils import accuracy, load_citation

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=1500)
parser.add_argument("--lr", type=float, default=0.01)
parser.add_argument("--wd1", type=float, default=0.01, help="weight decay (L2 loss on parameters).")
parser.add_argument("--wd2", type=float, default=5e-4, help="weight decay (L2 loss on parameters).")
parser.add_argument("--layer", type=int, default=64)
parser.add_argument("--hidden", type=int, default=64)
parser.add_argument("--dropout", type=float, default=0.6)
parser.add_argument("--patience", type=int, default=100)
parser.add_argument("--data", default="cora")
parser.add_argument("--alpha", type=float, default=0.1)
parser.add_argument("--lamda", type=float, default=0.5)
parser.add_argument("--variant", action="store_true", default=False)
args = parser.parse_args()

adj, features, labels, idx_train, idx_val, idx_test = load_citation(args.data)
model = GCNII(nfeat=features.shape[1], nlayers=args.layer, nhidden=args.hidden, nclass=int(labels.max()) + 1, dropout=args.dropout, lamda=args.lamda, alpha=args.alpha, variant=args.variant)

optimizer = optim.Adam(
    [
        {"params": model.params1, "weight_decay": args.wd1},
        {"params": model.params2, "weight_decay": args.wd2},
    ],
    lr=args.lr,
)


def train():
    model.train()
    optimizer.zero_grad()
    output = model(features, adj)
    loss_train = F.nll_loss(output[idx_train], labels[idx_train])
    loss_train.backward()
    optimizer.step()
    return loss_train.item(), accuracy(output[idx_train], labels[idx_train])


def validate():
    model.eval()
    with torch.no_grad():
        output = model(features, adj)
        return F.nll_loss(output[idx_val], labels[idx_val]).item()


best, bad = float("inf"), 0
for epoch in range(args.epochs):
    train()
    val = validate()
    if val < best:
        best, bad = val, 0
    else:
        bad += 1
    if bad == args.patience:
        break

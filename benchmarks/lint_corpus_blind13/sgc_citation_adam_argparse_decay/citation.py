import pickle as pkl
from time import perf_counter

import torch
import torch.nn.functional as F
import torch.optim as optim

from args import get_citation_args
from models import get_model
from utils import load_citation, sgc_precompute

args = get_citation_args()
if args.tuned:
    with open("{}-tuning/{}.txt".format(args.model, args.dataset), "rb") as f:
        args.weight_decay = pkl.load(f)["weight_decay"]

adj, features, labels, idx_train, idx_val, idx_test = load_citation(args.dataset, args.normalization, args.cuda)
model = get_model(args.model, features.size(1), labels.max().item() + 1, args.hidden, args.dropout, args.cuda)


def train_regression(model, train_features, train_labels, val_features, val_labels,
                     epochs=args.epochs, weight_decay=args.weight_decay, lr=args.lr, dropout=args.dropout):
    optimizer = optim.Adam(model.parameters(), lr=lr,
                           weight_decay=weight_decay)
    t = perf_counter()
    for epoch in range(epochs):
        model.train()
        optimizer.zero_grad()
        output = model(train_features)
        loss_train = F.cross_entropy(output, train_labels)
        loss_train.backward()
        optimizer.step()
    return model, perf_counter() - t


features, precompute_time = sgc_precompute(features, adj, args.degree)
if args.model == "SGC":
    model, train_time = train_regression(model, features[idx_train], labels[idx_train], features[idx_val],
                                         labels[idx_val], args.epochs, args.weight_decay, args.lr, args.dropout)

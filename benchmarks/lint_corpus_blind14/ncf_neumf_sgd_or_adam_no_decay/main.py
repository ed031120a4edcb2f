import argparse

import torch.nn as nn
import torch.optim as optim

import config
import data_utils
import model as ncf

parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float, default=0.001)
parser.add_argument("--dropout", type=float, default=0.0)
parser.add_argument("--batch_size", type=int, default=256)
parser.add_argument("--epochs", type=int, default=20)
parser.add_argument("--factor_num", type=int, default=32)
parser.add_argument("--num_layers", type=int, default=3)
args = parser.parse_args()

train_loader, user_num, item_num = data_utils.load_train(args.batch_size)
model = ncf.NCF(user_num, item_num, args.factor_num, args.num_layers, args.dropout, config.model)
loss_function = nn.BCEWithLogitsLoss()

if config.model == "NeuMF-pre":
    optimizer = optim.SGD(model.parameters(), lr=args.lr)
else:
    optimizer = optim.Adam(model.parameters(), lr=args.lr)

for epoch in range(args.epochs):
    model.train()
    train_loader.dataset.ng_sample()
    for user, item, label in train_loader:
        model.zero_grad()
        prediction = model(user, item)
        loss = loss_function(prediction, label.float())
        loss.backward()
        optimizer.step()

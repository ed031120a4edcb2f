import sys
from optparse import OptionParser

import torch
import torch.nn.functional as F
from torch import nn, optim


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7)
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(64, 128, 5)
        self.conv3 = nn.Conv2d(128, 256, 5)
        self.linear1 = nn.Linear(2304, 512)
        self.linear2 = nn.Linear(512, 2)

    def forward(self, data):
        feats = []
        for x in data[:2]:
            x = self.pool1(F.relu(self.conv1(x)))
            x = F.relu(self.conv3(F.relu(self.conv2(x))))
            feats.append(F.relu(self.linear1(x.flatten(1))))
        return self.linear2(torch.abs(feats[1] - feats[0]))


def train(model, device, train_loader, optimizer):
    model.train()
    total = 0.0
    for data, target in train_loader:
        data = [d.to(device) for d in data]
        optimizer.zero_grad()
        out = model(data)
        loss = F.cross_entropy(out, target.to(device))
        loss.backward()
        optimizer.step()
        total += loss.item()
    return total


def main(options, args):
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model = Net().to(device)
    train_loader = build_loader(args, options.batch_size)
    optimizer = optim.Adam(model.parameters(), lr=options.learning_rate, weight_decay=options.weight_decay)
    for epoch in range(options.num_epochs):
        train(model, device, train_loader, optimizer)


def build_loader(args, batch_size):
    raise NotImplementedError


if __name__ == "__main__":
    parser = OptionParser()
    parser.add_option("-t", "--dotrain", action="store_true", dest="dotrain", default=False)
    parser.add_option("-b", "--batch_size", type=int, default=32, dest="batch_size")
    parser.add_option("-l", "--learning_rate", type=float, default=0.001, dest="learning_rate")
    parser.add_option("-w", "--weight_decay", type=float, default=0.0001, dest="weight_decay")
    parser.add_option("-e", "--num_epochs", type=int, default=20, dest="num_epochs")
    (options, args) = parser.parse_args()
    if len(sys.argv) < 2:
        sys.exit(2)
    main(options, args)

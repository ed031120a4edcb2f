import torch
import torch.nn.functional as F
import torch.optim as optim

from models import GCN
from opts import TrainOptions
from utils import accuracy, load_data

opt = TrainOptions().parse()
adj, features, labels, idx_train, idx_val, idx_test = load_data(path=opt.dataroot, dataset=opt.dataset)

if opt.model == "basic":
    model = GCN(nfeat=features.shape[1], nhid=opt.num_hidden, nclass=int(labels.max()) + 1, dropout=opt.dropout, init=opt.init_type)
else:
    raise NotImplementedError

if opt.optimizer == "sgd":
    optimizer = optim.SGD(model.parameters(), lr=opt.lr, weight_decay=opt.weight_decay, momentum=0.9)
elif opt.optimizer == "adam":
    optimizer = optim.Adam(model.parameters(), lr=opt.lr, weight_decay=opt.weight_decay)
else:
    raise NotImplementedError


def lr_at(epoch):
    return opt.lr * (0.5 ** int(epoch / opt.lr_decay_epoch))


def train(epoch):
    model.train()
    optimizer.lr = lr_at(epoch)  # sets an attribute, not the param groups' lr
    optimizer.zero_grad()
    output = model(features, adj)
    loss_train = F.nll_loss(output[idx_train], labels[idx_train])
    loss_train.backward()
    optimizer.step()

    model.eval()
    with torch.no_grad():
        output = model(features, adj)
    return accuracy(output[idx_val], labels[idx_val])


if __name__ == "__main__":
    for epoch in range(1, opt.epoch + 1):
        train(epoch)

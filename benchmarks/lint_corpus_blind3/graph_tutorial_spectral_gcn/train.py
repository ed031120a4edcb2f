import torch.nn.functional as F
import torch.optim as optim

from models import GCN
from opts import TrainOptions
from utils import load_data

opt = TrainOptions().parse()
adj, features, labels, idx_train, idx_val, idx_test = load_data(path=opt.dataroot, dataset=opt.dataset)

if opt.model == "basic":
    model = GCN(nfeat=features.shape[1], nhid=opt.num_hidden, nclass=labels.max().item() + 1, dropout=opt.dropout)
else:
    raise NotImplementedError

if opt.optimizer == "sgd":
    optimizer = optim.SGD(
        model.parameters(),
        lr=opt.lr,
        weight_decay=opt.weight_decay,
        momentum=0.9,
    )
elif opt.optimizer == "adam":
    optimizer = optim.Adam(
        model.parameters(),
        lr=opt.lr,
        weight_decay=opt.weight_decay,
    )
else:
    raise NotImplementedError


def lr_scheduler(epoch, opt):
    return opt.lr * (0.5 ** int(epoch / opt.lr_decay_epoch))


def train(epoch):
    model.train()
    optimizer.lr = lr_scheduler(epoch, opt)
    optimizer.zero_grad()
    output = model(features, adj)
    loss_train = F.nll_loss(output[idx_train], labels[idx_train])
    loss_train.backward()
    optimizer.step()


if __name__ == "__main__":
    for epoch in range(1, opt.epoch + 1):
        train(epoch)

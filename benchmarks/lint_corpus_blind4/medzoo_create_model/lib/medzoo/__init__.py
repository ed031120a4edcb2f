import torch.nn as nn
import torch.optim as optim


class HyperDenseNet(nn.Module):
    def __init__(self, classes=4):
        super().__init__()
        self.conv = nn.Conv3d(2, 25, 3, padding=1)
        self.bn = nn.BatchNorm3d(25)
        self.out = nn.Conv3d(25, classes, 1)

    def forward(self, x):
        return self.out(self.bn(self.conv(x)).relu())


model_list = ["HYPERDENSENET"]


def create_model(args):
    model_name = args.model
    assert model_name in model_list
    optimizer_name = args.opt
    lr = args.lr
    weight_decay = 0.0000000001
    model = HyperDenseNet(classes=args.classes)
    if optimizer_name == "sgd":
        optimizer = optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=weight_decay)
    elif optimizer_name == "adam":
        optimizer = optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    elif optimizer_name == "rmsprop":
        optimizer = optim.RMSprop(model.parameters(), lr=lr, weight_decay=weight_decay)
    return model, optimizer

import torch
import torch.nn as nn

from config import get_arguments
from model import resnet32
from utils import compute_adjustment, get_loaders

parser = get_arguments()
args = parser.parse_args()
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


def main():
    train_loader, val_loader = get_loaders(args)
    model = torch.nn.DataParallel(resnet32(num_classes=len(args.class_names))).to(device)
    criterion = nn.CrossEntropyLoss().to(device)
    args.logit_adjustments = compute_adjustment(train_loader, args.tro_train, args)

    optimizer = torch.optim.SGD(model.parameters(),
                                args.lr,
                                momentum=args.momentum,
                                weight_decay=args.weight_decay,
                                nesterov=True)
    lr_scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=args.scheduler_steps)

    for epoch in range(0, args.epochs):
        train(train_loader, model, criterion, optimizer)
        lr_scheduler.step()


def train(train_loader, model, criterion, optimizer):
    model.train()
    for i, (inputs, target) in enumerate(train_loader):
        target = target.to(device)
        output = model(inputs.to(device))
        if args.logit_adj_train:
            output = output + args.logit_adjustments
        loss = criterion(output, target)

        loss_r = 0
        for p in model.parameters():
            loss_r += torch.sum(p**2)
        loss = loss + loss_r

        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


if __name__ == "__main__":
    main()

import torch
from torch.nn import CrossEntropyLoss
from torch.optim import SGD, lr_scheduler

from opts import parse_opts
from model import generate_model
from train import train_epoch
from validation import val_epoch


def get_train_utils(opt, model_parameters):
    if opt.nesterov:
        dampening = 0
    else:
        dampening = opt.dampening
    optimizer = SGD(
        model_parameters,
        lr=opt.learning_rate,
        momentum=opt.momentum,
        dampening=dampening,
        weight_decay=opt.weight_decay,
        nesterov=opt.nesterov)

    assert opt.lr_scheduler in ["plateau", "multistep"]
    if opt.lr_scheduler == "plateau":
        scheduler = lr_scheduler.ReduceLROnPlateau(optimizer, "min", patience=opt.plateau_patience)
    else:
        scheduler = lr_scheduler.MultiStepLR(optimizer, opt.multistep_milestones)
    return optimizer, scheduler


if __name__ == "__main__":
    opt = parse_opts()
    opt.device = torch.device("cpu" if opt.no_cuda else "cuda")
    model, parameters = generate_model(opt)
    criterion = CrossEntropyLoss().to(opt.device)
    optimizer, scheduler = get_train_utils(opt, parameters)

    prev_val_loss = None
    for i in range(1, opt.n_epochs + 1):
        if opt.lr_scheduler == "multistep":
            scheduler.step()
        elif opt.lr_scheduler == "plateau" and prev_val_loss is not None:
            scheduler.step(prev_val_loss)
        train_epoch(i, opt.train_loader, model, criterion, optimizer, opt.device)
        prev_val_loss = val_epoch(i, opt.val_loader, model, criterion, opt.device)

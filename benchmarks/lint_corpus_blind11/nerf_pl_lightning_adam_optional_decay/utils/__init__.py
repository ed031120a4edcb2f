from torch.optim import SGD, Adam
from torch.optim.lr_scheduler import CosineAnnealingLR, MultiStepLR

from .optimizers import RAdam, Ranger


def get_optimizer(hparams, models):
    eps = 1e-8
    parameters = []
    for model in models:
        parameters += list(model.parameters())
    if hparams.optimizer == "sgd":
        optimizer = SGD(parameters, lr=hparams.lr, momentum=hparams.momentum, weight_decay=hparams.weight_decay)
    elif hparams.optimizer == "adam":
        optimizer = Adam(parameters, lr=hparams.lr, eps=eps, weight_decay=hparams.weight_decay)
    elif hparams.optimizer == "radam":
        optimizer = RAdam(parameters, lr=hparams.lr, eps=eps, weight_decay=hparams.weight_decay)
    elif hparams.optimizer == "ranger":
        optimizer = Ranger(parameters, lr=hparams.lr, eps=eps, weight_decay=hparams.weight_decay)
    else:
        raise ValueError("optimizer not recognized!")
    return optimizer


def get_scheduler(hparams, optimizer):
    if hparams.lr_scheduler == "steplr":
        return MultiStepLR(optimizer, milestones=hparams.decay_step, gamma=hparams.decay_gamma)
    if hparams.lr_scheduler == "cosine":
        return CosineAnnealingLR(optimizer, T_max=hparams.num_epochs, eta_min=1e-8)
    raise ValueError("scheduler not recognized!")

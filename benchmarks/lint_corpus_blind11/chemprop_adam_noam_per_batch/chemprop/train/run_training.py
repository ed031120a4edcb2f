from chemprop.models import MoleculeModel
from chemprop.train.train import train
from chemprop.utils import build_lr_scheduler, build_optimizer, get_loss_func


def run_training(args, train_data, train_loader):
    args.train_data_size = len(train_data)
    model = MoleculeModel(args).to(args.device)
    optimizer = build_optimizer(model, args)
    scheduler = build_lr_scheduler(optimizer, args)
    loss_func = get_loss_func(args)
    n_iter = 0
    for _epoch in range(args.epochs):
        n_iter = train(model, train_loader, loss_func, optimizer, scheduler, args, n_iter)

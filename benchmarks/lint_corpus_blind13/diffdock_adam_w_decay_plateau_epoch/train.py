import math
from functools import partial

import torch
import yaml

from utils.parsing import parse_train_args
from utils.training import train_epoch, test_epoch, loss_function
from utils.utils import get_optimizer_and_scheduler, get_model, ExponentialMovingAverage


def train(args, model, optimizer, scheduler, ema_weights, train_loader, val_loader, t_to_sigma):
    best_val_inference_value = math.inf if args.inference_earlystop_goal == "min" else 0
    loss_fn = partial(loss_function, tr_weight=args.tr_weight, rot_weight=args.rot_weight)
    for epoch in range(args.n_epochs):
        train_losses = train_epoch(model, train_loader, optimizer, device, t_to_sigma, loss_fn, ema_weights)
        val_losses = test_epoch(model, val_loader, device, t_to_sigma, loss_fn)
        if scheduler:
            if args.val_inference_freq is not None:
                scheduler.step(best_val_inference_value)
            else:
                scheduler.step(val_losses["loss"])


def main_function():
    args = parse_train_args()
    if args.config:
        config_dict = yaml.load(args.config, Loader=yaml.FullLoader)
        for key, value in config_dict.items():
            args.__dict__[key] = value
    model = get_model(args, device, t_to_sigma=None)
    optimizer, scheduler = get_optimizer_and_scheduler(args, model, scheduler_mode="max")
    ema_weights = ExponentialMovingAverage(model.parameters(), decay=args.ema_rate)
    train(args, model, optimizer, scheduler, ema_weights, None, None, None)


if __name__ == "__main__":
    device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
    main_function()

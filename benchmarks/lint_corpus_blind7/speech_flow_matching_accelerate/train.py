import torch.optim as optim


def get_optimizer_and_scheduler(configs, params):
    lr = float(configs["train"]["lr"])
    warm_up_steps = configs["train"]["warm_up_steps"]
    if configs["train"]["optimizer"] == "AdamW":
        optimizer = optim.AdamW(params=params, lr=lr)
    if warm_up_steps:
        scheduler = optim.lr_scheduler.LambdaLR(optimizer=optimizer, lr_lambda=LinearWarmUp(warm_up_steps))
    else:
        scheduler = None
    return optimizer, scheduler

import argparse

import torch
import torch.optim as optim

from audio_flow.utils import LinearWarmUp, parse_yaml, update_ema


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


def train(args, loader, model, ema, data_transform, fm):
    configs = parse_yaml(args.config)
    optimizer, scheduler = get_optimizer_and_scheduler(configs=configs, params=model.parameters())
    for step, data in enumerate(loader):
        target, cond_dict, _ = data_transform(data)
        t, xt, ut = fm.sample_location_and_conditional_flow(x0=torch.randn_like(target), x1=target)
        model.train()
        loss = torch.mean((model(t=t, x=xt, cond_dict=cond_dict) - ut) ** 2)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        update_ema(ema, model, decay=0.999)
        if scheduler:
            scheduler.step()
        if step == configs["train"]["training_steps"]:
            break


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", type=str, required=True)
    train(parser.parse_args(), None, None, None, None, None)

import argparse

import torch
from accelerate import Accelerator

from audio_flow.utils import parse_yaml, update_ema
from train import get_optimizer_and_scheduler


def train(args, loader, model, ema, data_transform, fm):
    configs = parse_yaml(args.config)
    optimizer, scheduler = get_optimizer_and_scheduler(configs=configs, params=model.parameters())
    accelerator = Accelerator(mixed_precision=configs["train"]["precision"])
    data_transform, model, ema, optimizer, loader = accelerator.prepare(data_transform, model, ema, optimizer, loader)
    for step, data in enumerate(loader):
        target, cond_dict, _ = data_transform(data)
        t, xt, ut = fm.sample_location_and_conditional_flow(x0=torch.randn_like(target), x1=target)
        model.train()
        loss = torch.mean((model(t=t, x=xt, cond_dict=cond_dict) - ut) ** 2)
        optimizer.zero_grad()
        accelerator.backward(loss)
        optimizer.step()
        update_ema(ema_model=ema, model=accelerator.unwrap_model(model))
        if scheduler:
            scheduler.step()
        if step == configs["train"]["training_steps"]:
            break


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", type=str, required=True)
    train(parser.parse_args(), None, None, None, None, None)

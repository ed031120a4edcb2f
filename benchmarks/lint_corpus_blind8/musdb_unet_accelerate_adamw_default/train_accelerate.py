import argparse
from datetime import timedelta

import torch.optim as optim
from accelerate import Accelerator, InitProcessGroupKwargs
from torch.utils.data import DataLoader

from _train import InfiniteSampler, get_model, l1_loss, warmup_lambda
from data.musdb18hq import MUSDB18HQ


def train(args):
    model_name = args.model_name
    batch_size = args.batch_size
    lr = float(args.lr)
    use_scheduler = True
    training_steps = 1000000
    train_dataset = MUSDB18HQ(root="/datasets/musdb18hq", split="train", sr=44100)
    train_dataloader = DataLoader(dataset=train_dataset, batch_size=batch_size, sampler=InfiniteSampler(train_dataset), num_workers=16)
    model = get_model(model_name)

    optimizer = optim.AdamW(model.parameters(), lr=lr)

    if use_scheduler:
        scheduler = optim.lr_scheduler.LambdaLR(optimizer=optimizer, lr_lambda=warmup_lambda)

    process_group_kwargs = InitProcessGroupKwargs(timeout=timedelta(seconds=7200))
    accelerator = Accelerator(kwargs_handlers=[process_group_kwargs])
    model, optimizer, train_dataloader, scheduler = accelerator.prepare(model, optimizer, train_dataloader, scheduler)

    for step, data in enumerate(train_dataloader):
        mixture = data["mixture"]
        target = data["vocals"]
        model.train()
        output = model(mixture=mixture)
        loss = l1_loss(output, target)
        optimizer.zero_grad()
        accelerator.backward(loss)
        optimizer.step()
        if use_scheduler:
            scheduler.step()
        if step == training_steps:
            break


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--model_name", type=str, default="UNet")
    parser.add_argument("--clip_duration", type=float, default=2.0)
    parser.add_argument("--batch_size", type=int, default=16)
    parser.add_argument("--lr", default=0.001)
    train(parser.parse_args())

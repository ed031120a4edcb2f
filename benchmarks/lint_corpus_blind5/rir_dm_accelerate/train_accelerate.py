from argparse import ArgumentParser

import torch.nn as nn
import torch.optim as optim
from accelerate import Accelerator
from diffusers.optimization import get_cosine_schedule_with_warmup
from torch.utils.data import DataLoader

from scripts.dataset import RIRDDMDataset
from scripts.model import ConditionalDDPM


def train_model(model, optimizer, criterion, scheduler, loader, device, args, accelerator):
    for epoch in range(args.epochs):
        model.train()
        for spec, text_emb, image_emb, _ in loader:
            noise = spec.new_empty(spec.shape).normal_()
            timesteps = model.scheduler.timesteps[:spec.shape[0]].to(device)
            noisy = model.scheduler.add_noise(spec, noise, timesteps)
            predicted = model(noisy, timesteps, text_emb, image_emb)
            loss = criterion(noise, predicted)
            with accelerator.accumulate(model):
                accelerator.backward(loss)
                accelerator.clip_grad_norm_(model.parameters(), max_norm=1.0)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()


def main(args):
    accelerator = Accelerator(mixed_precision="fp16")
    device = accelerator.device
    loader = DataLoader(RIRDDMDataset(dataroot=args.data_dir, phase="train"), batch_size=args.batch_size, shuffle=True)
    model = ConditionalDDPM(noise_channels=1, embedding_dim=512, image_size=512, num_train_timesteps=30)
    optimizer = optim.AdamW(model.parameters(), lr=args.lr, betas=(0.0, 0.99), eps=1e-8)
    scheduler = get_cosine_schedule_with_warmup(optimizer, num_warmup_steps=500, num_training_steps=len(loader) * args.epochs)
    model, optimizer, loader, scheduler = accelerator.prepare(model, optimizer, loader, scheduler)
    train_model(model, optimizer, nn.MSELoss(), scheduler, loader, device, args, accelerator)


if __name__ == "__main__":
    parser = ArgumentParser()
    parser.add_argument("--data_dir", type=str, default="./datasets")
    parser.add_argument("--batch_size", type=int, default=4)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--lr", type=float, default=1e-5)
    main(parser.parse_args())

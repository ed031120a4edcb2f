import copy
from types import SimpleNamespace

import numpy as np
import torch
import torch.nn as nn
from torch import optim

from modules import EMA, UNet_conditional
from utils import get_data


class Diffusion:
    def __init__(self, noise_steps=1000, beta_start=1e-4, beta_end=0.02, img_size=64, num_classes=10, device="cuda"):
        self.noise_steps = noise_steps
        self.beta = torch.linspace(beta_start, beta_end, noise_steps).to(device)
        self.alpha_hat = torch.cumprod(1.0 - self.beta, dim=0)
        self.model = UNet_conditional(num_classes=num_classes).to(device)
        self.ema_model = copy.deepcopy(self.model).eval().requires_grad_(False)
        self.device = device

    def noise_images(self, x, t):
        a = self.alpha_hat[t][:, None, None, None]
        eps = torch.randn_like(x)
        return a.sqrt() * x + (1 - a).sqrt() * eps, eps

    def one_epoch(self, train=True):
        self.model.train(train)
        total = 0.0
        for images, labels in self.train_dataloader:
            with torch.enable_grad() if train else torch.inference_mode():
                images, labels = images.to(self.device), labels.to(self.device)
                t = torch.randint(1, self.noise_steps, (images.shape[0],), device=self.device)
                x_t, noise = self.noise_images(images, t)
                if np.random.random() < 0.1:
                    labels = None
                loss = self.mse(noise, self.model(x_t, t, labels))
                total += loss.item()
                if train:
                    self.optimizer.zero_grad()
                    self.scheduler.step()
                    loss.backward()
                    self.optimizer.step()
                    self.ema.step_ema(self.ema_model, self.model)
        return total

    def fit(self, args):
        self.train_dataloader, self.val_dataloader = get_data(args)
        self.optimizer = optim.AdamW(self.model.parameters(), lr=args.lr, weight_decay=0.001)
        self.scheduler = optim.lr_scheduler.OneCycleLR(self.optimizer, max_lr=args.lr, steps_per_epoch=len(self.train_dataloader), epochs=args.epochs)
        self.mse = nn.MSELoss()
        self.ema = EMA(0.995)
        for _epoch in range(args.epochs):
            self.one_epoch(train=True)
            self.one_epoch(train=False)


config = SimpleNamespace(run_name="DDPM_conditional", epochs=100, noise_steps=1000, batch_size=10, img_size=64, num_classes=10, lr=3e-4)

if __name__ == "__main__":
    Diffusion(config.noise_steps, img_size=config.img_size, num_classes=config.num_classes).fit(config)

import numpy as np
import torch
import torch.nn as nn

from UNet_model import SimpleUNet


class Diffusion:
    def __init__(self, model, noise_steps=1000, device="cuda"):
        self.model = model.to(device)
        self.device = device
        self.noise_steps = noise_steps
        self.alpha_hat = torch.cumprod(1.0 - torch.linspace(1e-4, 0.02, noise_steps), dim=0).to(device)

    def noise_images(self, x, t):
        eps = torch.randn_like(x)
        a = self.alpha_hat[t][:, None, None, None]
        return a.sqrt() * x + (1 - a).sqrt() * eps, eps

    def train(self, lr, epochs, train_loader):
        model = self.model
        optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
        scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.99)
        mse = nn.MSELoss()
        for epoch in range(epochs):
            model.train()
            for i, (img, label) in enumerate(train_loader):
                img, label = img.to(self.device), label.to(self.device)
                t = torch.randint(1, self.noise_steps, (img.shape[0],), device=self.device)
                x_t, noise = self.noise_images(img, t)
                optimizer.zero_grad()
                if np.random.random() < 0.1:
                    label = None
                predicted_noise = model(x_t, t, label)
                train_loss = mse(predicted_noise, noise)
                train_loss.backward()
                optimizer.step()
            scheduler.step()


if __name__ == "__main__":
    diffusion = Diffusion(SimpleUNet(224, num_classes=10))

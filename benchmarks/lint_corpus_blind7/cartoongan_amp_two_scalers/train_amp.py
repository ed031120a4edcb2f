import torch
import torch.optim as optim

import config


def train_fn(disc, gen, loader, opt_disc, opt_gen, l1_loss, mse, g_scaler, d_scaler, VGG):
    for idx, (photo, cartoon, edge) in enumerate(loader):
        photo, cartoon, edge = photo.to(config.DEVICE), cartoon.to(config.DEVICE), edge.to(config.DEVICE)
        with torch.cuda.amp.autocast():
            fake = gen(photo)
            d_real, d_fake, d_edge = disc(cartoon), disc(fake.detach()), disc(edge)
            D_loss = (mse(d_real, torch.ones_like(d_real)) + mse(d_fake, torch.zeros_like(d_fake))
                      + mse(d_edge, torch.zeros_like(d_edge))) / 3.0
        opt_disc.zero_grad()
        d_scaler.scale(D_loss).backward()
        d_scaler.step(opt_disc)
        d_scaler.update()
        with torch.cuda.amp.autocast():
            d_fake = disc(fake.detach())
            G_loss = mse(d_fake, torch.ones_like(d_fake)) + config.LAMBDA_CONTENT * l1_loss(VGG(fake), VGG(photo).detach())
        opt_gen.zero_grad()
        g_scaler.scale(G_loss).backward()
        g_scaler.step(opt_gen)
        g_scaler.update()


def main():
    disc = Discriminator(in_channels=3).to(config.DEVICE)
    gen = Generator(in_channels=3).to(config.DEVICE)
    opt_disc = optim.Adam(disc.parameters(), lr=config.LEARNING_RATE, betas=(0.5, 0.999))
    opt_gen = optim.Adam(disc.parameters(), lr=config.LEARNING_RATE, betas=(0.5, 0.999))
    g_scaler = torch.cuda.amp.GradScaler()
    d_scaler = torch.cuda.amp.GradScaler()
    for epoch in range(config.NUM_EPOCHS):
        train_fn(disc, gen, train_loader, opt_disc, opt_gen, L1_Loss, MSE_Loss, g_scaler, d_scaler, VGG19)

import argparse

import torch
import torch.optim as optim
from torch.cuda.amp import autocast
from torch.cuda.amp.grad_scaler import GradScaler
from torch.utils.data import DataLoader

from data_utils import TrainDatasetFromFolder
from loss import GeneratorLoss
from model import Discriminator, Generator

parser = argparse.ArgumentParser()
parser.add_argument("--crop_size", default=88, type=int)
parser.add_argument("--upscale_factor", default=4, type=int)
parser.add_argument("--num_epochs", default=100, type=int)

if __name__ == "__main__":
    opt = parser.parse_args()
    train_loader = DataLoader(TrainDatasetFromFolder("data/DIV2K_train_HR", opt.crop_size, opt.upscale_factor), batch_size=64, shuffle=True)
    netG = Generator(opt.upscale_factor).cuda()
    netD = Discriminator().cuda()
    generator_criterion = GeneratorLoss().cuda()
    optimizerG = optim.Adam(netG.parameters())
    optimizerD = optim.Adam(netD.parameters())
    scaler = GradScaler()
    for epoch in range(1, opt.num_epochs + 1):
        netG.train()
        netD.train()
        for data, target in train_loader:
            real_img, z = target.cuda(), data.cuda()
            with autocast():
                fake_img = netG(z)
                real_out = netD(real_img).mean()
                fake_out = netD(fake_img).mean()
                d_loss = 1 - real_out + fake_out
                g_loss = generator_criterion(fake_out, fake_img, real_img)
            netD.zero_grad()
            scaler.scale(d_loss).backward(retain_graph=True)
            scaler.step(optimizerD)
            netG.zero_grad()
            scaler.scale(g_loss).backward()
            scaler.step(optimizerG)
            scaler.update()

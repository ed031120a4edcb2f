# A GAN whose generator accumulates: the network to put under no_sync is the generator, whose
# optimizer steps once per window.
import torch
from torch.nn.parallel import DistributedDataParallel


def train(netG, netD, loader, criterion, rank, nz=100, accum=2):
    netD = DistributedDataParallel(netD, device_ids=[rank])
    netG = DistributedDataParallel(netG, device_ids=[rank])
    optimizerD = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optimizerG = torch.optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))
    for i, real in enumerate(loader):
        noise = torch.randn(real.size(0), nz, 1, 1)
        fake = netG(noise)
        label = torch.ones(real.size(0))
        errG = criterion(netD(fake).view(-1), label) / accum
        errG.backward()
        if (i + 1) % accum == 0:
            optimizerG.step()
            optimizerG.zero_grad()

"""A GAN whose optimizers take their keyword arguments from conf/*.yml through argbind."""

import argbind
import torch

from nets import Discriminator, Generator

AdamW = argbind.bind(torch.optim.AdamW, "generator", "discriminator")


def load(args):
    generator, discriminator = Generator(), Discriminator()
    with argbind.scope(args, "generator"):
        opt_g = AdamW(generator.parameters())
    with argbind.scope(args, "discriminator"):
        opt_d = AdamW(discriminator.parameters())
    return generator, discriminator, opt_g, opt_d


def train(args, loader):
    generator, discriminator, opt_g, opt_d = load(args)
    for real in loader:
        opt_d.zero_grad()
        discriminator(generator(real).detach()).mean().backward()
        opt_d.step()
        opt_g.zero_grad()
        (-discriminator(generator(real)).mean()).backward()
        opt_g.step()


if __name__ == "__main__":
    args = argbind.parse_args()
    with argbind.scope(args):
        train(args, [])

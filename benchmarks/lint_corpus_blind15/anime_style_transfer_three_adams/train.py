import argparse

import torch
from torch import optim

import loss
from model import VGG19, Discriminator, Generator


def train_one_iter(src_iter, tgt_iter, generator, discriminator, VGG, G_init_optimizer, G_optimizer, D_optimizer, conf, reconstruct_only=False, update_G=False):
    x, x_gray = next(src_iter)
    y, y_gray, y_smooth, y_smooth_gray, labels = next(tgt_iter)
    if reconstruct_only:
        G_x = generator(x, labels)
        reconstruct_loss = loss.con_loss_func(x, G_x)
        G_init_optimizer.zero_grad()
        reconstruct_loss.backward()
        G_init_optimizer.step()
    else:
        G_x = generator(x, labels)
        D_fake = discriminator(G_x, labels)
        D_real = discriminator(y, labels)
        Discriminator_loss = conf.d_adv_weight * loss.discriminator_hinge_loss_func(D_real, D_fake)
        D_optimizer.zero_grad()
        Discriminator_loss.backward()
        D_optimizer.step()
        if update_G:
            G_x = generator(x, labels)
            D_fake = discriminator(G_x, labels)
            generator_loss = conf.g_adv_weight * loss.generator_hinge_loss_func(D_fake)
            content_loss = conf.con_weight * loss.con_loss_func(VGG(x), VGG(G_x))
            Generator_loss = generator_loss + content_loss
            G_optimizer.zero_grad()
            Generator_loss.backward()
            G_optimizer.step()


def train(conf):
    generator = Generator(class_num=conf.class_num)
    discriminator = Discriminator(n_class=conf.class_num)
    VGG = VGG19(init_weights=conf.vgg_model, feature_mode=True)

    G_init_optimizer = optim.Adam(filter(lambda p: p.requires_grad, generator.parameters()), lr=conf.g_lr, betas=(0.5, 0.999))
    G_optimizer = optim.Adam(filter(lambda p: p.requires_grad, generator.parameters()), lr=conf.g_lr, betas=(0.5, 0.999))
    D_optimizer = optim.Adam(filter(lambda p: p.requires_grad, discriminator.parameters()), lr=conf.d_lr, betas=(0.5, 0.999))

    generator = torch.nn.DataParallel(generator)
    discriminator = torch.nn.DataParallel(discriminator)
    j = conf.training_rate
    for current_iter in range(conf.max_iter):
        src_iter, tgt_iter = iter(conf.loader_src), iter(conf.loader_tgt)
        if current_iter < conf.reconstruct_iter:
            train_one_iter(src_iter, tgt_iter, generator, discriminator, VGG, G_init_optimizer, G_optimizer, D_optimizer, conf, reconstruct_only=True)
        else:
            train_one_iter(src_iter, tgt_iter, generator, discriminator, VGG, G_init_optimizer, G_optimizer, D_optimizer, conf, update_G=(j == conf.training_rate))
        j = j - 1
        if j < 1:
            j = conf.training_rate


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--max_iter", type=int, default=100000)
    parser.add_argument("--reconstruct_iter", type=int, default=1000)
    parser.add_argument("--g_lr", type=float, default=2e-5)
    parser.add_argument("--d_lr", type=float, default=4e-5)
    parser.add_argument("--training_rate", type=int, default=1)
    train(parser.parse_args())

"""Paraphrase of CTGAN's synthesizer (sdv-dev/CTGAN, ctgan/synthesizers/ctgan.py): the fit loop."""
import torch
from torch import optim
from torch.nn import BatchNorm1d, Dropout, LeakyReLU, Linear, Module, ReLU, Sequential


class Discriminator(Module):
    def __init__(self, input_dim, discriminator_dim, pac=10):
        super().__init__()
        dim = input_dim * pac
        layers = []
        for width in discriminator_dim:
            layers += [Linear(dim, width), LeakyReLU(0.2), Dropout(0.5)]
            dim = width
        layers += [Linear(dim, 1)]
        self.seq = Sequential(*layers)

    def forward(self, x):
        return self.seq(x)


class Residual(Module):
    def __init__(self, i, o):
        super().__init__()
        self.fc = Linear(i, o)
        self.bn = BatchNorm1d(o)
        self.relu = ReLU()

    def forward(self, x):
        return torch.cat([self.relu(self.bn(self.fc(x))), x], dim=1)


class Generator(Module):
    def __init__(self, embedding_dim, generator_dim, data_dim):
        super().__init__()
        dim = embedding_dim
        layers = []
        for width in generator_dim:
            layers += [Residual(dim, width)]
            dim += width
        layers.append(Linear(dim, data_dim))
        self.seq = Sequential(*layers)

    def forward(self, x):
        return self.seq(x)


class CTGAN:
    def __init__(self, embedding_dim=128, generator_dim=(256, 256), discriminator_dim=(256, 256),
                 generator_lr=2e-4, generator_decay=1e-6, discriminator_lr=2e-4,
                 discriminator_decay=1e-6, batch_size=500, discriminator_steps=1, epochs=300, pac=10):
        self._embedding_dim = embedding_dim
        self._generator_dim = generator_dim
        self._discriminator_dim = discriminator_dim
        self._generator_lr = generator_lr
        self._generator_decay = generator_decay
        self._discriminator_lr = discriminator_lr
        self._discriminator_decay = discriminator_decay
        self._batch_size = batch_size
        self._discriminator_steps = discriminator_steps
        self._epochs = epochs
        self.pac = pac

    def fit(self, sampler, data_dim, cond_dim):
        self._generator = Generator(self._embedding_dim + cond_dim, self._generator_dim, data_dim)
        discriminator = Discriminator(data_dim + cond_dim, self._discriminator_dim, pac=self.pac)

        optimizerG = optim.Adam(
            self._generator.parameters(), lr=self._generator_lr, betas=(0.5, 0.9),
            weight_decay=self._generator_decay,
        )
        optimizerD = optim.Adam(
            discriminator.parameters(), lr=self._discriminator_lr, betas=(0.5, 0.9),
            weight_decay=self._discriminator_decay,
        )

        steps_per_epoch = max(len(sampler) // self._batch_size, 1)
        for _epoch in range(self._epochs):
            for _ in range(steps_per_epoch):
                for _n in range(self._discriminator_steps):
                    fakez, real_cat = sampler.draw(self._batch_size)
                    fake_cat = self._generator(fakez)
                    y_fake = discriminator(fake_cat)
                    y_real = discriminator(real_cat)
                    pen = sampler.gradient_penalty(discriminator, real_cat, fake_cat)
                    loss_d = -(torch.mean(y_real) - torch.mean(y_fake))

                    optimizerD.zero_grad(set_to_none=False)
                    pen.backward(retain_graph=True)
                    loss_d.backward()
                    optimizerD.step()

                fakez, _ = sampler.draw(self._batch_size)
                y_fake = discriminator(self._generator(fakez))
                loss_g = -torch.mean(y_fake) + sampler.cond_loss(fakez)

                optimizerG.zero_grad(set_to_none=False)
                loss_g.backward()
                optimizerG.step()

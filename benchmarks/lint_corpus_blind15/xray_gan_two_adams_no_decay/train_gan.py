import torch
import torch.nn as nn
import torch.optim as optim
from torch.utils.data import DataLoader


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.Linear(100, 8 * 8 * 256), nn.ReLU(True), nn.Unflatten(1, (256, 8, 8)),
            nn.ConvTranspose2d(256, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.ReLU(True),
            nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(True),
            nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh(),
        )

    def forward(self, x):
        return self.main(x)


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(64, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(128, 256, 4, 2, 1), nn.BatchNorm2d(256), nn.LeakyReLU(0.2, inplace=True),
            nn.Flatten(), nn.Linear(8 * 8 * 256, 1), nn.Sigmoid(),
        )

    def forward(self, x):
        return self.main(x)


device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
generator = Generator().to(device)
discriminator = Discriminator().to(device)
criterion = nn.BCELoss()
optimizer_g = optim.Adam(generator.parameters(), lr=0.001)
optimizer_d = optim.Adam(discriminator.parameters(), lr=0.0003)

if __name__ == "__main__":
    dataloader = DataLoader(build_dataset(), batch_size=64, shuffle=True, num_workers=4)
    for epoch in range(150):
        for i, data in enumerate(dataloader):
            real_data = data.to(device)
            batch_size = real_data.size(0)
            labels_real = torch.ones(batch_size, 1, device=device)
            labels_fake = torch.zeros(batch_size, 1, device=device)

            optimizer_d.zero_grad()
            loss_real = criterion(discriminator(real_data).view(-1, 1), labels_real)
            fake_data = generator(torch.randn(batch_size, 100, device=device))
            loss_fake = criterion(discriminator(fake_data.detach()).view(-1, 1), labels_fake)
            loss_d = loss_real + loss_fake
            loss_d.backward()
            optimizer_d.step()

            optimizer_g.zero_grad()
            loss_g = criterion(discriminator(fake_data).view(-1, 1), labels_real)
            loss_g.backward()
            optimizer_g.step()


def build_dataset():
    raise NotImplementedError

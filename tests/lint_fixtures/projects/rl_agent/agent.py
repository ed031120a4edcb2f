"""A pixel-RL agent: the decoder's optimizer takes its weight decay from a constructor argument
whose default is 0; the training script passes a configured value."""
import torch
from torch import nn


class Decoder(nn.Module):
    def __init__(self, dim, channels):
        super().__init__()
        self.fc = nn.Linear(dim, 32 * 35 * 35)
        self.deconv = nn.ConvTranspose2d(32, channels, 3, stride=2, output_padding=1)


class Agent:
    def __init__(self, dim, channels, critic_lr=1e-3, decoder_lr=1e-3, decoder_weight_lambda=0.0):
        self.critic = nn.Linear(dim, 1)
        self.decoder = Decoder(dim, channels)
        self.critic_optimizer = torch.optim.Adam(self.critic.parameters(), lr=critic_lr)
        self.decoder_optimizer = torch.optim.Adam(
            self.decoder.parameters(), lr=decoder_lr, weight_decay=decoder_weight_lambda
        )

import torch
import torch.nn as nn

from encoder import OUT_DIM


class PixelDecoder(nn.Module):
    """Latent code -> image: a linear layer then transposed convolutions (all with biases)."""

    def __init__(self, obs_shape, feature_dim, num_layers=2, num_filters=32):
        super().__init__()
        self.num_layers = num_layers
        self.num_filters = num_filters
        self.out_dim = OUT_DIM[num_layers]
        self.fc = nn.Linear(feature_dim, num_filters * self.out_dim * self.out_dim)
        self.deconvs = nn.ModuleList()
        for _ in range(self.num_layers - 1):
            self.deconvs.append(nn.ConvTranspose2d(num_filters, num_filters, 3, stride=1))
        self.deconvs.append(nn.ConvTranspose2d(num_filters, obs_shape[0], 3, stride=2, output_padding=1))

    def forward(self, h):
        deconv = torch.relu(self.fc(h)).view(-1, self.num_filters, self.out_dim, self.out_dim)
        for i in range(self.num_layers - 1):
            deconv = torch.relu(self.deconvs[i](deconv))
        return self.deconvs[-1](deconv)


def make_decoder(decoder_type, obs_shape, feature_dim, num_layers, num_filters):
    assert decoder_type == "pixel"
    return PixelDecoder(obs_shape, feature_dim, num_layers, num_filters)

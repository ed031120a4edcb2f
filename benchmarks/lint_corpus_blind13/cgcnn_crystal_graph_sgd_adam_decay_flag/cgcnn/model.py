import torch
import torch.nn as nn


class ConvLayer(nn.Module):
    def __init__(self, atom_fea_len, nbr_fea_len):
        super().__init__()
        self.fc_full = nn.Linear(2 * atom_fea_len + nbr_fea_len, 2 * atom_fea_len)
        self.sigmoid = nn.Sigmoid()
        self.act1 = nn.Softplus()
        self.act2 = nn.Softplus()
        self.bn1 = nn.BatchNorm1d(2 * atom_fea_len)
        self.bn2 = nn.BatchNorm1d(atom_fea_len)

    def forward(self, atom_in_fea, nbr_fea, self_fea_idx, nbr_fea_idx):
        total_fea = torch.cat([atom_in_fea[self_fea_idx], atom_in_fea[nbr_fea_idx], nbr_fea], dim=1)
        filter_fea, core_fea = self.bn1(self.fc_full(total_fea)).chunk(2, dim=1)
        nbr_msg = self.sigmoid(filter_fea) * self.act1(core_fea)
        summed = torch.zeros_like(atom_in_fea).index_add_(0, self_fea_idx, nbr_msg)
        return self.act2(atom_in_fea + self.bn2(summed))


class CrystalGraphConvNet(nn.Module):
    def __init__(self, orig_atom_fea_len, nbr_fea_len, atom_fea_len=64, n_conv=3, h_fea_len=128):
        super().__init__()
        self.embedding = nn.Linear(orig_atom_fea_len, atom_fea_len)
        self.convs = nn.ModuleList([ConvLayer(atom_fea_len, nbr_fea_len) for _ in range(n_conv)])
        self.conv_to_fc = nn.Linear(atom_fea_len, h_fea_len)
        self.fc_out = nn.Linear(h_fea_len, 1)

    def forward(self, atom_fea, nbr_fea, self_fea_idx, nbr_fea_idx, crystal_atom_idx):
        atom_fea = self.embedding(atom_fea)
        for conv_func in self.convs:
            atom_fea = conv_func(atom_fea, nbr_fea, self_fea_idx, nbr_fea_idx)
        return self.fc_out(self.conv_to_fc(atom_fea))

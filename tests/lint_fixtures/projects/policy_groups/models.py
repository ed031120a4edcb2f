import torch.nn as nn

NORMS = (nn.BatchNorm2d, nn.BatchNorm3d, nn.GroupNorm)


class VideoNet(nn.Module):
    def __init__(self, num_class):
        super().__init__()
        self.conv = nn.Conv3d(3, 64, 3)
        self.bn = nn.BatchNorm3d(64)
        self.fc = nn.Linear(64, num_class)

    def get_optim_policies(self):
        """TSN-style groups: the multipliers are for the project's own LR code."""
        weights, biases, norms = [], [], []
        for m in self.modules():
            if isinstance(m, (nn.Conv3d, nn.Linear)):
                ps = list(m.parameters())
                weights.append(ps[0])
                if len(ps) == 2:
                    biases.append(ps[1])
            elif isinstance(m, NORMS):
                norms.extend(list(m.parameters()))
        return [
            {"params": weights, "lr_mult": 1, "decay_mult": 1, "name": "weight"},
            {"params": biases, "lr_mult": 2, "decay_mult": 0, "name": "bias"},
            {"params": norms, "lr_mult": 1, "decay_mult": 0, "name": "norm"},
        ]

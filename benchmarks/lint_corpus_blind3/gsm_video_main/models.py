import torch.nn as nn


class VideoModel(nn.Module):
    def get_optim_policies(self):
        first_conv_weight, first_conv_bias, normal_weight, normal_bias, bn = [], [], [], [], []
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Conv3d, nn.Linear)):
                params = list(m.parameters())
                normal_weight.append(params[0])
                if len(params) == 2:
                    normal_bias.append(params[1])
            elif isinstance(m, (nn.BatchNorm2d, nn.BatchNorm3d)):
                bn.extend(list(m.parameters()))
        return [
            {"params": normal_weight, "lr_mult": 1, "decay_mult": 1, "name": "normal_weight"},
            {"params": normal_bias, "lr_mult": 2, "decay_mult": 0, "name": "normal_bias"},
            {"params": bn, "lr_mult": 1, "decay_mult": 0, "name": "BN scale/shift"},
        ]

# Only the backbone is frozen: the head that stays trainable has biases and a LayerNorm, and AdamW
# decays them with everything else of model.parameters().
import torch
from torch import nn


class Classifier(nn.Module):
    def __init__(self, backbone, dim, classes):
        super().__init__()
        self.backbone = backbone
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, classes)


def freeze_backbone(model):
    for p in model.backbone.parameters():
        p.requires_grad = False


def main(backbone):
    model = Classifier(backbone, 768, 10)
    freeze_backbone(model)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.05)
    return model, optimizer

# A LoRA helper of this file swaps the attention Linears for LoRA wrappers but freezes nothing: the
# requires_grad filter keeps every parameter of the classifier, the head's bias and the backbone's
# norms included, and AdamW decays them.
import torch
from torch import nn

from backbone import build_classifier


class LoRALinear(nn.Module):
    def __init__(self, base, rank):
        super().__init__()
        self.base = base
        self.down = nn.Parameter(torch.zeros(rank, base.in_features))
        self.up = nn.Parameter(torch.zeros(base.out_features, rank))


def apply_lora(model, rank=8):
    for name, module in list(model.named_children()):
        if isinstance(module, nn.Linear):
            setattr(model, name, LoRALinear(module, rank))
    return model


def main():
    model = build_classifier(num_classes=37)
    model = apply_lora(model, rank=16)
    optimizer = torch.optim.AdamW(filter(lambda p: p.requires_grad, model.parameters()), lr=1e-4, weight_decay=1e-2)
    return optimizer

# LoRA attached by a project helper, but the layer norms are made trainable again by name: the
# trainable parameters handed to AdamW include the norm gains and biases, and they decay.
import torch

from lora import apply_lora
from model import load_base_model


def main(path, lr=2e-5):
    model = load_base_model(path)
    model = apply_lora(model, rank=16, alpha=32, targets=["qkv", "out_proj"])
    for name, param in model.named_parameters():
        if "norm" in name:
            param.requires_grad = True
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=lr, weight_decay=0.01)
    return optimizer

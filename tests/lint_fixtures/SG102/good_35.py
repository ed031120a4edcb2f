# LoRA attached by a project helper outside the linted file (it freezes the base model and adds
# low-rank matrices), and AdamW over the trainable parameters only: the biases, norms and
# embeddings are frozen and never handed to the optimizer, so its decay reaches only the LoRA
# matrices.
import torch

from lora import apply_lora
from model import load_base_model


def main(path, lr=2e-5):
    model = load_base_model(path)
    model = apply_lora(model, rank=16, alpha=32, targets=["qkv", "out_proj"])
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=lr, weight_decay=0.01)
    return optimizer

import torch.nn as nn

from model.lora import LoRALinear


def apply_lora_to_dinov2(model, r=8, alpha=16):
    targets = []
    for i in range(12):
        targets += [f"backbone.model.encoder.layer.{i}.attention.attention.query", f"backbone.model.encoder.layer.{i}.attention.attention.value", f"backbone.model.encoder.layer.{i}.mlp.fc1", f"backbone.model.encoder.layer.{i}.mlp.fc2"]
    for name in targets:
        parts = name.split(".")
        sub = model
        for p in parts[:-1]:
            sub = getattr(sub, p)
        layer = getattr(sub, parts[-1])
        if isinstance(layer, nn.Linear):
            setattr(sub, parts[-1], LoRALinear(layer, r=r, alpha=alpha))
    return model

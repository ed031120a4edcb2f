# Only LoRA weights are trainable: the base model is frozen, and the requires_grad filter leaves
# adapter matrices, which have no bias, norm or embedding.
import torch


def build(model, lora_rank=8):
    model.requires_grad_(False)
    for name, module in model.named_modules():
        if isinstance(module, torch.nn.Linear) and "attn" in name:
            module.lora_A = torch.nn.Parameter(torch.zeros(lora_rank, module.in_features))
            module.lora_B = torch.nn.Parameter(torch.zeros(module.out_features, lora_rank))
    trainable = [p for p in model.parameters() if p.requires_grad]
    return torch.optim.AdamW(trainable, lr=1e-4, weight_decay=0.01)

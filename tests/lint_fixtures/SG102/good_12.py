# LLaMA-Adapter fine-tuning: a helper freezes the base model and leaves only the adapter prompt and
# its gates trainable; AdamW's decay over model.parameters() touches those alone (frozen weights get
# no gradient, so no step decays them).
import torch

from lit_llama.adapter import LLaMA, LLaMAConfig, mark_only_adapter_as_trainable

weight_decay = 0.02


def main(checkpoint_path):
    model = LLaMA(LLaMAConfig(block_size=256))
    model.load_state_dict(torch.load(checkpoint_path), strict=False)
    mark_only_adapter_as_trainable(model)
    optimizer = torch.optim.AdamW(model.parameters(), lr=9e-3, weight_decay=weight_decay)
    return model, optimizer

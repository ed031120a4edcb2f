"""A PEFT model built by a helper with the default LoRA config (frozen base, only lora_A / lora_B
train, bias="none", no modules_to_save): the decay touches 2-D LoRA matrices only."""

import torch
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM


def get_model(base):
    model = AutoModelForCausalLM.from_pretrained(base, load_in_8bit=True, device_map="auto")
    config = LoraConfig(r=16, lora_alpha=32, target_modules=["q_proj", "v_proj"], bias="none")
    return get_peft_model(model, config)


def main(args):
    model = get_model(args.base)
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-4, weight_decay=0.01)
    for batch in args.loader:
        model(**batch).loss.backward()
        optimizer.step()
        optimizer.zero_grad()

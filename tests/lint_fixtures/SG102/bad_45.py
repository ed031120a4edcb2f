"""A PEFT model that trains every bias (bias="all"): AdamW decays them."""

import torch
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM


def main(args):
    model = AutoModelForCausalLM.from_pretrained(args.base)
    model = get_peft_model(model, LoraConfig(r=8, target_modules=["q_proj", "v_proj"], bias="all"))
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-4, weight_decay=0.01)
    for batch in args.loader:
        model(**batch).loss.backward()
        optimizer.step()
        optimizer.zero_grad()

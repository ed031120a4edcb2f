"""A PEFT model whose modules_to_save copies the embeddings and the final norm: they train whole
and torch AdamW decays them."""

import torch
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM


def main(args):
    model = AutoModelForCausalLM.from_pretrained(args.base)
    config = LoraConfig(r=16, target_modules=["q_proj", "v_proj"], modules_to_save=["embed_tokens", "norm"])
    model = get_peft_model(model, config)
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-4, weight_decay=0.01)
    for batch in args.loader:
        model(**batch).loss.backward()
        optimizer.step()
        optimizer.zero_grad()

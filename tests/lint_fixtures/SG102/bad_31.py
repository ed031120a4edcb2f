# LoRA fine-tuning that freezes the base model, then makes the token embeddings trainable again by
# name: AdamW's implicit decay (0.01) now shrinks the embedding table along with the adapters.
import loralib
import torch


def finetune(model, loader):
    loralib.mark_only_lora_as_trainable(model)
    for name, p in model.named_parameters():
        if "embed_tokens" in name:
            p.requires_grad = True
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=2e-4)
    for batch in loader:
        loss = model(**batch).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()

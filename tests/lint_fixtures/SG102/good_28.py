# LoRA fine-tuning that unfreezes the output head again (a weight matrix): only adapter and head
# matrices train, nothing that must not decay.
import loralib
import torch


def finetune(model, loader):
    loralib.mark_only_lora_as_trainable(model)
    for name, p in model.named_parameters():
        if name.endswith("head.weight"):
            p.requires_grad = True
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=2e-4)
    for batch in loader:
        loss = model(**batch).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()

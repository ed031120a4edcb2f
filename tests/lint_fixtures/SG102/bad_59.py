"""A T5 / BART style no-decay list (`layer_norm.weight`) over the encoder of a model the file
receives, in a script that imports pytorch_pretrained_bert: the model is taken as a Hugging Face
one, whose input embeddings this split decays at 0.01."""

from pytorch_pretrained_bert import BertAdam


def build_optimizer(model, total_steps):
    named = list(model.encoder.named_parameters())
    no_decay = ("bias", "layer_norm.weight")
    groups = [
        {"params": [p for n, p in named if not any(nd in n for nd in no_decay)], "weight_decay": 0.01},
        {"params": [p for n, p in named if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
    ]
    return BertAdam(groups, lr=3e-5, warmup=0.1, t_total=total_steps)

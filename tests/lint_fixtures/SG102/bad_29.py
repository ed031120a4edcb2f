import torch
from transformers import AutoModelForCausalLM


def main(args):
    model = AutoModelForCausalLM.from_pretrained("facebook/opt-1.3b")
    # BERT's norm name: OPT's self_attn_layer_norm / final_layer_norm do not match it
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

"""Param groups for fine-tuning: Hugging Face style, no decay on the names listed."""


def get_optimizer_grouped_parameters(model, weight_decay, no_decay_name_list=("bias",)):
    return [
        {
            "params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay_name_list) and p.requires_grad],
            "weight_decay": weight_decay,
        },
        {
            "params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay_name_list) and p.requires_grad],
            "weight_decay": 0.0,
        },
    ]


def get_split_parameters(model, weight_decay):
    no_decay = ["bias", "norm", "embed"]
    return [
        {"params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)], "weight_decay": weight_decay},
        {"params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
    ]

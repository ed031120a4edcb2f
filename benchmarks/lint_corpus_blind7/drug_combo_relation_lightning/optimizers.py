from transformers import AdamW, get_linear_schedule_with_warmup


def adamw_with_linear_warmup(named_parameters, lr, correct_bias, num_steps, warmup_proportion):
    params = list(named_parameters)
    no_decay = ["bias", "LayerNorm.bias", "LayerNorm.weight"]
    groups = [
        {"params": [p for n, p in params if not any(nd in n for nd in no_decay)], "weight_decay": 0.01},
        {"params": [p for n, p in params if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
    ]
    optimizer = AdamW(groups, lr=lr, correct_bias=correct_bias)
    scheduler = get_linear_schedule_with_warmup(optimizer, int(num_steps * warmup_proportion), num_steps)
    return {"optimizer": optimizer, "scheduler": scheduler}


def simple_adamw(named_parameters, lr, correct_bias, num_steps=None, warmup_proportion=None):
    parameters = [p for n, p in named_parameters]
    return AdamW(parameters, lr=lr, correct_bias=correct_bias)

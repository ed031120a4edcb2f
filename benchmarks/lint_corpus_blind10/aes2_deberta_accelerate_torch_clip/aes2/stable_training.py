import torch

try:
    import bitsandbytes as bnb
except ImportError:
    bnb = None


def differential_learning_rate(model, encoder_lr, decoder_lr, weight_decay=0.0, lr_factor=2.6):
    no_decay = [".bias", "LayerNorm.bias", "LayerNorm.weight"]
    name = "backbone"
    num_layers = len(model.backbone.encoder.layer)
    sub_layers = int(num_layers / 3)
    shallow_groups, middle_groups, high_groups, head_groups = [], [], [], []
    middle_layer_names = [f".{i}." for i in range(sub_layers, sub_layers * 2)]
    high_layer_names = [f".{i}." for i in range(sub_layers * 2, sub_layers * 3)]
    for n, p in model.named_parameters():
        _weight_decay = weight_decay
        if any(decay in n for decay in no_decay):
            _weight_decay = 0
        if "embeddings" in n:
            shallow_groups.append({"params": p, "lr": encoder_lr / lr_factor / lr_factor, "weight_decay": _weight_decay})
        elif name in n and any(i in n for i in middle_layer_names):
            middle_groups.append({"params": p, "lr": encoder_lr / lr_factor, "weight_decay": _weight_decay})
        elif name in n and any(i in n for i in high_layer_names):
            high_groups.append({"params": p, "lr": encoder_lr, "weight_decay": _weight_decay})
        elif name not in n:
            head_groups.append({"params": p, "lr": decoder_lr, "weight_decay": _weight_decay})
        else:
            shallow_groups.append({"params": p, "lr": encoder_lr / lr_factor / lr_factor, "weight_decay": _weight_decay})
    return shallow_groups + middle_groups + high_groups + head_groups


def get_optimizer(model_parameters, config):
    model_classes = {"adamw8bit": bnb.optim.AdamW8bit if bnb is not None else None, "adamw": torch.optim.AdamW}
    name = config.optim.optimizer.get("name", "adamw8bit")
    model_class = model_classes[name.lower()]
    return model_class(model_parameters, lr=config.optim.optimizer.lr, betas=config.optim.optimizer.get("betas", (0.9, 0.999)), eps=config.optim.optimizer.eps, weight_decay=config.optim.optimizer.weight_decay)

import torch


def build_optimizer(model, optimizer_conf):
    params = [p for p in model.parameters() if p.requires_grad]
    if optimizer_conf["type"] == "adam":
        if optimizer_conf["8bit"]:
            import bitsandbytes as bnb
            return bnb.optim.Adam8bit(params, **optimizer_conf["params"])
        return torch.optim.Adam(params, **optimizer_conf["params"])
    if optimizer_conf["type"] == "adamw":
        if optimizer_conf["8bit"]:
            import bitsandbytes as bnb
            return bnb.optim.AdamW8bit(params, **optimizer_conf["params"])
        return torch.optim.AdamW(params, **optimizer_conf["params"])
    raise ValueError(optimizer_conf["type"])

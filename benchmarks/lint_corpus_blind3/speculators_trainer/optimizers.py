import torch

_ADAMW_NAME_HINTS = ("embed_tokens", "lm_head", "codebook")


def split_named_params_for_muon(model):
    muon_params, adamw_params, excluded = [], [], []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        if param.ndim != 2 or min(param.shape) == 1:
            adamw_params.append((name, param))
        elif any(hint in name for hint in _ADAMW_NAME_HINTS):
            excluded.append((name, param))
        else:
            muon_params.append((name, param))
    return muon_params, adamw_params, excluded


def build_optimizers(model, config):
    if config.optimizer == "adamw":
        return [
            torch.optim.AdamW(
                model.named_parameters(),
                lr=config.lr,
                weight_decay=config.weight_decay,
            )
        ]
    if config.optimizer == "muon":
        muon_params, adamw_params, excluded = split_named_params_for_muon(model)
        optimizers = []
        if muon_params:
            optimizers.append(
                torch.optim.Muon(muon_params, lr=config.muon_lr, momentum=config.muon_momentum, weight_decay=config.muon_weight_decay)
            )
        if adamw_params:
            optimizers.append(
                torch.optim.AdamW(
                    adamw_params,
                    lr=config.lr,
                    weight_decay=config.weight_decay,
                )
            )
        if excluded:
            optimizers.append(
                torch.optim.AdamW(
                    excluded,
                    lr=config.muon_lr,
                    weight_decay=config.muon_weight_decay,
                )
            )
        return optimizers
    raise ValueError(f"Unsupported optimizer: {config.optimizer!r}")

from torch.optim import AdamW


def build(model, cfg):
    decay = [p for p in model.parameters() if p.ndim >= 2]
    no_decay = [p for p in model.parameters() if p.ndim < 2]
    return AdamW(
        [{"params": decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=cfg.lr,
        weight_decay=0.05,
    )

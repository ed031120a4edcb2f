# Param groups written with dict(...) calls: Adam couples the decay of the group that sets one.
import torch


def build_optimizer(model, lr):
    return torch.optim.Adam(
        [
            dict(params=model.encoder.parameters(), weight_decay=5e-4),
            dict(params=model.decoder.parameters(), weight_decay=0.0),
        ],
        lr=lr,
    )

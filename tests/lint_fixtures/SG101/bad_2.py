import torch.optim as optim

from myproject.model import build_model, param_groups

WEIGHT_DECAY = 5e-4


def make_optimizer(model):
    return optim.Adam(
        param_groups(model),
        lr=1e-3,  # tuned on the small config
        weight_decay=WEIGHT_DECAY,
    )


model = build_model()
optimizer = make_optimizer(model)

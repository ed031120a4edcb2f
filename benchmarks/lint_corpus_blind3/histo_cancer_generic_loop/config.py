import torch

TRAINER_CONFIG = dict(
    max_epochs=25,
    device=torch.device("cuda:0" if torch.cuda.is_available() else "cpu"),
    accuracy_goal=0.97,
    gradient_accumulation=1,
    mode="training",
)

OPTIMIZER_CONFIG = dict(
    batch_size=64,
    use_optimizer="adam",
    lr=0.01,
    weight_decay=0,
    betas=(0.9, 0.999),
    eps=1e-08,
    momentum=0,
)

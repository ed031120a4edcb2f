import torch
from torch_rechub.ctr_trainer import CTRTrainer
from torch_rechub.models.ranking import DeepFM


def main(features, train_dl, val_dl, device="cpu", epoch=2, learning_rate=1e-3, weight_decay=1e-3):
    model = DeepFM(deep_features=features, fm_features=features, mlp_params={"dims": [256, 128], "dropout": 0.2, "activation": "relu"})
    trainer = CTRTrainer(model, optimizer_params={"lr": learning_rate, "weight_decay": weight_decay}, n_epoch=epoch, device=device)
    trainer.fit(train_dl, val_dl)
    return trainer

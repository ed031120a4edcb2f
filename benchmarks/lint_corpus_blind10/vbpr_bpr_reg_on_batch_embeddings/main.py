import torch
from torch.utils.data import DataLoader

from model import VBPR
from trainer import BPRTrainer


def main(dataset, train_dataset):
    model = VBPR(dataset.n_users, dataset.n_items, 64, dataset.t_feat)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
    dataloader = DataLoader(train_dataset, batch_size=32, shuffle=True)
    trainer = BPRTrainer({"model": model, "optimizer": optimizer, "dataloader": dataloader, "reg_weight": 0.01})
    for _ in range(10):
        trainer.train_epoch()

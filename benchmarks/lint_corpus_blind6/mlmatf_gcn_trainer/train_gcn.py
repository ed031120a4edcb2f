import torch
import torch.nn as nn
from torch.optim import Adam

from models import GCN
from utils import load_cora, load_train_config


class GATTrainer:
    def __init__(self, config):
        self._config = config
        self._device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        features, labels, topology = load_cora(config["data_dir"])
        self._data = (features.to(self._device), topology.to(self._device))
        self._labels = labels.to(self._device)
        self._model = GCN(**config["model_kwargs"]).to(self._device)
        self._criterion = nn.CrossEntropyLoss()
        self._optimizer = Adam(self._model.parameters(), lr=config["lr"], weight_decay=config["weight_decay"])

    def run_training(self, train_idx):
        for epoch in range(1, self._config["epochs"] + 1):
            self._model.train()
            self._optimizer.zero_grad()
            pred = self._model(self._data)[0].index_select(0, train_idx)
            loss = self._criterion(pred, self._labels.index_select(0, train_idx))
            loss.backward()
            self._optimizer.step()


if __name__ == "__main__":
    config = load_train_config("configs/config_gcn.json")
    GATTrainer(config).run_training(torch.arange(0, 140))

import numpy as np
import torch.nn as nn
import torch.optim as optim


class GMFTrainer:
    def __init__(self, model, train_loader, device):
        self.model = model
        self.train_loader = train_loader
        self.device = device

    def train_with_weight_decay(self, epochs, lr, weight_decay=0.01):
        self.model = self.model.to(self.device)
        mse = nn.MSELoss()
        optimizer = optim.AdamW(self.model.parameters(), lr=lr, weight_decay=weight_decay)
        history = []
        for epoch in range(epochs):
            self.model.train()
            losses = []
            for users, items, target in self.train_loader:
                pred = self.model(users.to(self.device), items.to(self.device))
                loss = mse(pred, target.to(self.device))
                losses.append(loss.item())
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            history.append(np.mean(losses))
        return history

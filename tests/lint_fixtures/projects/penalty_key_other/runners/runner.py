"""Runner whose LOSS_L2 key comes from another constants module than the model's: a different
key, not the stored penalty."""

import torch

from metrics.keys import LOSS, LOSS_L2


class Runner:
    def __init__(self, lr=1e-3, l2=1e-5, l2s=1e-4):
        self.lr = lr
        self.l2 = l2
        self.l2s = l2s

    def fit(self, model, batches):
        optimizer = torch.optim.AdamW(model.parameters(), lr=self.lr, weight_decay=self.l2)
        for batch in batches:
            optimizer.zero_grad()
            out = model(batch)
            l2 = out[LOSS_L2]
            loss = out[LOSS] + l2 * self.l2s
            loss.backward()
            optimizer.step()

    def fit_without_penalty(self, model, batches):
        optimizer = torch.optim.AdamW(model.parameters(), lr=self.lr, weight_decay=self.l2)
        for batch in batches:
            optimizer.zero_grad()
            loss = model(batch)[LOSS]
            loss.backward()
            optimizer.step()

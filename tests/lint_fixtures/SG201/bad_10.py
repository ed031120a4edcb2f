# The loss comes out of a helper that returns (mean loss, metric); the window counts batches.
import torch
from torch import nn


def get_loss(pred, target):
    loss = nn.MSELoss()(pred.view(-1, 1), target.view(-1, 1))
    error = torch.abs(pred.view(-1, 1) - target.view(-1, 1))
    return loss, error


def train(loader, model, optimizer, optimize_after=8):
    iteration = 0
    for x, y in loader:
        loss, err = get_loss(model(x), y)
        loss.backward()
        iteration += 1
        if iteration % optimize_after == 0:
            optimizer.step()
            optimizer.zero_grad()

import torch
import torch.nn as nn
from tqdm import tqdm


def get_loss(predictions, targets, y_mean=-7, y_std=6):
    masks = (targets / targets.natoms - y_mean) / y_std
    loss = nn.MSELoss()(predictions.view(-1, 1), masks.view(-1, 1))
    accuracy = torch.abs(predictions.view(-1, 1) - masks.view(-1, 1))
    return loss, accuracy


# Older version, kept commented out in the file:
# def train_fn(data_loader, model, optimizer, device, optimize_after=8):
#     for images in tqdm(data_loader):
#         optimizer.zero_grad()
#         loss, acc = model(images)
#         loss.backward()
#         if iteration % optimize_after == 0:
#             optimizer.step()


def train_fn(data_loader, model, optimizer, device, optimize_after=8):
    model.train()
    total_loss = 0.0
    iteration = 0
    for images in tqdm(data_loader):
        images = images.to(device)
        optimizer.zero_grad()
        predictions = model(images)
        loss, acc = get_loss(predictions, images.y)
        loss.backward()
        iteration += 1
        if iteration % optimize_after == 0:
            optimizer.step()
            iteration = 0
            total_loss += loss.item()
    return total_loss / (len(data_loader) // optimize_after)

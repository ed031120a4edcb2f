import torch
from torch import nn, optim

from transformer import VisionTransformer

model = VisionTransformer()
loss_fn = nn.CrossEntropyLoss()
optimizer = optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-5)


def train(train_dataloader, model, loss_fn, optimizer, device, num_epochs=10):
    model = model.to(device)
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=num_epochs)
    for epoch in range(num_epochs):
        model.train()
        for images, labels in train_dataloader:
            digit_predictions = model(images.to(device))
            pass
    return scheduler

import torch
import torch.nn as nn
import torch.optim as optim
from torch.optim import lr_scheduler

from tools.dataloader_bg import DataLoaderX

device = torch.device("cuda")
train_batch_size = 1200
lr = 1e-5
train_loader = DataLoaderX(torch.load("simpsons_train.pt"), batch_size=train_batch_size, shuffle=True, pin_memory=True)
model = torch.load("./classification/pretrained_model/resnext101_32x8d.pth")
model.fc = nn.Linear(model.fc.in_features, 20)
for name, param in model.named_parameters():
    if name == "layer4.0.conv1.weight":
        break
    param.requires_grad = False
criterion = nn.CrossEntropyLoss()
optimizer = optim.Adam(model.parameters(), lr=lr)
scheduler = lr_scheduler.CosineAnnealingLR(optimizer, T_max=100, eta_min=1e-6, last_epoch=-1)
model.to(device, non_blocking=True)
scaler = torch.cuda.amp.GradScaler()
n_epochs = 100
for epoch in range(1, n_epochs + 1):
    model.train()
    for data, target in train_loader:
        data, target = data.to(device, non_blocking=True), target.to(device, non_blocking=True)
        optimizer.zero_grad()
        with torch.cuda.amp.autocast():
            loss = criterion(model(data).squeeze(), target)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
    scheduler.step()

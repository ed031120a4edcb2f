import argparse

import torch
import torch.nn as nn
import torch.optim as optim
from torchvision.models import resnet34

ap = argparse.ArgumentParser()
ap.add_argument("--model", default="resnet34")
ap.add_argument("--epoch", default=100, type=int)
ap.add_argument("--optimizer", default="AdamW", help="SGD/Adam/AdamW")
args = vars(ap.parse_args())

device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
model_ft = resnet34()
model_ft.fc = nn.Linear(model_ft.fc.in_features, NUM_CLASSES)
model_ft = model_ft.to(device)
criterion = nn.CrossEntropyLoss()

optimizer = args["optimizer"]
if optimizer == "SGD":
    optimizer_ft = optim.SGD(model_ft.parameters(), lr=0.001, weight_decay=0.005, momentum=0.9)
elif optimizer == "Adam":
    optimizer_ft = optim.Adam(model_ft.parameters(), lr=0.001, weight_decay=1e-5)
elif optimizer == "AdamW":
    optimizer_ft = optim.AdamW(model_ft.parameters(), lr=0.001, weight_decay=1e-5)

scaler_fit = torch.cuda.amp.GradScaler()


def train_model(model, criterion, optimizer, scaler, num_epochs=30):
    for epoch in range(num_epochs):
        for phase in ["train", "valid"]:
            model.train() if phase == "train" else model.eval()
            for inputs, labels in dataloaders[phase]:
                inputs, labels = inputs.to(device), labels.to(device)
                optimizer.zero_grad()
                with torch.cuda.amp.autocast():
                    outputs = model(inputs)
                    loss = criterion(outputs, labels)
                    if phase == "train":
                        scaler.scale(loss).backward()
                        scaler.step(optimizer)
                        scaler.update()
    return model


model_ft = train_model(model_ft, criterion, optimizer_ft, scaler_fit, num_epochs=args["epoch"])

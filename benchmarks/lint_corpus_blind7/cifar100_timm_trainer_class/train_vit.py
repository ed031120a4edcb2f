import timm
import torch
import torch.nn as nn


class ModelTrainer:
    def __init__(self, model_name="resnet34", num_classes=100):
        self.device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        self.model = timm.create_model(model_name, pretrained=True, num_classes=num_classes).to(self.device)
        self.criterion = nn.CrossEntropyLoss()
        self.optimizer = torch.optim.AdamW(
            self.model.parameters(),
            lr=1e-3,
            weight_decay=0.05,
        )
        self.scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(
            self.optimizer,
            T_max=10,
        )

    def train_epoch(self):
        self.model.train()
        for inputs, labels in self.train_loader:
            inputs, labels = inputs.to(self.device), labels.to(self.device)
            self.optimizer.zero_grad()
            loss = self.criterion(self.model(inputs), labels)
            loss.backward()
            self.optimizer.step()

    def train(self, epochs=10):
        for epoch in range(epochs):
            self.train_epoch()
            self.evaluate()
            self.scheduler.step()


def main():
    choice = input("Choose model (1-3) [default: 1]: ").strip()
    model_name = {"1": "resnet34", "2": "resnet50", "3": "vit_small_patch16_224", "": "resnet34"}.get(choice, "resnet34")
    epochs_input = input("Number of epochs [default: 10]: ").strip()
    trainer = ModelTrainer(model_name=model_name)
    trainer.train(epochs=int(epochs_input) if epochs_input else 10)

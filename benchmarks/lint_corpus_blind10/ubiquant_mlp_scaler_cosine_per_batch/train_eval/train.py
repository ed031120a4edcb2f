import torch
import torch.optim as optim
from Dataloader.dataloader import LibriItems, LibriSamples


class Train:
    def __init__(self, model, optimizer, criterion, scaler, batch_size, path, epoch, num_workers):
        self.model = model.cuda()
        self.optimizer = optimizer
        self.criterion = criterion
        self.scaler = scaler
        self.batch_size = batch_size
        self.epochs = epoch
        self.device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        self.samples = LibriSamples(path)

    def train(self):
        for epoch in range(self.epochs):
            total_loss = 0
            for i in range(len(self.samples)):
                X, Y = self.samples[i]
                train_loader = torch.utils.data.DataLoader(LibriItems(X, Y), batch_size=self.batch_size, shuffle=True)
                self.scheduler = optim.lr_scheduler.CosineAnnealingLR(self.optimizer, T_max=(len(train_loader) * self.epochs))
                for batch_idx, (data, target) in enumerate(train_loader):
                    data = data.float().to(self.device)
                    target = target.float().to(self.device)
                    with torch.cuda.amp.autocast():
                        outputs = self.model(data)
                        loss = self.criterion(outputs, target)
                    self.optimizer.step()
                    total_loss += float(loss)
                    self.scaler.scale(loss).backward()
                    self.scaler.step(self.optimizer)
                    self.scaler.update()
                    self.scheduler.step()

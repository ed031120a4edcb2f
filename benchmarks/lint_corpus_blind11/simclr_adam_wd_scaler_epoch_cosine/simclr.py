import torch
import torch.nn.functional as F
from torch.cuda.amp import GradScaler, autocast


class SimCLR:
    def __init__(self, *args, **kwargs):
        self.args = kwargs["args"]
        self.model = kwargs["model"].to(self.args.device)
        self.optimizer = kwargs["optimizer"]
        self.scheduler = kwargs["scheduler"]
        self.criterion = torch.nn.CrossEntropyLoss().to(self.args.device)

    def info_nce_loss(self, features):
        n = self.args.batch_size
        labels = torch.cat([torch.arange(n) for _ in range(self.args.n_views)], dim=0)
        labels = (labels.unsqueeze(0) == labels.unsqueeze(1)).float().to(self.args.device)
        features = F.normalize(features, dim=1)
        sim = features @ features.T
        mask = torch.eye(labels.shape[0], dtype=torch.bool, device=self.args.device)
        labels = labels[~mask].view(labels.shape[0], -1)
        sim = sim[~mask].view(sim.shape[0], -1)
        logits = torch.cat([sim[labels.bool()].view(labels.shape[0], -1), sim[~labels.bool()].view(sim.shape[0], -1)], dim=1)
        return logits / self.args.temperature, torch.zeros(logits.shape[0], dtype=torch.long, device=self.args.device)

    def train(self, train_loader):
        scaler = GradScaler(enabled=self.args.fp16_precision)
        for epoch_counter in range(self.args.epochs):
            for images, _ in train_loader:
                images = torch.cat(images, dim=0).to(self.args.device)
                with autocast(enabled=self.args.fp16_precision):
                    features = self.model(images)
                    logits, labels = self.info_nce_loss(features)
                    loss = self.criterion(logits, labels)
                self.optimizer.zero_grad()
                scaler.scale(loss).backward()
                scaler.step(self.optimizer)
                scaler.update()

            # warm-up for the first 10 epochs
            if epoch_counter >= 10:
                self.scheduler.step()

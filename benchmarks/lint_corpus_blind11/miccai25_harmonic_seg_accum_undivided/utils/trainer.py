import torch


class Trainer:
    def __init__(self, model, optimizer, criterion, scheduler, train_params, device):
        self.model = model
        self.optimizer = optimizer
        self.criterion = criterion
        self.scheduler = scheduler
        self.train_params = train_params
        self.device = device
        self.precision = torch.bfloat16 if train_params["autocast"] else torch.float32

    def train(self, train_loader, val_loader):
        self.model.to(self.device)
        aggregation = self.train_params["aggregation"]
        for epoch in range(self.train_params["epochs"]):
            self.model.train()
            self.optimizer.zero_grad()
            for i, batch in enumerate(train_loader):
                imgs = batch["image"].to(self.device)
                masks = batch["label"].to(self.device)
                with torch.autocast("cuda", dtype=self.precision):
                    outputs = self.model(imgs)
                    loss = self.criterion(outputs, masks)
                loss.backward()

                if ((i + 1) % aggregation == 0) or (i == len(train_loader) - 1):
                    torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
                    self.optimizer.step()
                    self.optimizer.zero_grad()

            self.scheduler.step()
            self.evaluate(val_loader)

    @torch.inference_mode()
    def evaluate(self, loader):
        self.model.eval()
        total = 0.0
        for batch in loader:
            out = self.model(batch["image"].to(self.device))
            total += self.criterion(out, batch["label"].to(self.device)).item()
        return total / len(loader)

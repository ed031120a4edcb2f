import torch


def to_device(batch, device):
    return {k: v.to(device) for k, v in batch.items()}


class SFTTrainer:
    def __init__(self, model, optim, lr_scheduler, max_epochs=2, device="cuda"):
        self.model = model
        self.optimizer = optim
        self.scheduler = lr_scheduler
        self.max_epochs = max_epochs
        self.device = torch.device(device)

    def fit(self, train_dataloader):
        self.train_dataloader = train_dataloader
        for epoch in range(self.max_epochs):
            self._train(epoch)

    def _train(self, epoch):
        self.model.train()
        for batch_id, batch in enumerate(self.train_dataloader):
            batch = to_device(batch, self.device)
            outputs = self.model(batch["input_ids"], labels=batch["labels"])
            loss = outputs.loss
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            self.scheduler.step()

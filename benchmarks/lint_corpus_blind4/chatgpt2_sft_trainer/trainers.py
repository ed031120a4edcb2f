import torch
from torch import nn, optim
from torch.utils.data import DataLoader


def logprobs_from_logits(logits, labels):
    logp = torch.log_softmax(logits, dim=-1)
    return torch.gather(logp, 2, labels.unsqueeze(2)).squeeze(-1)


class SFTTrainer:
    def __init__(self, cfg, device, model: nn.Module, train_dataset, test_dataset):
        self.cfg = cfg
        self.device = device
        self.train_dataloader = iter(DataLoader(train_dataset, batch_size=cfg.batch_size, num_workers=6, pin_memory=True))
        self.model = model

    def fit(self, optimizer_name="Adam"):
        if optimizer_name == "SGD":
            self.optimizer = optim.SGD(self.model.parameters(), lr=self.cfg.lr)
        elif optimizer_name == "momentum":
            self.optimizer = optim.SGD(self.model.parameters(), lr=self.cfg.lr, momentum=0.9)
        elif optimizer_name == "nesterov":
            self.optimizer = optim.SGD(self.model.parameters(), lr=self.cfg.lr, momentum=0.9, nesterov=True)
        elif optimizer_name == "Adam":
            self.optimizer = optim.Adam(self.model.parameters(), lr=self.cfg.lr)
        elif optimizer_name == "AdamW":
            self.optimizer = optim.AdamW(self.model.parameters(), lr=self.cfg.lr)
        else:
            raise ValueError("Invalid optimizer name")
        self.model = self.model.to(self.device)
        for it in range(self.cfg.max_steps):
            x, y = next(self.train_dataloader)
            x = x.to(self.device)
            y = y.to(self.device)
            logits = self.model(x)
            loss = -logprobs_from_logits(logits, y).mean()
            loss.backward()
            self.optimizer.step()
            self.optimizer.zero_grad(set_to_none=True)

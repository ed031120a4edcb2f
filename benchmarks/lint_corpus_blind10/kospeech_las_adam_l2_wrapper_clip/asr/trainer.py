import torch
import torch.nn as nn


class Seq2SeqTrainer:
    def __init__(self, optimizer, criterion, device, architecture="seq2seq"):
        self.optimizer = optimizer
        self.criterion = criterion
        self.device = device
        self.architecture = architecture

    def train_epoch(self, model, queue, teacher_forcing_ratio, num_workers):
        model.train()
        total = 0.0
        while True:
            inputs, targets, input_lengths, target_lengths = queue.get()
            if inputs.shape[0] == 0:
                num_workers -= 1
                if num_workers == 0:
                    break
                continue
            inputs, targets = inputs.to(self.device), targets.to(self.device)
            if self.architecture == "seq2seq":
                logit = torch.stack(model(inputs, input_lengths, targets,
                                          teacher_forcing_ratio=teacher_forcing_ratio), dim=1)
            else:
                logit = model(inputs, input_lengths, targets)
            targets = targets[:, 1:]
            loss = self.criterion(logit.contiguous().view(-1, logit.size(-1)), targets.contiguous().view(-1))
            total += loss.item()

            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step(model)
        return total


class TinyListenAttendSpell(nn.Module):
    """Stand-in for the LAS model: conv front end with BatchNorm, GRU encoder, embedding + GRU speller."""

    def __init__(self, n_mels=80, hidden_dim=256, num_classes=2038):
        super().__init__()
        self.extractor = nn.Sequential(nn.Conv2d(1, 64, 3, padding=1), nn.BatchNorm2d(64), nn.Hardtanh(0, 20))
        self.encoder = nn.GRU(64 * n_mels, hidden_dim, num_layers=3, batch_first=True)
        self.embedding = nn.Embedding(num_classes, hidden_dim)
        self.decoder = nn.GRU(hidden_dim, hidden_dim, num_layers=2, batch_first=True)
        self.fc = nn.Linear(hidden_dim, num_classes)

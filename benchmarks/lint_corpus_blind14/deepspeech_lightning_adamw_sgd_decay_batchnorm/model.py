import pytorch_lightning as pl
import torch
import torch.nn as nn
from omegaconf import OmegaConf

from configs import AdamConfig, SGDConfig


class BatchRNN(nn.Module):
    def __init__(self, input_size, hidden_size, batch_norm=True):
        super().__init__()
        self.batch_norm = nn.BatchNorm1d(input_size) if batch_norm else None
        self.rnn = nn.LSTM(input_size=input_size, hidden_size=hidden_size, bidirectional=True, bias=True)

    def forward(self, x):
        if self.batch_norm is not None:
            x = self.batch_norm(x.transpose(1, 2)).transpose(1, 2)
        x, _ = self.rnn(x)
        return x.view(x.size(0), x.size(1), 2, -1).sum(2)


class DeepSpeech(pl.LightningModule):
    def __init__(self, num_classes, rnn_input_size, optim_cfg, hidden_size=1024, hidden_layers=5):
        super().__init__()
        self.optim_cfg = optim_cfg
        self.conv = nn.Sequential(
            nn.Conv2d(1, 32, kernel_size=(41, 11), stride=(2, 2), padding=(20, 5)),
            nn.BatchNorm2d(32),
            nn.Hardtanh(0, 20, inplace=True),
            nn.Conv2d(32, 32, kernel_size=(21, 11), stride=(2, 1), padding=(10, 5)),
            nn.BatchNorm2d(32),
            nn.Hardtanh(0, 20, inplace=True),
        )
        self.rnns = nn.Sequential(
            BatchRNN(rnn_input_size, hidden_size, batch_norm=False),
            *(BatchRNN(hidden_size, hidden_size) for _ in range(hidden_layers - 1)),
        )
        self.fc = nn.Sequential(nn.BatchNorm1d(hidden_size), nn.Linear(hidden_size, num_classes, bias=False))
        self.criterion = nn.CTCLoss()

    def training_step(self, batch, batch_idx):
        inputs, targets, input_sizes, target_sizes = batch
        out = self(inputs)
        return self.criterion(out.log_softmax(-1), targets, input_sizes, target_sizes)

    def configure_optimizers(self):
        if OmegaConf.get_type(self.optim_cfg) is SGDConfig:
            optimizer = torch.optim.SGD(
                params=self.parameters(),
                lr=self.optim_cfg.learning_rate,
                momentum=self.optim_cfg.momentum,
                nesterov=True,
                weight_decay=self.optim_cfg.weight_decay,
            )
        elif OmegaConf.get_type(self.optim_cfg) is AdamConfig:
            optimizer = torch.optim.AdamW(
                params=self.parameters(),
                lr=self.optim_cfg.learning_rate,
                betas=self.optim_cfg.betas,
                eps=self.optim_cfg.eps,
                weight_decay=self.optim_cfg.weight_decay,
            )
        else:
            raise ValueError("Optimizer has not been specified correctly.")
        scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer=optimizer, gamma=self.optim_cfg.learning_anneal)
        return [optimizer], [scheduler]

import torch
import torch.nn as nn
import torch.nn.functional as F
from torchlibrosa.stft import LogmelFilterBank, Spectrogram


class DoubleConv(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, kernel_size=3, padding=1, bias=False)
        self.conv2 = nn.Conv2d(cout, cout, kernel_size=3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.bn2 = nn.BatchNorm2d(cout)

    def forward(self, x, pool_size=(2, 2)):
        x = F.relu_(self.bn1(self.conv1(x)))
        x = F.relu_(self.bn2(self.conv2(x)))
        return F.avg_pool2d(x, kernel_size=pool_size)


class Tagger14(nn.Module):
    def __init__(self, sample_rate, window_size, hop_size, mel_bins, fmin, fmax, classes_num):
        super().__init__()
        self.spectrogram = Spectrogram(n_fft=window_size, hop_length=hop_size, freeze_parameters=True)
        self.logmel = LogmelFilterBank(sr=sample_rate, n_fft=window_size, n_mels=mel_bins,
                                       fmin=fmin, fmax=fmax, freeze_parameters=True)
        self.bn0 = nn.BatchNorm2d(64)
        self.blocks = nn.ModuleList([DoubleConv(1, 64), DoubleConv(64, 128), DoubleConv(128, 256),
                                     DoubleConv(256, 512), DoubleConv(512, 1024), DoubleConv(1024, 2048)])
        self.fc1 = nn.Linear(2048, 2048, bias=True)
        self.fc_out = nn.Linear(2048, classes_num, bias=True)

    def forward(self, waveform, mixup_lambda=None):
        x = self.logmel(self.spectrogram(waveform))
        x = self.bn0(x.transpose(1, 3)).transpose(1, 3)
        for block in self.blocks:
            x = F.dropout(block(x), p=0.2, training=self.training)
        x = torch.mean(x, dim=3)
        x = torch.max(x, dim=2)[0] + torch.mean(x, dim=2)
        x = F.relu_(self.fc1(F.dropout(x, p=0.5, training=self.training)))
        return {"clipwise_output": torch.sigmoid(self.fc_out(x))}

import torch.nn as nn


class Tacotron2(nn.Module):
    def __init__(self, hparams):
        super().__init__()
        self.embedding = nn.Embedding(hparams.n_symbols, hparams.symbols_embedding_dim)
        self.encoder = nn.Sequential(nn.Conv1d(512, 512, 5, padding=2), nn.BatchNorm1d(512), nn.ReLU())
        self.decoder = nn.LSTM(512, 1024, batch_first=True)
        self.postnet = nn.Sequential(nn.Conv1d(80, 512, 5, padding=2), nn.BatchNorm1d(512), nn.Tanh())

    def parse_batch(self, batch):
        return batch[0], batch[1]

    def forward(self, x):
        return self.decoder(self.encoder(self.embedding(x).transpose(1, 2)).transpose(1, 2))[0]

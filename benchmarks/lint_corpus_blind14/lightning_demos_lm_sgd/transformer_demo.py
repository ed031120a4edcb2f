import torch
import torch.nn as nn
from lightning.pytorch import LightningModule


class Transformer(nn.Module):
    def __init__(self, vocab_size=33278, ninp=200, nhead=2, nhid=200, nlayers=2, dropout=0.2):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, ninp)
        self.transformer = nn.Transformer(d_model=ninp, nhead=nhead, num_encoder_layers=nlayers,
                                          num_decoder_layers=nlayers, dim_feedforward=nhid, dropout=dropout,
                                          batch_first=True)
        self.decoder = nn.Linear(ninp, vocab_size)

    def forward(self, inputs, target):
        out = self.transformer(self.embedding(inputs), self.embedding(target))
        return torch.log_softmax(self.decoder(out), dim=-1).view(-1, self.decoder.out_features)


class LightningTransformer(LightningModule):
    def __init__(self, vocab_size=33278):
        super().__init__()
        self.model = Transformer(vocab_size=vocab_size)

    def training_step(self, batch, batch_idx):
        inputs, target = batch
        return torch.nn.functional.nll_loss(self.model(inputs, target), target.view(-1))

    def configure_optimizers(self):
        return torch.optim.SGD(self.model.parameters(), lr=0.1)

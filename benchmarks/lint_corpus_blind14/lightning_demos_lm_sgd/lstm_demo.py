import torch
import torch.nn as nn
import torch.nn.functional as F
from lightning.pytorch import LightningModule


class SimpleLSTM(nn.Module):
    def __init__(self, vocab_size=33278, ninp=512, nhid=512, nlayers=4, dropout=0.2):
        super().__init__()
        self.encoder = nn.Embedding(vocab_size, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers, dropout=dropout, batch_first=True)
        self.decoder = nn.Linear(nhid, vocab_size)

    def forward(self, x, hidden):
        out, hidden = self.rnn(self.encoder(x), hidden)
        return F.log_softmax(self.decoder(out), dim=-1).view(-1, self.decoder.out_features), hidden


class LightningLSTM(LightningModule):
    def __init__(self, vocab_size=33278):
        super().__init__()
        self.model = SimpleLSTM(vocab_size=vocab_size)
        self.hidden = None

    def training_step(self, batch, batch_idx):
        inputs, target = batch
        output, self.hidden = self.model(inputs, self.hidden)
        self.hidden = tuple(h.detach() for h in self.hidden)
        return F.nll_loss(output, target.view(-1))

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=20.0)

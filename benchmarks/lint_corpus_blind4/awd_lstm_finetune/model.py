import torch.nn as nn


class RNNModel(nn.Module):
    def __init__(self, ntoken, ninp, nhid, nlayers, tie_weights=True):
        super().__init__()
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnns = nn.ModuleList([nn.LSTM(ninp if l == 0 else nhid, nhid if l != nlayers - 1 else ninp, 1) for l in range(nlayers)])
        self.decoder = nn.Linear(ninp, ntoken)
        if tie_weights:
            self.decoder.weight = self.encoder.weight

    def forward(self, data, hidden):
        emb = self.encoder(data)
        raw_outputs, outputs, new_hidden = [], [], []
        out = emb
        for rnn, h in zip(self.rnns, hidden):
            out, nh = rnn(out, h)
            new_hidden.append(nh)
            raw_outputs.append(out)
            outputs.append(out)
        return out, new_hidden, raw_outputs, outputs

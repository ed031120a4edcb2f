import torch.nn as nn
import torch.nn.functional as F

from utils import MixedDropout, MixedLinear


class PPNP(nn.Module):
    def __init__(self, nfeatures, nclasses, hiddenunits, drop_prob, propagation, bias=False):
        super().__init__()
        fcs = [MixedLinear(nfeatures, hiddenunits[0], bias=bias)]
        for i in range(1, len(hiddenunits)):
            fcs.append(nn.Linear(hiddenunits[i - 1], hiddenunits[i], bias=bias))
        fcs.append(nn.Linear(hiddenunits[-1], nclasses, bias=bias))
        self.fcs = nn.ModuleList(fcs)
        self.reg_params = list(self.fcs[0].parameters())
        self.dropout = MixedDropout(drop_prob) if drop_prob else (lambda x: x)
        self.act_fn = nn.ReLU()
        self.propagation = propagation

    def forward(self, attr_matrix, idx):
        h = self.act_fn(self.fcs[0](self.dropout(attr_matrix)))
        for fc in self.fcs[1:-1]:
            h = self.act_fn(fc(h))
        return F.log_softmax(self.propagation(self.fcs[-1](self.dropout(h)), idx), dim=-1)

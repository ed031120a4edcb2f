import torch
import torch.nn as nn
import torch.nn.functional as F


class GCNLayer(nn.Module):
    def __init__(self, in_channels, out_channels, bias=True):
        super().__init__()
        self.weight = nn.Linear(in_channels, out_channels, bias=False)
        if bias:
            self.bias = nn.Parameter(torch.zeros(out_channels))

    def forward(self, inputs, adj):
        return torch.matmul(adj, self.weight(inputs)) + self.bias


class GCN(nn.Module):
    def __init__(self, input_dim, hidden_dim, output_dim):
        super().__init__()
        self.conv1 = GCNLayer(input_dim, hidden_dim)
        self.conv2 = GCNLayer(hidden_dim, output_dim)

    def forward(self, x, adj):
        h = F.dropout(F.relu(self.conv1(x, adj)), training=self.training, p=0.5)
        logits = self.conv2(h, adj)
        return logits, F.log_softmax(logits, dim=1)

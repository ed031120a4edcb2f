import torch
from torch.nn import functional as F


class ConvE(torch.nn.Module):
    def __init__(self, args, num_entities, num_relations):
        super().__init__()
        self.emb_e = torch.nn.Embedding(num_entities, args.embedding_dim, padding_idx=0)
        self.emb_rel = torch.nn.Embedding(num_relations, args.embedding_dim, padding_idx=0)
        self.conv1 = torch.nn.Conv2d(1, 32, (3, 3), 1, 0, bias=args.use_bias)
        self.bn0 = torch.nn.BatchNorm2d(1)
        self.bn1 = torch.nn.BatchNorm2d(32)
        self.bn2 = torch.nn.BatchNorm1d(args.embedding_dim)
        self.register_parameter("b", torch.nn.Parameter(torch.zeros(num_entities)))
        self.fc = torch.nn.Linear(args.hidden_size, args.embedding_dim)
        self.loss = torch.nn.BCELoss()

    def forward(self, e1, rel):
        x = torch.cat([self.emb_e(e1).view(-1, 1, 10, 20), self.emb_rel(rel).view(-1, 1, 10, 20)], 2)
        x = F.relu(self.bn1(self.conv1(self.bn0(x))))
        x = F.relu(self.bn2(self.fc(x.view(x.shape[0], -1))))
        x = torch.mm(x, self.emb_e.weight.transpose(1, 0)) + self.b.expand_as(x)
        return torch.sigmoid(x)

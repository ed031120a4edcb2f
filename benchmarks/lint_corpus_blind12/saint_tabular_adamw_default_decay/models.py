"""Paraphrase of models/pretrainmodel.py (somepago/saint): the SAINT model's embeddings and norms."""
import torch.nn as nn


class SAINT(nn.Module):
    def __init__(self, *, categories, num_continuous, dim, depth, heads, y_dim=2):
        super().__init__()
        self.total_tokens = sum(categories)
        self.norm = nn.LayerNorm(num_continuous)
        self.transformer = nn.TransformerEncoder(nn.TransformerEncoderLayer(dim, heads, batch_first=True), depth)
        self.embeds = nn.Embedding(self.total_tokens, dim)
        self.pos_encodings = nn.Embedding(len(categories) + num_continuous, dim)
        self.mlpfory = nn.Sequential(nn.Linear(dim, 1000), nn.ReLU(), nn.Linear(1000, y_dim))

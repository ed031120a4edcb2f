import torch.nn as nn
import torch.nn.functional as F


class GPT(nn.Module):
    def __init__(self, vocabulary_size, block_size, embedding_dimensions, num_heads, num_layers, dropout):
        super().__init__()
        self.token_embeddings = nn.Embedding(vocabulary_size, embedding_dimensions)
        self.body = nn.ModuleList(
            [nn.TransformerEncoderLayer(embedding_dimensions, num_heads, dropout=dropout, batch_first=True) for _ in range(num_layers)]
        )
        self.output_norm = nn.LayerNorm(embedding_dimensions)
        self.output_layer = nn.Linear(embedding_dimensions, vocabulary_size, bias=False)

    @property
    def num_trainable_params(self):
        return sum(p.numel() for p in self.parameters() if p.requires_grad)

    def forward(self, x, y=None):
        z = self.token_embeddings(x)
        for layer in self.body:
            z = layer(z)
        logits = self.output_layer(self.output_norm(z))
        loss = None if y is None else F.cross_entropy(logits.view(-1, logits.size(-1)), y.view(-1), ignore_index=-1)
        return logits, loss

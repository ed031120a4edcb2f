import torch
import torch.nn as nn


class Transformer(nn.Module):
    def __init__(self, embed_dim, hidden_dim, num_embeddings, num_max_positions, num_heads, num_layers, dropout):
        super().__init__()
        self.tokens_embeddings = nn.Embedding(num_embeddings, embed_dim)
        self.position_embeddings = nn.Embedding(num_max_positions, embed_dim)
        self.dropout = nn.Dropout(dropout)
        self.attentions, self.feed_forwards = nn.ModuleList(), nn.ModuleList()
        self.layer_norms_1, self.layer_norms_2 = nn.ModuleList(), nn.ModuleList()
        for _ in range(num_layers):
            self.attentions.append(nn.MultiheadAttention(embed_dim, num_heads, dropout=dropout))
            self.feed_forwards.append(nn.Sequential(nn.Linear(embed_dim, hidden_dim), nn.ReLU(),
                                                    nn.Linear(hidden_dim, embed_dim)))
            self.layer_norms_1.append(nn.LayerNorm(embed_dim, eps=1e-12))
            self.layer_norms_2.append(nn.LayerNorm(embed_dim, eps=1e-12))

    def forward(self, x):
        positions = torch.arange(len(x), device=x.device).unsqueeze(-1)
        h = self.dropout(self.tokens_embeddings(x) + self.position_embeddings(positions).expand(len(x), x.size(1), -1))
        for ln1, attn, ln2, ff in zip(self.layer_norms_1, self.attentions, self.layer_norms_2, self.feed_forwards):
            h = ln1(h)
            a, _ = attn(h, h, h, need_weights=False)
            h = self.dropout(a) + h
            h = ln2(h)
            h = self.dropout(ff(h)) + h
        return h


class TransformerWithLMHead(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.transformer = Transformer(config.embed_dim, config.hidden_dim, config.num_embeddings,
                                       config.num_max_positions, config.num_heads, config.num_layers, config.dropout)
        self.lm_head = nn.Linear(config.embed_dim, config.num_embeddings, bias=False)
        self.lm_head.weight = self.transformer.tokens_embeddings.weight

    def forward(self, x, labels=None):
        logits = self.lm_head(self.transformer(x))
        if labels is None:
            return logits
        loss = nn.CrossEntropyLoss(ignore_index=-1)(logits[:-1].reshape(-1, logits.size(-1)), labels[1:].reshape(-1))
        return logits, loss

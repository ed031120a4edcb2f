import torch.nn as nn


class GPT(nn.Module):
    def __init__(self, vocab_size, n_embd=384, n_layer=6):
        super().__init__()
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.blocks = nn.ModuleList([nn.TransformerEncoderLayer(n_embd, 6, batch_first=True) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(n_embd)
        self.head = nn.Linear(n_embd, vocab_size, bias=False)

    def forward(self, ids):
        x = self.wte(ids)
        for block in self.blocks:
            x = block(x)
        return self.head(self.ln_f(x))


def get_model(model_name, vocab_size):
    if model_name == "GPT2":
        return GPT(vocab_size)
    raise ValueError(model_name)

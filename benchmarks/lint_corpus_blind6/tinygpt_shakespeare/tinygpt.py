import torch
import torch.nn as nn
import torch.nn.functional as F

LR = 5e-4
MAX_ITERS = 8000
BLOCK = 64
EMBD = 128


class TinyGPT(nn.Module):
    def __init__(self, vocab_size):
        super().__init__()
        self.tok = nn.Embedding(vocab_size, EMBD)
        self.pos = nn.Embedding(BLOCK, EMBD)
        self.blocks = nn.Sequential(*[nn.TransformerEncoderLayer(EMBD, 4, norm_first=True) for _ in range(3)])
        self.ln_f = nn.LayerNorm(EMBD)
        self.head = nn.Linear(EMBD, vocab_size)

    def forward(self, idx):
        x = self.tok(idx) + self.pos(torch.arange(idx.shape[1], device=idx.device))
        return self.head(self.ln_f(self.blocks(x)))


def compute_loss(model, x, y):
    logits = model(x)
    return F.cross_entropy(logits.flatten(0, 1), y.flatten())


def initialize_and_train(state, max_iters=MAX_ITERS):
    model = TinyGPT(state.vocab_size)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    for step in range(max_iters):
        x, y = state.get_batch("train")
        loss = compute_loss(model, x, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model

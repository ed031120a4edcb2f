# The catalog's example: AdamW decays biases and LayerNorm gains too.
import torch

model = torch.nn.TransformerEncoderLayer(d_model=64, nhead=4)
opt = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.1)

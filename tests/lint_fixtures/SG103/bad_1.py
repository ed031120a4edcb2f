# The catalog's example: AdamW decays and the loss adds L2 again.
import torch
import torch.nn.functional as F

model = torch.nn.Linear(20, 2)
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
l2_lambda = 1e-4
for x, y in loader:
    loss = F.cross_entropy(model(x), y) + l2_lambda * sum((p**2).sum() for p in model.parameters())
    loss.backward()
    opt.step()
    opt.zero_grad()

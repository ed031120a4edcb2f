# The decay comes from the command line, and the loss adds an L2 penalty as well.
import argparse

import torch
import torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument("--wd", type=float, default=1e-4)
ap.add_argument("--l2", type=float, default=1e-4)
args = ap.parse_args()

model = torch.nn.Linear(8, 2)
decay = [p for p in model.parameters() if p.ndim > 1]
no_decay = [p for p in model.parameters() if p.ndim <= 1]
optimizer = torch.optim.AdamW(
    [{"params": decay, "weight_decay": args.wd}, {"params": no_decay, "weight_decay": 0.0}]
)
for x, y in [(torch.randn(4, 8), torch.tensor([0, 1, 0, 1]))]:
    loss = F.cross_entropy(model(x), y)
    loss = loss + args.l2 * sum(p.pow(2).sum() for p in model.parameters())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

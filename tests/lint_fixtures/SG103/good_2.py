# L2 only in the loss, optimizer without decay: regularized once.
import torch

model = torch.nn.Linear(20, 2)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for x, y in loader:
    penalty = sum(p.pow(2).sum() for p in model.parameters())
    loss = torch.nn.functional.mse_loss(model(x), y) + 1e-4 * penalty
    loss.backward()
    opt.step()
    opt.zero_grad()

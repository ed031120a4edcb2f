# The norm of the parameters is logged, not added to the loss.
import torch

model = torch.nn.Linear(20, 2)
decay = [p for p in model.parameters() if p.ndim >= 2]
no_decay = [p for p in model.parameters() if p.ndim < 2]
opt = torch.optim.AdamW(
    [{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}], lr=1e-3
)
for x, y in loader:
    loss = torch.nn.functional.mse_loss(model(x), y)
    loss.backward()
    opt.step()
    opt.zero_grad()
    weight_norm = sum(p.norm() ** 2 for p in model.parameters()) ** 0.5
    print(f"loss={loss.item():.3f} |w|={weight_norm:.3f}")

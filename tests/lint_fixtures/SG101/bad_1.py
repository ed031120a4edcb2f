# Seed 000's buggy optimizer: Adam with coupled L2 on every parameter.
import torch
import torch.nn.functional as F


def run(model, loader):
    # 错误:Adam + weight_decay(耦合 L2)
    opt = torch.optim.Adam(model.parameters(), lr=3e-4, weight_decay=1e-2)
    for x, y in loader:
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

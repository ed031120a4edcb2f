# An L1 penalty (`norm(p, 1)`, `p.norm(p=1)`) next to weight decay is an elastic net, not a
# second L2 term; a norm summed into a logged statistic is not added to the loss.
import torch


def fit(flow, loader, l1=1e-5):
    decay = [p for p in flow.parameters() if p.ndim >= 2]
    no_decay = [p for p in flow.parameters() if p.ndim < 2]
    groups = [{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}]
    optimizer = torch.optim.AdamW(groups, lr=5e-4)
    for batch in loader:
        optimizer.zero_grad()
        reg = torch.tensor([0.0])
        for param in flow.parameters():
            reg = reg + torch.norm(param, 1)
        loss = flow.nll(batch) + reg * l1
        sparsity = sum(p.norm(p=1) for p in flow.parameters())
        loss = loss + l1 * sparsity
        size = torch.tensor([0.0])
        for param in flow.parameters():
            size = size + torch.norm(param)
        stats = flow.nll(batch).detach() + size
        loss.backward()
        optimizer.step()
        print(stats)

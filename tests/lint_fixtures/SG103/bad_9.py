# Unsquared L2 norms summed into a penalty while Adam already decays: the recommender shape
# (`reg = reg + torch.norm(p)` in a loop, the sum assigned to the loss) and a generator of
# `p.norm(2)` terms. Both regularize the parameters a second time.
import torch


def fit(flow, loader, config):
    optimizer = torch.optim.Adam(flow.parameters(), lr=5e-4, weight_decay=1e-6)
    for batch in loader:
        optimizer.zero_grad()
        reg = torch.tensor([0.0])
        for param in flow.parameters():
            reg = reg + torch.norm(param)
        loss = flow.nll(batch) + reg * config["l2_penalty"]
        loss.backward()
        optimizer.step()


def fit_generator(net, loader, lam=1e-4):
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1, weight_decay=5e-4)
    for x, y in loader:
        loss = torch.nn.functional.mse_loss(net(x), y)
        loss = loss + lam * sum(p.norm(2) for p in net.parameters())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

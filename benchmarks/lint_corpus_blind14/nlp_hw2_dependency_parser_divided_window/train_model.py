import numpy as np
import torch.optim as optim
from torch.nn import LogSoftmax, NLLLoss


def arc_loss(scores, heads, nll):
    log_probs = LogSoftmax(dim=1)(scores)
    return nll(log_probs, heads)


def train(net, train_loader, test_loader, epochs=10):
    optimizer = optim.Adam(net.parameters(), lr=0.01)
    accum = 50
    nll = NLLLoss(ignore_index=-1)
    net.train()
    best = 0.0
    for epoch in range(epochs):
        for i, sentence in enumerate(train_loader):
            heads = sentence[2].to(net.device)
            scores = net(sentence)
            loss = arc_loss(scores, heads, nll)
            loss = loss / accum
            loss.backward()
            if i % accum == 0:
                optimizer.step()
                net.zero_grad()
        acc = evaluate(net, test_loader, nll)
        best = max(best, acc)
    return best


def evaluate(net, loader, nll):
    net.eval()
    hits = []
    for sentence in loader:
        scores = net(sentence)
        hits.append(float(np.mean(scores.argmax(1).cpu().numpy() == sentence[2].numpy())))
    net.train()
    return float(np.mean(hits))

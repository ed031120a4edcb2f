import os

import torch
import torch.nn as nn

import utils


def instance_bce_with_logits(logits, labels):
    loss = nn.functional.binary_cross_entropy_with_logits(logits, labels)
    return loss * labels.size(1)


def train(model, train_loader, eval_loader, num_epochs, output):
    utils.create_dir(output)
    optim = torch.optim.Adamax(model.parameters())
    best = 0.0
    for _epoch in range(num_epochs):
        for v, b, q, a in train_loader:
            v, b, q, a = v.cuda(), b.cuda(), q.cuda(), a.cuda()
            pred = model(v, b, q, a)
            loss = instance_bce_with_logits(pred, a)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 0.25)
            optim.step()
            optim.zero_grad()
        model.train(False)
        score = evaluate(model, eval_loader)
        model.train(True)
        if score > best:
            best = score
            torch.save(model.state_dict(), os.path.join(output, "model.pth"))


@torch.no_grad()
def evaluate(model, loader):
    total = 0.0
    for v, b, q, a in loader:
        pred = model(v.cuda(), b.cuda(), q.cuda(), None)
        total += (pred.argmax(1) == a.cuda().argmax(1)).float().sum().item()
    return total / len(loader.dataset)

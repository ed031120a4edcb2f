# A window written as first / last / middle micro-batch branches (`if i % k == 0: ... elif i % k
# == k - 1: ... else: ...`), the step of the `k == 1` case nested in the first branch. The loss
# comes from a loss function of the project's own package that is not among the linted files: taken
# to be a micro-batch mean (the message says so), backpropagated undivided in every branch.
import torch

from seqmodel.losses import loss_multi_task


def train(loader, model, opt, accumulate_gradients=1):
    model.train()
    for i, (x, y) in enumerate(loader):
        loss = loss_multi_task(model(x), y)
        if i % accumulate_gradients == 0:
            opt.zero_grad()
            loss.backward()
            if accumulate_gradients == 1:
                opt.step()
        elif i % accumulate_gradients == accumulate_gradients - 1:
            loss.backward()
            opt.step()
        else:
            loss.backward()
    return torch.zeros(())

# The same first / last / middle window with the loss divided by the window length: correct.
import torch

from seqmodel.losses import loss_multi_task


def train(loader, model, opt, accumulate_gradients=1):
    model.train()
    for i, (x, y) in enumerate(loader):
        loss = loss_multi_task(model(x), y) / accumulate_gradients
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

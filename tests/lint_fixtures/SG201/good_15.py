# A plain step when the window length is 1, and a window over loss / k otherwise: the backward of
# the `accum_steps == 1` branch is not part of any window.
import torch.nn.functional as F


def train(args, model, loader, optimizer):
    for step, (x, y) in enumerate(loader):
        optimizer_should_step = (step + 1) % args.accum_steps == 0
        if args.accum_steps == 1:
            F.cross_entropy(model(x), y).backward()
        else:
            loss = F.cross_entropy(model(x), y) / args.accum_steps
            loss.backward()
        if optimizer_should_step:
            optimizer.step()
            optimizer.zero_grad()

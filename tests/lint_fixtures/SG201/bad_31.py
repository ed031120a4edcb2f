# A window in each branch of an AMP setting: both backpropagate the undivided loss, one finding each
# (the branches never run together).
import torch.nn.functional as F


def train(model, loader, opt, scaler, args):
    for i, (x, y) in enumerate(loader):
        loss = F.cross_entropy(model(x), y)
        if args.amp:
            scaler.scale(loss).backward()
            if (i + 1) % args.accum == 0:
                scaler.step(opt)
                scaler.update()
                opt.zero_grad()
        else:
            loss.backward()
            if (i + 1) % args.accum == 0:
                opt.step()
                opt.zero_grad()

# A loss function from outside the linted files called with a sum reduction, and one reached
# through an attribute (`losses.total(...)`): neither is taken to be a micro-batch mean.
from seqmodel import losses
from seqmodel.losses import seq_loss


def train(loader, model, opt, accum=4):
    for i, (x, y) in enumerate(loader):
        out = model(x)
        loss = seq_loss(out, y, reduction="sum") + losses.total_loss(out, y)
        loss.backward()
        if (i + 1) % accum == 0:
            opt.step()
            opt.zero_grad()

# apex amp: `amp.scale_loss(loss, optimizer)` multiplies by the loss scale and apex divides it
# out before the step; it does not divide by the accumulation window. The loss going in is an
# undivided mean.
from apex import amp


def train(model, optimizer, criterion, loader, accumulation_steps=4):
    model, optimizer = amp.initialize(model, optimizer, opt_level="O1")
    for i, (images, labels) in enumerate(loader):
        loss = criterion(model(images), labels)
        with amp.scale_loss(loss, optimizer) as scaled_loss:
            scaled_loss.backward()
        if (i + 1) % accumulation_steps == 0:
            optimizer.step()
            optimizer.zero_grad()

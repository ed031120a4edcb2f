# A division meant for every loss of a list, written as a loop that rebinds its loop variable:
# the list keeps the undivided losses and its first one is backpropagated.
def train(model, loader, optimizer, accum_steps=4):
    for step, batch in enumerate(loader):
        losses = model(batch)
        for loss in losses:
            loss = loss / accum_steps
        losses[0].backward()
        if (step + 1) % accum_steps == 0:
            optimizer.step()
            optimizer.zero_grad()

# The same division written into the list: its elements are divided before the backward.
def train(model, loader, optimizer, accum_steps=4):
    for step, batch in enumerate(loader):
        losses = model(batch)
        for i, loss in enumerate(losses):
            losses[i] = loss / accum_steps
        losses[0].backward()
        if (step + 1) % accum_steps == 0:
            optimizer.step()
            optimizer.zero_grad()

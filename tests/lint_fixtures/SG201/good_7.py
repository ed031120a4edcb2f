# A counter of samples (not of micro-batches) does not show a window length, and a loss from an
# opaque loss helper has an unknown reduction: nothing to report.
def fit(model, batches, optimizer, batch_size, compute_loss):
    seen = 0
    for batch in batches:
        optimizer.zero_grad()
        loss = model(batch)["loss"]
        loss.backward()
        seen += len(batch["y"])
        if seen >= batch_size:
            optimizer.step()
            seen = 0


def train(model, loader, optimizer, compute_loss, accum=4):
    for i, (x, y) in enumerate(loader):
        loss, items = compute_loss(model(x), y)
        loss.backward()
        if (i + 1) % accum == 0:
            optimizer.step()
            optimizer.zero_grad()

# The catalog's fix: the forward inside the context too.
def train(ddp_model, loader, criterion, optimizer, accum_steps=4):
    for i, (x, y) in enumerate(loader):
        if (i + 1) % accum_steps != 0:
            with ddp_model.no_sync():
                loss = criterion(ddp_model(x), y) / accum_steps
                loss.backward()
        else:
            loss = criterion(ddp_model(x), y) / accum_steps
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()

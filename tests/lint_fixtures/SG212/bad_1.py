# The catalog's example: the forward ran outside no_sync().
def train(ddp_model, loader, criterion, optimizer, accum_steps=4):
    for i, (x, y) in enumerate(loader):
        loss = criterion(ddp_model(x), y) / accum_steps
        if (i + 1) % accum_steps != 0:
            with ddp_model.no_sync():
                loss.backward()
        else:
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()

# The optimizer is stepped through a wrapper that hands it out (`updater.get_optimizer()`); a
# counter decides when, and the loss is never divided by the number of accumulated steps.
def train_epoch(model, data_iter, updater, criterion, accum_grad):
    count = 0
    for batch in data_iter:
        if count == 0:
            updater.get_optimizer().zero_grad()
        loss = criterion(model(batch["x"]), batch["y"])
        loss.backward()
        count += 1
        if count >= accum_grad:
            updater.step()
            count = 0

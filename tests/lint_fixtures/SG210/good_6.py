# Two exclusive paths (AMP through a loss-scaler helper that steps under a flag, fp32 by hand):
# each zeroes the gradients right after its own step.
def train(model, loader, optimizer, loss_scaler, criterion, update_freq, use_amp=False):
    for it, (x, y) in enumerate(loader):
        loss = criterion(model(x), y) / update_freq
        if use_amp:
            loss_scaler(loss, optimizer, update_grad=(it + 1) % update_freq == 0)
            if (it + 1) % update_freq == 0:
                optimizer.zero_grad()
        else:
            loss.backward()
            if (it + 1) % update_freq == 0:
                optimizer.step()
                optimizer.zero_grad()

# One epoch: the loss scaler backpropagates every micro-batch and steps when told.
def train_one_epoch(model, data_loader, optimizer, epoch, loss_scaler, args=None):
    accum_iter = args.accum_iter
    optimizer.zero_grad()
    for it, (samples, _) in enumerate(data_loader):
        loss = model(samples)
        loss /= accum_iter
        loss_scaler(loss, optimizer, parameters=model.parameters(), update_grad=(it + 1) % accum_iter == 0)
        if (it + 1) % accum_iter == 0:
            optimizer.zero_grad()

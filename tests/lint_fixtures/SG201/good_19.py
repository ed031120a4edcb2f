# An fp16 optimizer wrapper backpropagates each micro-batch's loss, and the trainer divides the
# accumulated gradients once the window is full (`optimizer.multiply_grads(1 / n)`, the fairseq
# trainers' way).
def train(model, criterion, optimizer, loader, update_freq=4):
    for i, (x, y) in enumerate(loader):
        loss = criterion(model(x), y)
        optimizer.backward(loss)
        if (i + 1) % update_freq == 0:
            optimizer.multiply_grads(1.0 / update_freq)
            optimizer.step()
            optimizer.zero_grad()

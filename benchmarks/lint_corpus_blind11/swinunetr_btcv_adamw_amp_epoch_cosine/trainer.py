from torch.cuda.amp import GradScaler, autocast


def train_epoch(model, loader, optimizer, scaler, loss_func, args):
    model.train()
    for batch_data in loader:
        data, target = batch_data["image"].cuda(), batch_data["label"].cuda()
        for param in model.parameters():
            param.grad = None
        with autocast(enabled=args.amp):
            logits = model(data)
            loss = loss_func(logits, target)
        if args.amp:
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
        else:
            loss.backward()
            optimizer.step()


def run_training(model, train_loader, optimizer, loss_func, args, scheduler=None, start_epoch=0):
    scaler = None
    if args.amp:
        scaler = GradScaler()
    for epoch in range(start_epoch, args.max_epochs):
        if args.distributed:
            train_loader.sampler.set_epoch(epoch)
        train_epoch(model, train_loader, optimizer, scaler, loss_func, args)
        if scheduler is not None:
            scheduler.step()

# The scheduler steps only when the scale did not drop (the optimizer really stepped).
import torch


def train(model, loader, optimizer, scheduler, args):
    scaler = torch.amp.GradScaler("cuda", enabled=args.amp)
    for x, y in loader:
        with torch.autocast("cuda", enabled=args.amp):
            loss = torch.nn.functional.cross_entropy(model(x), y)
        if args.amp:
            scaler.scale(loss).backward()
            scale_before = scaler.get_scale()
            scaler.step(optimizer)
            scaler.update()
            stepped = scaler.get_scale() >= scale_before
        else:
            loss.backward()
            optimizer.step()
            stepped = True
        if stepped:
            scheduler.step()
        optimizer.zero_grad()

# scaler.step sits in one branch of an AMP if/else; the scheduler steps after the if/else,
# also when the scaler skipped the optimizer step.
import torch


def train(model, loader, optimizer, scheduler, args):
    scaler = torch.amp.GradScaler("cuda", enabled=args.amp)
    for x, y in loader:
        with torch.autocast("cuda", enabled=args.amp):
            loss = torch.nn.functional.cross_entropy(model(x), y)
        if args.amp:
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
        else:
            loss.backward()
            optimizer.step()
        scheduler.step()
        optimizer.zero_grad()

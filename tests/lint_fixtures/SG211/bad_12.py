# The engine wraps the optimizer in an AMP class whose `step` goes through a GradScaler; the
# loop calls the wrapper's step and then the scheduler's, skipped update or not.
import torch


class AMPOptimizer:
    def __init__(self, optimizer, scaler):
        self._optimizer = optimizer
        self._scaler = scaler

    def backward(self, loss):
        self._scaler.scale(loss).backward()

    def step(self):
        self._scaler.step(self._optimizer)
        self._scaler.update()

    def zero_grad(self):
        self._optimizer.zero_grad(set_to_none=True)


def train(model, loader, args):
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.LinearLR(optimizer, 0.01, 1.0, total_iters=args.warmup)
    if args.fp16:
        optimizer = AMPOptimizer(optimizer, torch.cuda.amp.GradScaler())
    for batch in loader:
        optimizer.zero_grad()
        with torch.autocast("cuda", enabled=args.fp16):
            loss = model(batch)
        optimizer.backward(loss)
        optimizer.step()
        scheduler.step()

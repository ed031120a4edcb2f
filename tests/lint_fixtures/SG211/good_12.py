# The engine wraps the optimizer in a class whose `step` clips and steps the optimizer directly
# (bf16 autocast, no GradScaler): no step is ever skipped, so the scheduler may follow it.
import torch


class ClippingOptimizer:
    def __init__(self, model, optimizer, max_norm):
        self._model = model
        self._optimizer = optimizer
        self._max_norm = max_norm

    def backward(self, loss):
        loss.backward()

    def step(self):
        torch.nn.utils.clip_grad_norm_(self._model.parameters(), self._max_norm)
        self._optimizer.step()

    def zero_grad(self):
        self._optimizer.zero_grad(set_to_none=True)


def train(model, loader, args):
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.LinearLR(optimizer, 0.01, 1.0, total_iters=args.warmup)
    optimizer = ClippingOptimizer(model, optimizer, 1.0)
    for batch in loader:
        optimizer.zero_grad()
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = model(batch)
        optimizer.backward(loss)
        optimizer.step()
        scheduler.step()

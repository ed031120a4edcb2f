# An optimizer wrapper (MMEngine-style): update_params backpropagates on every call and steps when
# its should_update() predicate says the window is complete, but clips on every call.
import torch


class OptimWrapper:
    def __init__(self, optimizer, accumulative_counts=1, max_norm=None):
        self.optimizer = optimizer
        self._accumulative_counts = accumulative_counts
        self._inner_count = 0
        self.max_norm = max_norm

    def update_params(self, loss, params):
        loss.backward()
        self._inner_count += 1
        if self.max_norm is not None:
            torch.nn.utils.clip_grad_norm_(params, self.max_norm)
        if self.should_update():
            self.optimizer.step()
            self.optimizer.zero_grad()

    def should_update(self):
        return self._inner_count % self._accumulative_counts == 0


def train(model, loader, wrapper):
    for x, y in loader:
        loss = torch.nn.functional.cross_entropy(model(x), y)
        wrapper.update_params(loss, model.parameters())

# An optimizer wrapper (MMEngine-style) done right: the loss divided by the window length, the
# clip and the step only when should_update() says the window is complete.
import torch


class OptimWrapper:
    def __init__(self, optimizer, accumulative_counts=1, max_norm=None):
        self.optimizer = optimizer
        self._accumulative_counts = accumulative_counts
        self._inner_count = 0
        self.max_norm = max_norm

    def update_params(self, loss, params):
        (loss / self._accumulative_counts).backward()
        self._inner_count += 1
        if self.should_update():
            if self.max_norm is not None:
                torch.nn.utils.clip_grad_norm_(params, self.max_norm)
            self.optimizer.step()
            self.optimizer.zero_grad()

    def should_update(self):
        return self._inner_count % self._accumulative_counts == 0

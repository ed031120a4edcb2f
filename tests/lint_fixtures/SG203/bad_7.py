# A callback object does the optimizer's work at the end of each training batch: it counts
# batches in an attribute and steps every `accumulation_steps` of them, but clips every batch.
import torch


class OptimizerCallback:
    def __init__(self, accumulation_steps=1, max_norm=None):
        self.accumulation_steps = accumulation_steps
        self.max_norm = max_norm
        self._accumulation_counter = 0

    def on_batch_end(self, state):
        if state.is_train_loader:
            self._accumulation_counter += 1
            need_step = self._accumulation_counter % self.accumulation_steps == 0
            (state.loss / self.accumulation_steps).backward()
            if self.max_norm is not None:
                torch.nn.utils.clip_grad_norm_(state.model.parameters(), self.max_norm)
            if need_step:
                state.optimizer.step()
                state.optimizer.zero_grad()

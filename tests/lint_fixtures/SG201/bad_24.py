# A callback object does the optimizer's work at the end of each training batch: it counts
# batches in an attribute and steps every `accumulation_steps` of them; the batch's mean loss is
# backpropagated undivided.
import torch


class OptimizerCallback:
    def __init__(self, accumulation_steps=1, max_norm=1.0):
        self.accumulation_steps = accumulation_steps
        self.max_norm = max_norm
        self._accumulation_counter = 0

    def on_batch_end(self, state):
        if state.is_train_loader:
            self._accumulation_counter += 1
            need_step = self._accumulation_counter % self.accumulation_steps == 0
            loss = state.batch_metrics["loss"]
            loss.backward()
            if need_step:
                torch.nn.utils.clip_grad_norm_(state.model.parameters(), self.max_norm)
                state.optimizer.step()
                state.optimizer.zero_grad()

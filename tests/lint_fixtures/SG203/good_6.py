# Callback objects done right: the batch loss divided by the window length and the clip on the
# accumulated gradient only; and a callback whose step runs on every training batch.
import torch


class OptimizerCallback:
    def __init__(self, accumulation_steps=1, max_norm=1.0):
        self.accumulation_steps = accumulation_steps
        self.max_norm = max_norm
        self._accumulation_counter = 0

    def on_batch_end(self, state):
        if state.is_train_loader:
            self._accumulation_counter += 1
            (state.loss / self.accumulation_steps).backward()
            if self._accumulation_counter % self.accumulation_steps == 0:
                torch.nn.utils.clip_grad_norm_(state.model.parameters(), self.max_norm)
                state.optimizer.step()
                state.optimizer.zero_grad()


class PlainCallback:
    def __init__(self, max_norm=1.0):
        self.max_norm = max_norm

    def on_batch_end(self, state):
        if state.is_train_loader:
            state.loss.backward()
            torch.nn.utils.clip_grad_norm_(state.model.parameters(), self.max_norm)
            state.optimizer.step()
            state.optimizer.zero_grad()

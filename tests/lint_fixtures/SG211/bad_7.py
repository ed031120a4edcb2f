# The scheduler step sits two `if` blocks deep after the scaler's step (a per-batch schedule
# chosen by a setting): it still runs when the scaler skipped the optimizer step.
import torch


class Model(torch.nn.Module):
    def train_one_step(self, batch):
        loss = self(**batch)
        self.scaler.scale(loss).backward()
        self.scaler.step(self.optimizer)
        self.scaler.update()
        if self.scheduler is not None:
            if self.step_scheduler_after == "batch":
                self.scheduler.step()
        self.optimizer.zero_grad()
        return loss

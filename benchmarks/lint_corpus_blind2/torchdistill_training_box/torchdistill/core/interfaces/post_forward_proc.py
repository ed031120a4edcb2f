"""Default post-forward process of a training box: backward, accumulate, clip, step, schedule."""

import torch
from torch.optim.lr_scheduler import CosineAnnealingWarmRestarts, ReduceLROnPlateau


def default_post_forward_process(self, loss, metrics=None, **kwargs):
    self.stage_grad_count += 1
    if self.grad_accum_step > 1:
        loss /= self.grad_accum_step

    if self.accelerator is not None:
        self.accelerator.backward(loss)
    else:
        loss.backward()

    if self.stage_grad_count % self.grad_accum_step == 0:
        if self.max_grad_norm is not None:
            target_params = [p for group in self.optimizer.param_groups for p in group["params"]]
            torch.nn.utils.clip_grad_norm_(target_params, self.max_grad_norm)

        self.optimizer.step()
        self.optimizer.zero_grad()

    # step-wise scheduler step, only on update steps
    if (
        self.lr_scheduler is not None
        and self.scheduling_step > 0
        and self.stage_grad_count % self.scheduling_step == 0
        and self.stage_grad_count % self.grad_accum_step == 0
    ):
        if isinstance(self.lr_scheduler, ReduceLROnPlateau):
            self.lr_scheduler.step(metrics)
        elif isinstance(self.lr_scheduler, CosineAnnealingWarmRestarts):
            self.lr_scheduler.step(int(self.stage_grad_count / self.scheduling_step))
        else:
            self.lr_scheduler.step()

"""Hooks: one steps the LR scheduler after every iteration, one only after real updates
(the scale did not drop)."""

from engine.train_loop import HookBase


class LRScheduler(HookBase):
    def __init__(self, scheduler):
        self._scheduler = scheduler

    def after_step(self):
        lr = self.trainer.optimizer.param_groups[0]["lr"]
        print(lr)
        self._scheduler.step()


class CheckedLRScheduler(HookBase):
    def __init__(self, scheduler):
        self._scheduler = scheduler
        self._scale = None

    def before_step(self):
        self._scale = self.trainer.grad_scaler.get_scale()

    def after_step(self):
        if self.trainer.grad_scaler.get_scale() >= self._scale:
            self._scheduler.step()

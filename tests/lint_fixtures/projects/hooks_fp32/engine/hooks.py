"""A hook that steps the LR scheduler after every iteration of an fp32 trainer: no step is skipped."""

from engine.train_loop import HookBase


class LRScheduler(HookBase):
    def __init__(self, scheduler):
        self._scheduler = scheduler

    def after_step(self):
        self._scheduler.step()

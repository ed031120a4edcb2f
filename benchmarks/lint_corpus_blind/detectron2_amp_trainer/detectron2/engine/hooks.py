from detectron2.engine.train_loop import HookBase


class LRScheduler(HookBase):
    """Steps the trainer's LR scheduler after every iteration."""

    def __init__(self, optimizer=None, scheduler=None):
        self._optimizer = optimizer
        self._scheduler = scheduler
        self._best_param_group_id = 0

    def before_train(self):
        self._optimizer = self._optimizer or self.trainer.optimizer
        largest_group = max(len(g["params"]) for g in self._optimizer.param_groups)
        for i, g in enumerate(self._optimizer.param_groups):
            if len(g["params"]) == largest_group:
                self._best_param_group_id = i
                break

    def after_step(self):
        lr = self._optimizer.param_groups[self._best_param_group_id]["lr"]
        self.trainer.storage.put_scalar("lr", lr, smoothing_hint=False)
        self.scheduler.step()

    @property
    def scheduler(self):
        return self._scheduler or self.trainer.scheduler

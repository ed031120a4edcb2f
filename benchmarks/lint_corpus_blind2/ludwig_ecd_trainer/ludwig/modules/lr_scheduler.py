"""Warmup + decay schedule stepped once per training batch."""

from torch.optim.lr_scheduler import LambdaLR, SequentialLR


class StepInfo:
    def __init__(self, steps_per_checkpoint: int, total_steps: int, config):
        self.steps_per_checkpoint = steps_per_checkpoint
        self.num_training_steps = total_steps
        warmup = 0
        if config.warmup_fraction > 0:
            warmup = max(config.warmup_fraction * total_steps, warmup)
        if config.warmup_evaluations > 0:
            warmup = max(config.warmup_evaluations * steps_per_checkpoint, warmup)
        self.num_warmup_steps = warmup


def linear_decay(current_step, num_training_steps, num_warmup_steps):
    return max(0.0, (num_training_steps - num_warmup_steps - current_step) / max(1, num_training_steps - num_warmup_steps))


class LRScheduler:
    def __init__(self, config, optimizer, steps_per_checkpoint: int, total_steps: int):
        self.config = config
        self.optimizer = optimizer
        info = StepInfo(steps_per_checkpoint, total_steps, config)
        decay = LambdaLR(optimizer, lambda s: linear_decay(s, info.num_training_steps, info.num_warmup_steps))
        if info.num_warmup_steps > 0:
            warmup = LambdaLR(optimizer, lambda s: s / max(1, info.num_warmup_steps))
            self._train_scheduler = SequentialLR(optimizer, [warmup, decay], milestones=[info.num_warmup_steps])
        else:
            self._train_scheduler = decay

    def step(self):
        """Called every step of training."""
        self._train_scheduler.step()

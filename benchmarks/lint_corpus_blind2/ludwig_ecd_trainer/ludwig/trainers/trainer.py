"""ECD trainer: batches, gradient accumulation via should_step, optional AMP."""

import contextlib

import torch

from ludwig.modules.lr_scheduler import LRScheduler
from ludwig.utils.trainer_utils import get_total_steps


class Trainer:
    def __init__(self, config, model, distributed):
        self.config = config
        self.model = model
        self.distributed = distributed
        self.gradient_accumulation_steps = config.gradient_accumulation_steps
        self.epochs = config.epochs
        self.train_steps = config.train_steps
        self.clipglobalnorm = config.gradient_clipping.clipglobalnorm
        self.dist_model, self.optimizer = distributed.prepare(model, config, config.learning_rate)
        # partially configured until train() knows the step counts
        self.scheduler = LRScheduler(config.learning_rate_scheduler, self.optimizer, 0, 0)
        self.use_amp = config.use_mixed_precision and torch.cuda.is_available()
        self.scaler = torch.cuda.amp.GradScaler() if self.use_amp else None

    def train_step(self, inputs, targets, should_step: bool = True):
        with torch.cuda.amp.autocast() if self.use_amp else contextlib.nullcontext():
            with self.distributed.prepare_model_update(self.dist_model, should_step=should_step):
                model_outputs = self.dist_model((inputs, targets))
                loss, all_losses = self.model.train_loss(targets, model_outputs)
                loss = loss / self.gradient_accumulation_steps

        variables = self.dist_model.parameters()
        if self.use_amp:
            self.scaler.scale(loss).backward()
        else:
            self.distributed.backward(loss, self.dist_model)

        if not should_step:
            # still accumulating
            return loss, all_losses

        self.distributed.wait_optimizer_synced(self.optimizer)
        if self.use_amp:
            self.scaler.unscale_(self.optimizer)
        if self.distributed.allow_clip_gradients() and self.clipglobalnorm:
            torch.nn.utils.clip_grad_norm_(variables, self.clipglobalnorm)

        with self.distributed.prepare_optimizer_update(self.optimizer):
            if self.use_amp:
                self.scaler.step(self.optimizer)
            else:
                self.distributed.step(self.optimizer)
        if self.use_amp:
            self.scaler.update()

        self.distributed.zero_grad(self.optimizer)
        return loss, all_losses

    def train(self, training_set, progress_tracker):
        with training_set.initialize_batcher(batch_size=self.config.batch_size) as batcher:
            self.total_steps = get_total_steps(self.epochs, batcher.steps_per_epoch, self.train_steps)
            steps_per_checkpoint = min(batcher.steps_per_epoch, self.total_steps)
            self.scheduler = LRScheduler(
                self.config.learning_rate_scheduler,
                self.optimizer,
                steps_per_checkpoint=steps_per_checkpoint,
                total_steps=self.total_steps,
            )
            while progress_tracker.steps < self.total_steps:
                self._train_loop(batcher, progress_tracker, steps_per_checkpoint)
                progress_tracker.epoch += 1

    def _train_loop(self, batcher, progress_tracker, steps_per_checkpoint):
        self.distributed.zero_grad(self.optimizer)
        batch_idx = 0
        while not batcher.last_batch() and progress_tracker.steps < self.total_steps:
            batch = batcher.next_batch()
            should_sync_grads = (batch_idx + 1) % self.gradient_accumulation_steps == 0
            is_checkpoint_step = (progress_tracker.steps + 1) % steps_per_checkpoint == 0
            should_step = should_sync_grads or is_checkpoint_step
            batch_idx += 1

            inputs, targets = batch
            loss, all_losses = self.train_step(inputs, targets, should_step=should_step)

            # Update LR scheduler here instead of train loop to avoid updating during batch size tuning, etc.
            self.scheduler.step()

            progress_tracker.steps += 1

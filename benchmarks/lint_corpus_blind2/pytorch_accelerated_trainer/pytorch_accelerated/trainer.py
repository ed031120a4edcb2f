import torch
from accelerate import Accelerator


class Trainer:
    """A trainer with overridable hooks; the run configuration comes from train()'s arguments."""

    def __init__(self, model, loss_func, optimizer, callbacks=()):
        self.model = model
        self.loss_func = loss_func
        self.optimizer = optimizer
        self.callbacks = callbacks
        self.scheduler = None
        self._accelerator = Accelerator()

    # ----- hooks a subclass may override -----
    def calculate_train_batch_loss(self, batch) -> dict:
        xb, yb = batch[0], batch[1]
        model_outputs = self.model(xb)
        loss = self.loss_func(model_outputs, yb)
        return {"loss": loss, "model_outputs": model_outputs, "batch_size": yb.size(0)}

    def backward_step(self, loss):
        self._accelerator.backward(loss)

    def optimizer_step(self):
        self.optimizer.step()

    def scheduler_step(self):
        if self.scheduler is not None:
            self.scheduler.step()

    def optimizer_zero_grad(self):
        self.optimizer.zero_grad()

    # ----- the loop -----
    def train(self, train_dataset, num_epochs, per_device_batch_size=8, gradient_accumulation_steps=1,
              gradient_clip_value=None, create_scheduler_fn=None):
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.gradient_clip_value = gradient_clip_value
        train_dl = torch.utils.data.DataLoader(train_dataset, batch_size=per_device_batch_size, shuffle=True)
        self.model, self.optimizer, train_dl = self._accelerator.prepare(self.model, self.optimizer, train_dl)
        if create_scheduler_fn is not None:
            # built on the prepared optimizer, not handed to accelerator.prepare
            self.scheduler = create_scheduler_fn(self.optimizer)
        for epoch in range(num_epochs):
            self._run_train_epoch(train_dl)

    def _run_train_epoch(self, train_dl):
        self.model.train()
        for step, batch in enumerate(train_dl):
            perform_gradient_update = ((step + 1) % self.gradient_accumulation_steps == 0) or (
                step + 1 == len(train_dl)
            )

            if not perform_gradient_update:
                # accumulate gradients locally
                with self._accelerator.no_sync(self.model):
                    self._perform_forward_and_backward_passes(batch, step)
            else:
                self._perform_forward_and_backward_passes(batch, step)

            if self.gradient_clip_value is not None:
                self._clip_gradients()

            if perform_gradient_update:
                self.optimizer_step()
                if self.scheduler is not None and not self._accelerator.optimizer_step_was_skipped:
                    self.scheduler_step()
                self.optimizer_zero_grad()

    def _perform_forward_and_backward_passes(self, batch, step):
        batch_output = self.calculate_train_batch_loss(batch)
        if self.gradient_accumulation_steps > 1:
            batch_output["loss"] /= self.gradient_accumulation_steps
        self.backward_step(batch_output["loss"])

    def _clip_gradients(self):
        self._accelerator.clip_grad_value_(self.model.parameters(), clip_value=self.gradient_clip_value)

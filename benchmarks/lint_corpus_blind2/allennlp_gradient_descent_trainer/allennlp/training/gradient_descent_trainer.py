import torch
from torch.cuda import amp
from torch.nn.parallel import DistributedDataParallel
from torch.nn.utils import clip_grad_norm_

from allennlp.common import util as common_util
from allennlp.training.callbacks.backward import MixedPrecisionBackwardCallback
from allennlp.training.trainer import Trainer


class GradientDescentTrainer(Trainer):
    def __init__(self, model, optimizer, data_loader, grad_norm=None, learning_rate_scheduler=None, callbacks=None,
                 distributed: bool = False, num_gradient_accumulation_steps: int = 1, use_amp: bool = False):
        super().__init__(distributed=distributed)
        self.model = model
        self.optimizer = optimizer
        self.data_loader = data_loader
        self._grad_norm = grad_norm
        self._learning_rate_scheduler = learning_rate_scheduler
        self._callbacks = callbacks or []
        self._num_gradient_accumulation_steps = num_gradient_accumulation_steps
        # Enable automatic mixed precision training.
        self._scaler = None
        self._use_amp = use_amp
        if self._use_amp:
            self._scaler = amp.GradScaler()
        if self._distributed:
            self._pytorch_model = DistributedDataParallel(self.model, device_ids=[self.cuda_device], find_unused_parameters=True)
        else:
            self._pytorch_model = self.model
        self._total_batches_completed = 0

    def rescale_gradients(self) -> float:
        parameters_to_clip = [p for p in self.model.parameters() if p.grad is not None]
        if self._grad_norm:
            if self._scaler is not None:
                # Need to first unscale gradients in order to clip as usual.
                self._scaler.unscale_(self.optimizer)
            return clip_grad_norm_(parameters_to_clip, self._grad_norm)
        return torch.norm(torch.stack([torch.norm(p.grad.detach()) for p in parameters_to_clip]))

    def batch_outputs(self, batch, for_training: bool):
        return self._pytorch_model(**batch)

    def _train_epoch(self, epoch: int):
        self._pytorch_model.train()
        batch_group_generator = common_util.lazy_groups_of(iter(self.data_loader), self._num_gradient_accumulation_steps)
        train_loss = 0.0
        for batch_group in batch_group_generator:
            self.optimizer.zero_grad()

            batch_loss = 0.0
            for batch in batch_group:
                with amp.autocast(self._use_amp):
                    batch_outputs = self.batch_outputs(batch, for_training=True)
                    loss = batch_outputs["loss"]
                    loss = loss / len(batch_group)
                    batch_loss += loss.item()

                backward_called = False
                for callback in self._callbacks:
                    backward_called |= callback.on_backward(self, batch_outputs, backward_called)
                if not backward_called:
                    if self._scaler is not None:
                        # backpropagates batch_outputs["loss"], not the divided local `loss`
                        MixedPrecisionBackwardCallback().on_backward(self, batch_outputs, backward_called)
                    else:
                        loss.backward()

            train_loss += batch_loss
            batch_grad_norm = self.rescale_gradients()

            if self._learning_rate_scheduler:
                self._learning_rate_scheduler.step_batch(self._total_batches_completed + 1)

            if self._scaler is not None:
                self._scaler.step(self.optimizer)
                self._scaler.update()
            else:
                self.optimizer.step()
            self._total_batches_completed += 1
        return {"loss": train_loss, "grad_norm": batch_grad_norm}

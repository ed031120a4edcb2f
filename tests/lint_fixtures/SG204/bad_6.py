# A trainer class whose per-batch method runs the scaled backward, then a helper method that
# checks the loss and clips (SpeechBrain's early `Brain.check_gradients`), then the scaler step:
# the helper clips gradients still multiplied by the loss scale.
import logging

import torch

logger = logging.getLogger(__name__)


class Trainer:
    def __init__(self, modules, opt_class, use_amp=False, max_grad_norm=5.0):
        self.modules = modules
        self.optimizer = opt_class(modules.parameters())
        self.max_grad_norm = max_grad_norm
        self.use_amp = use_amp
        if use_amp:
            self.scaler = torch.cuda.amp.GradScaler()

    def fit_batch(self, inputs, labels):
        if self.use_amp:
            with torch.autocast("cuda"):
                loss = self.compute_loss(inputs, labels)
            self.scaler.scale(loss).backward()
            if self.check_gradients(loss):
                self.scaler.step(self.optimizer)
            self.scaler.update()
        else:
            loss = self.compute_loss(inputs, labels)
            loss.backward()
            if self.check_gradients(loss):
                self.optimizer.step()
        self.optimizer.zero_grad()
        return loss.detach()

    def compute_loss(self, inputs, labels):
        return torch.nn.functional.cross_entropy(self.modules(inputs), labels)

    def check_gradients(self, loss):
        if not torch.isfinite(loss):
            logger.warning("non-finite loss %s: step skipped", loss)
            return False
        torch.nn.utils.clip_grad_norm_(self.modules.parameters(), self.max_grad_norm)
        return True

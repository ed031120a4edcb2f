import logging
from types import SimpleNamespace

import torch
from torch.nn.parallel import DistributedDataParallel as DDP

logger = logging.getLogger(__name__)


class Brain:
    """Early Brain: run options come from the command line or the hparams file, else these defaults."""

    def __init__(self, modules=None, opt_class=None, hparams=None, run_opts=None, checkpointer=None):
        self.opt_class = opt_class
        self.checkpointer = checkpointer
        run_opt_defaults = {
            "device": "cpu",
            "distributed_launch": False,
            "auto_mix_prec": False,
            "max_grad_norm": 5.0,
            "nonfinite_patience": 3,
        }
        for arg, default in run_opt_defaults.items():
            if run_opts is not None and arg in run_opts:
                setattr(self, arg, run_opts[arg])
            elif hparams is not None and arg in hparams:
                setattr(self, arg, hparams[arg])
            else:
                setattr(self, arg, default)
        self.modules = torch.nn.ModuleDict(modules).to(self.device)
        if hparams is not None:
            self.hparams = SimpleNamespace(**hparams)
        if self.auto_mix_prec:
            self.scaler = torch.cuda.amp.GradScaler()
        self.nonfinite_count = 0

    def init_optimizers(self):
        if self.opt_class is not None:
            self.optimizer = self.opt_class(self.modules.parameters())

    def fit_batch(self, batch):
        inputs, labels = batch
        if self.auto_mix_prec:
            with torch.cuda.amp.autocast():
                outputs = self.compute_forward(inputs, "train")
                loss = self.compute_objectives(outputs, labels, "train")
                self.scaler.scale(loss).backward()
                if self.check_gradients(loss):
                    self.scaler.step(self.optimizer)
                self.optimizer.zero_grad()
                self.scaler.update()
        else:
            outputs = self.compute_forward(inputs, "train")
            loss = self.compute_objectives(outputs, labels, "train")
            loss.backward()
            if self.check_gradients(loss):
                self.optimizer.step()
            self.optimizer.zero_grad()
        return loss.detach().cpu()

    def check_gradients(self, loss):
        """Skips non-finite losses (with patience) and clips the gradient norm."""
        if not torch.isfinite(loss):
            self.nonfinite_count += 1
            logger.warning(f"Loss is {loss}.")
            if self.nonfinite_count > self.nonfinite_patience:
                raise ValueError("Loss is not finite and patience is exhausted.")
            return False
        torch.nn.utils.clip_grad_norm_((p for p in self.modules.parameters()), self.max_grad_norm)
        return True

    def fit(self, epoch_counter, train_set):
        self.init_optimizers()
        for epoch in epoch_counter:
            self.modules.train()
            self.nonfinite_count = 0
            for self.step, batch in enumerate(train_set):
                self.fit_batch(batch)

    def _wrap_distributed(self):
        if self.distributed_launch:
            for name, module in self.modules.items():
                if any(p.requires_grad for p in module.parameters()):
                    self.modules[name] = DDP(module, device_ids=[self.device])

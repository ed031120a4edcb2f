import torch
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel

from catalyst.core.engine import IEngine


class DeviceEngine(IEngine):
    """Single-device engine: the plain backward / step / zero_grad."""

    def __init__(self, device: str = None):
        self._device = device or ("cuda" if torch.cuda.is_available() else "cpu")

    def zero_grad(self, loss, model, optimizer) -> None:
        model.zero_grad()

    def backward_loss(self, loss, model, optimizer) -> None:
        loss.backward()

    def optimizer_step(self, loss, model, optimizer) -> None:
        optimizer.step()


class DistributedDataParallelEngine(DeviceEngine):
    def __init__(self, ddp_kwargs=None):
        super().__init__()
        self.ddp_kwargs = dict(ddp_kwargs or {})

    def init_components(self, model_fn=None, criterion_fn=None, optimizer_fn=None, scheduler_fn=None):
        model = model_fn()
        if isinstance(model, nn.Module):
            model = DistributedDataParallel(model, **self.ddp_kwargs)
        elif isinstance(model, dict):
            model = {k: DistributedDataParallel(v, **self.ddp_kwargs) for k, v in model.items()}
        return model, criterion_fn(), optimizer_fn(), scheduler_fn()

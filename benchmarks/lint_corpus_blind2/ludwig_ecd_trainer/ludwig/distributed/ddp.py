"""DDP strategy: the trainer wraps its forward pass in prepare_model_update."""

import contextlib

import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP


class DDPStrategy:
    def wrap_model(self, model: nn.Module) -> nn.Module:
        return DDP(model)

    def size(self) -> int:
        return dist.get_world_size()

    def backward(self, loss, model):
        loss.backward()

    def step(self, optimizer, *args, **kwargs):
        optimizer.step(*args, **kwargs)

    def zero_grad(self, optimizer):
        optimizer.zero_grad()

    def wait_optimizer_synced(self, optimizer):
        pass

    def allow_clip_gradients(self) -> bool:
        return True

    @contextlib.contextmanager
    def prepare_model_update(self, model: nn.Module, should_step: bool):
        if should_step:
            yield
        else:
            # keep DDP from all-reducing while gradients accumulate
            with model.no_sync():
                yield

    @contextlib.contextmanager
    def prepare_optimizer_update(self, optimizer):
        yield

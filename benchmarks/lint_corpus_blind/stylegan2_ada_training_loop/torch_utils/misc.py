import contextlib

import torch


@contextlib.contextmanager
def ddp_sync(module, sync):
    """Runs the enclosed code under module.no_sync() unless `sync` is set (or the module is not DDP)."""
    assert isinstance(module, torch.nn.Module)
    if sync or not isinstance(module, torch.nn.parallel.DistributedDataParallel):
        yield
    else:
        with module.no_sync():
            yield


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    return torch.nan_to_num(input, nan=nan, posinf=posinf, neginf=neginf, out=out)

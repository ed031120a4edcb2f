from itertools import chain

from torch import Tensor
from torch.cuda.amp.grad_scaler import GradScaler
from torch.nn.utils.clip_grad import clip_grad_norm_
from torch.optim import Optimizer

from torchbooster.scheduler import BaseScheduler


def step(
    loss: Tensor,
    optimizer: Optimizer,
    scheduler: BaseScheduler = None,
    scaler: GradScaler = None,
    clip: float = None,
    retain_graph: bool = False,
) -> None:
    """Zero gradients, scale loss, apply clipping, step and update states."""
    optimizer.zero_grad(set_to_none=True)

    if scaler is not None: scaler.scale(loss).backward(retain_graph=retain_graph)
    else: loss.backward(retain_graph=retain_graph)

    if clip is not None:
        if scaler is not None: scaler.unscale_(optimizer)
        params = chain(p for group in optimizer.param_groups for p in group["params"])
        clip_grad_norm_(params, max_norm=clip)

    if scaler is not None: scaler.step(optimizer)
    else: optimizer.step()

    if scheduler is not None: scheduler.step()
    if scaler is not None: scaler.update()

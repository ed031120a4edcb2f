import copy
from typing import Any, Dict, List, Optional

import torch

from detectron2.solver.lr_scheduler import LRMultiplier, WarmupParamScheduler


def _create_gradient_clipper(cfg):
    cfg = copy.deepcopy(cfg)

    def clip_grad_norm(p):
        torch.nn.utils.clip_grad_norm_(p, cfg.CLIP_VALUE, cfg.NORM_TYPE)

    def clip_grad_value(p):
        torch.nn.utils.clip_grad_value_(p, cfg.CLIP_VALUE)

    return {"norm": clip_grad_norm, "value": clip_grad_value}[cfg.CLIP_TYPE]


def maybe_add_gradient_clipping(cfg, optimizer_type):
    """With clipping on, returns a subclass whose step() clips every parameter before stepping."""
    if not cfg.SOLVER.CLIP_GRADIENTS.ENABLED:
        return optimizer_type
    clipper = _create_gradient_clipper(cfg.SOLVER.CLIP_GRADIENTS)

    def step_with_clip(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                clipper(p)
        super(type(self), self).step(closure)

    return type(optimizer_type.__name__ + "WithGradientClip", (optimizer_type,), {"step": step_with_clip})


def build_optimizer(cfg, model):
    params = get_default_optimizer_params(
        model,
        base_lr=cfg.SOLVER.BASE_LR,
        weight_decay_norm=cfg.SOLVER.WEIGHT_DECAY_NORM,
        bias_lr_factor=cfg.SOLVER.BIAS_LR_FACTOR,
        weight_decay_bias=cfg.SOLVER.WEIGHT_DECAY_BIAS,
    )
    return maybe_add_gradient_clipping(cfg, torch.optim.SGD)(
        params,
        lr=cfg.SOLVER.BASE_LR,
        momentum=cfg.SOLVER.MOMENTUM,
        nesterov=cfg.SOLVER.NESTEROV,
        weight_decay=cfg.SOLVER.WEIGHT_DECAY,
    )


def get_default_optimizer_params(
    model,
    base_lr: Optional[float] = None,
    weight_decay: Optional[float] = None,
    weight_decay_norm: Optional[float] = None,
    bias_lr_factor: Optional[float] = 1.0,
    weight_decay_bias: Optional[float] = None,
) -> List[Dict[str, Any]]:
    defaults = {}
    if base_lr is not None:
        defaults["lr"] = base_lr
    if weight_decay is not None:
        defaults["weight_decay"] = weight_decay
    bias_overrides = {}
    if bias_lr_factor is not None and bias_lr_factor != 1.0:
        bias_overrides["lr"] = base_lr * bias_lr_factor
    if weight_decay_bias is not None:
        bias_overrides["weight_decay"] = weight_decay_bias
    norm_module_types = (
        torch.nn.BatchNorm1d,
        torch.nn.BatchNorm2d,
        torch.nn.SyncBatchNorm,
        torch.nn.GroupNorm,
        torch.nn.LayerNorm,
    )
    params = []
    memo = set()
    for module in model.modules():
        for name, value in module.named_parameters(recurse=False):
            if not value.requires_grad or value in memo:
                continue
            memo.add(value)
            hyperparams = copy.copy(defaults)
            if isinstance(module, norm_module_types) and weight_decay_norm is not None:
                hyperparams["weight_decay"] = weight_decay_norm
            if name == "bias":
                hyperparams.update(bias_overrides)
            params.append({"params": [value], **hyperparams})
    return params


def build_lr_scheduler(cfg, optimizer):
    sched = WarmupParamScheduler(cfg.SOLVER.STEPS, cfg.SOLVER.WARMUP_FACTOR, cfg.SOLVER.WARMUP_ITERS / cfg.SOLVER.MAX_ITER)
    return LRMultiplier(optimizer, multiplier=sched, max_iter=cfg.SOLVER.MAX_ITER)

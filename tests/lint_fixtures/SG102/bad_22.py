# Detectron2-style solver: one param group per parameter, its hyperparameters copied from the
# defaults and overridden for norm layers and for biases. The bias override gets a weight decay
# only when `weight_decay_bias` is not None, and the builder leaves it None: every bias of a conv
# or linear layer keeps the optimizer's weight decay.
import copy

import torch


def maybe_add_gradient_clipping(cfg, optimizer_type):
    if not cfg.CLIP_GRADIENTS:
        return optimizer_type

    def step_with_clip(self, closure=None):
        torch.nn.utils.clip_grad_norm_([p for g in self.param_groups for p in g["params"]], cfg.CLIP_VALUE)
        super(type(self), self).step(closure)

    return type(optimizer_type.__name__ + "WithClip", (optimizer_type,), {"step": step_with_clip})


def get_default_optimizer_params(model, base_lr=None, weight_decay=None, weight_decay_norm=None, weight_decay_bias=None):
    defaults = {}
    if base_lr is not None:
        defaults["lr"] = base_lr
    if weight_decay is not None:
        defaults["weight_decay"] = weight_decay
    bias_overrides = {}
    if weight_decay_bias is not None:
        bias_overrides["weight_decay"] = weight_decay_bias
    norm_module_types = (torch.nn.BatchNorm2d, torch.nn.GroupNorm, torch.nn.LayerNorm)
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


def build_optimizer(cfg, model):
    params = get_default_optimizer_params(model, base_lr=cfg.BASE_LR, weight_decay_norm=0.0)
    return maybe_add_gradient_clipping(cfg, torch.optim.SGD)(
        params, lr=cfg.BASE_LR, momentum=0.9, weight_decay=1e-4
    )

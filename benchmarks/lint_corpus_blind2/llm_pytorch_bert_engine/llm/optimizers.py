"""Optimizers by name; fused ColossalAI versions when the extension is installed."""

from __future__ import annotations

import logging

import torch

try:
    from colossalai.nn.optimizer import FusedAdam, FusedLAMB

    FUSED_IMPORT_ERROR = None
except ImportError as e:
    FUSED_IMPORT_ERROR = e

logger = logging.getLogger(__name__)


def get_optimizer(name, params, lr, **kwargs):
    if name == "adam":
        if FUSED_IMPORT_ERROR is None:
            optimizer = FusedAdam(params, lr=lr, **kwargs)
        else:
            logger.warning("ColossalAI is not installed: falling back to torch.optim.Adam")
            optimizer = torch.optim.Adam(params, lr=lr, **kwargs)
    elif name == "lamb":
        if FUSED_IMPORT_ERROR is None:
            optimizer = FusedLAMB(params, lr=lr, **kwargs)
        else:
            raise ImportError("FusedLAMB needs ColossalAI") from FUSED_IMPORT_ERROR
    else:
        raise ValueError(f"Unknown optimizer: {name}")
    return optimizer

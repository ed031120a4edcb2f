"""The names the linter knows, from the libraries training code uses: torch.optim's classes (from
the optimizer table shared with the audit) and other libraries' optimizers, scheduler factories,
clipping functions and loss functions; and how to tell an optimizer class the project defines.
"""

from __future__ import annotations

import ast
import re

from stepguard._optimizers import TORCH_OPTIMIZERS as _TORCH_OPTIMIZER_FACTS
from stepguard.lint._nodes import dotted

__all__ = [
    "CLIP_FUNCS",
    "LOSS_CALLEES",
    "LOSS_FUNCS",
    "OPTIMIZER_LIBS",
    "OTHER_OPTIMIZER",
    "SCHEDULER_FACTORIES",
    "TORCH_OPTIMIZERS_NAMES",
    "defines_optimizer",
    "optimizer_name",
]

# The torch.optim classes, from the optimizer table shared with the audit (`stepguard._optimizers`);
# what they do with weight decay is read in `stepguard.lint._values`.
TORCH_OPTIMIZERS_NAMES = frozenset((*_TORCH_OPTIMIZER_FACTS, "Optimizer"))
# Classes of other libraries recognised as optimizers by the last part of their name.
OTHER_OPTIMIZER = re.compile(
    r"(Adam|SGD|Lion|Lamb|LAMB|Lars|LARS|Adafactor|RMSprop|Adagrad|Sophia|Shampoo|Muon|Prodigy"
    r"|Novograd|NovoGrad|MADGRAD|Madgrad|AdaBelief|AdaBound|Ranger|Yogi|Adan)"
)
OPTIMIZER_LIBS = (
    "transformers",
    "pytorch_transformers",  # transformers' earlier names
    "pytorch_pretrained_bert",
    "bitsandbytes",
    "apex",
    "timm",
    "deepspeed",
    "torch_optimizer",
    "pytorch_optimizer",
    "lion_pytorch",
    "schedulefree",
    "prodigyopt",
    "dadaptation",
    "galore_torch",
    "torchao",
    "heavyball",
    "fairseq",
    "colossalai",
)
SCHEDULER_FACTORIES = re.compile(
    r"^get_\w*schedule\w*$|^get_scheduler$|^create_scheduler\w*$|^(fetch|build|make)_(lr_)?scheduler$"
)
CLIP_FUNCS = ("clip_grad_norm_", "clip_grad_value_", "clip_grad_norm")
LOSS_FUNCS = frozenset(
    (
        "cross_entropy",
        "nll_loss",
        "mse_loss",
        "l1_loss",
        "smooth_l1_loss",
        "huber_loss",
        "binary_cross_entropy",
        "binary_cross_entropy_with_logits",
        "kl_div",
        "ctc_loss",
        "cosine_embedding_loss",
        "margin_ranking_loss",
        "triplet_margin_loss",
        "soft_margin_loss",
        "multilabel_soft_margin_loss",
        "poisson_nll_loss",
        "gaussian_nll_loss",
    )
)
LOSS_CALLEES = frozenset(
    (
        "criterion",
        "loss_fn",
        "loss_fct",
        "loss_fun",
        "loss_func",
        "lossfn",
        "loss_function",
        "compute_loss",
    )
)


def optimizer_name(q: str) -> str | None:
    """The class name when qualified name `q` is an optimizer class, else None."""
    mod, _, name = q.rpartition(".")
    if mod.startswith("torch.optim") and name in TORCH_OPTIMIZERS_NAMES and name != "Optimizer":
        return name
    if (
        mod.split(".")[0] in OPTIMIZER_LIBS
        and name[:1].isupper()
        and OTHER_OPTIMIZER.search(name)
        and "Scheduler" not in name
    ):
        return name
    return None


def defines_optimizer(cls: ast.ClassDef) -> bool:
    """A class of the project that is an optimizer: it subclasses ``...Optimizer``, or its name
    reads like one and its constructor takes ``weight_decay``."""
    for base in cls.bases:
        if (dotted(base) or "").rsplit(".", 1)[-1].endswith("Optimizer"):
            return True
    if not (cls.name[:1].isupper() and OTHER_OPTIMIZER.search(cls.name)):
        return False
    init = next(
        (s for s in cls.body if isinstance(s, ast.FunctionDef) and s.name == "__init__"), None
    )
    if init is None:
        return False
    names = [a.arg for a in (*init.args.args, *init.args.kwonlyargs)]
    return (
        "weight_decay" in names
        and len(names) > 1
        and names[1] in ("params", "param_groups", "parameters")
    )

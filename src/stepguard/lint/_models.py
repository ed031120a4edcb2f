"""What a model holds, seen statically: SG102's two exceptions.

SG102 reports an optimizer that decays every parameter of a model, biases and normalization or
embedding weights included. Two shapes make that harmless, and both can be seen in the code:

- `holds_no_decay_parameters` is False when the model's class is visible (this file, or another
  file of the linted tree) and every parameter it registers is a weight matrix: layers built
  with ``bias=False``, parameter-free modules (activations, dropout, pooling), ``nn.Parameter``
  tensors of two or more dimensions, and submodules of such classes. Anything else it cannot see
  through (a library model, ``setattr``, a 1-D parameter) counts as holding one.
- `only_adapters_trainable` is True when the file freezes the whole model and trains adapter
  weights only (peft's ``get_peft_model`` / ``mark_only_lora_as_trainable``, or
  ``model.requires_grad_(False)`` followed by LoRA / adapter parameters): those matrices have no
  bias or norm, and frozen parameters get no gradient, so no step decays them.
"""

from __future__ import annotations

import ast
import re

from stepguard.lint._objects import class_of_call
from stepguard.lint._scan import Facts, call_name, dotted, kwarg, walk

__all__ = ["holds_no_decay_parameters", "only_adapters_trainable"]

_FREE = frozenset(
    (
        "ReLU",
        "ReLU6",
        "GELU",
        "SiLU",
        "Mish",
        "ELU",
        "SELU",
        "CELU",
        "LeakyReLU",
        "Sigmoid",
        "Tanh",
        "Softmax",
        "LogSoftmax",
        "Softplus",
        "Hardswish",
        "Hardtanh",
        "Identity",
        "Dropout",
        "Dropout1d",
        "Dropout2d",
        "Dropout3d",
        "AlphaDropout",
        "Flatten",
        "Unflatten",
        "MaxPool1d",
        "MaxPool2d",
        "MaxPool3d",
        "AvgPool1d",
        "AvgPool2d",
        "AvgPool3d",
        "AdaptiveAvgPool1d",
        "AdaptiveAvgPool2d",
        "AdaptiveAvgPool3d",
        "AdaptiveMaxPool1d",
        "AdaptiveMaxPool2d",
        "Upsample",
        "PixelShuffle",
        "ZeroPad2d",
        "ConstantPad2d",
    )
)
# Layers whose only 1-D parameter is a bias, switched off by ``bias=False``.
_BIASED = frozenset(
    (
        "Linear",
        "Conv1d",
        "Conv2d",
        "Conv3d",
        "ConvTranspose1d",
        "ConvTranspose2d",
        "ConvTranspose3d",
        "Bilinear",
    )
)
_TENSOR_FACTORIES = frozenset(
    ("empty", "zeros", "ones", "randn", "rand", "Tensor", "FloatTensor", "full", "eye")
)
_PEFT = re.compile(r"\b(get_peft_model|mark_only_lora_as_trainable|LoraConfig|inject_adapter)\b")
_ADAPTER = re.compile(r"lora|adapter|prompt_embed|prefix_tun", re.I)


def only_adapters_trainable(facts: Facts) -> bool:
    """The file trains adapter weights only (see the module docstring)."""
    source = facts.source
    if _PEFT.search(source):
        return True
    if not _ADAPTER.search(source):
        return False
    for call in facts.calls:
        if (
            call_name(call) == "requires_grad_"
            and call.args
            and isinstance(call.args[0], ast.Constant)
            and call.args[0].value is False
        ):
            return True
    for node in facts.assigns:
        if (
            isinstance(node, ast.Assign)
            and any(
                isinstance(t, ast.Attribute) and t.attr == "requires_grad" for t in node.targets
            )
            and isinstance(node.value, ast.Constant)
            and node.value.value is False
        ):
            loop = facts.enclosing(node, (ast.For,))
            if (
                isinstance(loop, ast.For)
                and call_name_of(loop.iter)
                in (
                    "parameters",
                    "named_parameters",
                )
                and not any(isinstance(s, ast.If) for s in loop.body)
            ):
                return True
    return False


def call_name_of(node: ast.AST) -> str:
    return call_name(node) if isinstance(node, ast.Call) else ""


def holds_no_decay_parameters(facts: Facts, model: ast.expr, at: ast.AST) -> bool:
    """False only when the model is visibly built from weight matrices alone (module docstring)."""
    cls = _model_class(facts, model, at)
    if cls is None:
        return True
    owner, node = cls
    return _class_holds(owner, node, 0)


def _model_class(facts: Facts, model: ast.expr, at: ast.AST) -> tuple[Facts, ast.ClassDef] | None:
    value: ast.expr | None = None
    if isinstance(model, ast.Name):
        value = facts.local_value(model.id, at)
    if not isinstance(value, ast.Call):
        return None
    return class_of_call(facts, value)


def _class_holds(facts: Facts, cls: ast.ClassDef, depth: int) -> bool:
    """True unless every parameter `cls` registers is visibly a weight matrix."""
    if depth > 4:
        return True
    for base in cls.bases:
        name = (dotted(base) or "").rsplit(".", 1)[-1]
        if name == "Module":
            continue
        parent = class_of_call(facts, ast.Call(func=base, args=[], keywords=[]))
        if parent is None or _class_holds(parent[0], parent[1], depth + 1):
            return True
    init = next(
        (s for s in cls.body if isinstance(s, ast.FunctionDef) and s.name == "__init__"), None
    )
    if init is None:
        return False  # what the bases register was checked above
    for node in walk(init):
        if isinstance(node, ast.Call) and call_name(node) in (
            "register_parameter",
            "add_module",
            "setattr",
            "register_module",
        ):
            return True
        if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if not any(_is_self_attr(t) for t in targets):
            continue
        if _value_holds(facts, node.value, depth):
            return True
    return False


def _is_self_attr(t: ast.expr) -> bool:
    return isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self"


def _value_holds(facts: Facts, value: ast.expr, depth: int) -> bool:
    """True unless `value` (assigned to ``self.x`` in ``__init__``) is visibly parameter-free or
    weight matrices only."""
    if isinstance(value, (ast.Constant, ast.Name, ast.Attribute)):
        return False  # a number, a flag, a reference: registers nothing new here
    if isinstance(value, (ast.List, ast.Tuple)):
        return any(_value_holds(facts, e, depth) for e in value.elts)
    if isinstance(value, (ast.ListComp, ast.GeneratorExp)):
        return _value_holds(facts, value.elt, depth)
    if not isinstance(value, ast.Call):
        return True
    name = call_name(value)
    if name in _FREE:
        return False
    if name in _BIASED:
        flag = kwarg(value, "bias")
        return not (isinstance(flag, ast.Constant) and flag.value is False)
    if name in ("Sequential", "ModuleList", "ModuleDict"):
        args = list(value.args)
        return any(_value_holds(facts, a, depth) for a in args) or bool(value.keywords)
    if name == "Parameter":
        tensor = value.args[0] if value.args else kwarg(value, "data")
        return not _matrix(tensor)
    found = class_of_call(facts, value)
    if found is None:
        return True
    return _class_holds(found[0], found[1], depth + 1)


def _matrix(tensor: ast.expr | None) -> bool:
    """``torch.randn(a, b)``-style tensors with at least two dimensions."""
    if not isinstance(tensor, ast.Call) or call_name(tensor) not in _TENSOR_FACTORIES:
        return False
    dims = [a for a in tensor.args if not isinstance(a, ast.Starred)]
    if len(dims) == 1 and isinstance(dims[0], (ast.Tuple, ast.List)):
        dims = list(dims[0].elts)
    return len(dims) >= 2

"""SG102 in timm's shape-based split: what ``add_weight_decay`` / ``param_groups_weight_decay`` and
``create_optimizer`` leave decayed.

timm keeps out of decay every tensor with fewer than two dimensions (biases, norm gains) and the
names of a skip list, which ``create_optimizer(args, model)`` reads from ``model.no_weight_decay()``
(position embeddings, class tokens). Two shapes defeat it, and both can be seen in the code:

- `wrapped_skip_list`: ``create_optimizer(args, model)`` given the DDP wrapper (``model =
  DistributedDataParallel(model)`` before the call), which has no ``no_weight_decay()``; the
  model's declared skip list is lost. Reported only when the model is one that declares such a
  list (a class of the tree with ``no_weight_decay``, or a timm vision transformer by its name).
- `split_without_skip`: ``add_weight_decay(model, wd)`` (no skip list) over a model that holds a
  token embedding table, a 2-D tensor the shape rule decays: a class of the tree that builds an
  ``nn.Embedding``, or a model built with a vocabulary argument (``vocab=``, ``vocab_size=``).
"""

from __future__ import annotations

import ast
import re

from stepguard.lint._objects import builds, class_of_call
from stepguard.lint._scan import Facts, call_name, kwarg, walk

__all__ = ["split_without_skip", "timm_split_call", "wrapped_skip_list"]

_CREATE = ("create_optimizer", "create_optimizer_v2")
_SPLIT = ("add_weight_decay", "param_groups_weight_decay")
_WRAPPERS = ("DistributedDataParallel", "DDP", "DataParallel")
# timm model families whose classes declare no_weight_decay() (position embeddings, class tokens)
_DECLARES_SKIP = re.compile(
    r"^(vit|deit|swin|beit|cait|xcit|eva|crossvit|convit|volo|tnt|twins|coat|pit)_", re.I
)
_VOCAB_ARGS = ("vocab", "vocab_size", "n_vocab", "num_tokens", "ntoken", "n_token")


def _timm(facts: Facts, call: ast.Call, names: tuple[str, ...]) -> bool:
    q = facts.resolve(call.func)
    return q is not None and q.startswith("timm.") and q.rsplit(".", 1)[-1] in names


def wrapped_skip_list(facts: Facts, call: ast.Call) -> tuple[str, ast.If | None] | None:
    """For ``create_optimizer(args, model)`` of timm given a name that holds the DDP wrapper:
    (why the model declares a skip list, the ``if`` the wrapping happens under); else None."""
    if not _timm(facts, call, _CREATE) or not call.args:
        return None
    model = kwarg(call, "model") or (
        call.args[1]
        if call_name(call) == "create_optimizer" and len(call.args) > 1
        else call.args[0]
    )
    if not isinstance(model, ast.Name):
        return None
    scope = facts.function_of(call)
    wrap: ast.Assign | None = None
    inner: list[ast.expr] = []
    for a in facts.assigns:
        if not (
            isinstance(a, ast.Assign)
            and facts.function_of(a) is scope
            and a.lineno < call.lineno
            and any(isinstance(t, ast.Name) and t.id == model.id for t in a.targets)
        ):
            continue
        if isinstance(a.value, ast.Call) and call_name(a.value) in _WRAPPERS:
            wrap = a
        else:
            inner.append(a.value)
    if wrap is None or not inner:
        return None
    why = _declares_skip(facts, inner[0])
    if why is None:
        return None
    branch = facts.branches(wrap)
    return why, (branch[0][0] if branch else None)


def _unchain(node: ast.expr) -> ast.expr:
    """``Model(...).cuda().to(dev)`` -> ``Model(...)``."""
    while (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("to", "cuda", "float", "half", "bfloat16")
        and isinstance(node.func.value, ast.Call)
    ):
        node = node.func.value
    return node


def _declares_skip(facts: Facts, value: ast.expr) -> str | None:
    value = _unchain(value)
    if not isinstance(value, ast.Call):
        return None
    found = class_of_call(facts, value)
    if found is not None:
        cls = found[1]
        has = any(isinstance(s, ast.FunctionDef) and s.name == "no_weight_decay" for s in cls.body)
        return f"`{cls.name}` declares no_weight_decay()" if has else None
    q = facts.resolve(value.func) or ""
    if not q.startswith("timm.") or not q.endswith("create_model") or not value.args:
        return None
    name = _string_value(facts, value.args[0])
    if name is None or not _DECLARES_SKIP.match(name):
        return None
    return f"timm's `{name}` declares no_weight_decay() (position embedding, class token)"


def _string_value(facts: Facts, node: ast.expr) -> str | None:
    """A string constant, or the string default of the argparse option ``args.<x>`` names."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if not isinstance(node, ast.Attribute):
        return None
    for c in facts.calls:
        if call_name(c) != "add_argument":
            continue
        flags = [
            a.value for a in c.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
        ]
        if not any(f.lstrip("-").replace("-", "_") == node.attr for f in flags):
            continue
        default = kwarg(c, "default")
        if isinstance(default, ast.Constant) and isinstance(default.value, str):
            return default.value
    return None


def timm_split_call(facts: Facts, params: ast.expr | None) -> ast.Call | None:
    """The timm ``add_weight_decay(model, wd)`` call (no skip list) `params` names."""
    if isinstance(params, ast.Name):
        params = facts.local_value(params.id, params)
    if not isinstance(params, ast.Call) or not _timm(facts, params, _SPLIT) or not params.args:
        return None
    if len(params.args) > 2 or kwarg(params, "skip_list") or kwarg(params, "no_weight_decay_list"):
        return None
    return params


def split_without_skip(facts: Facts, split: ast.Call) -> str | None:
    """Why the model of a skip-less timm split holds a token embedding table, else None."""
    model = split.args[0]
    why: str | None = None
    for owner, chained in builds(facts, model):
        built = _unchain(chained)
        if not isinstance(built, ast.Call):
            return None
        if call_name(built) in (*_WRAPPERS, "to", "cuda", "compile"):
            continue  # the wrapped model is among the constructions too
        found = class_of_call(owner, built)
        if found is not None:
            cls = found[1]
            if not any(isinstance(n, ast.Call) and call_name(n) == "Embedding" for n in walk(cls)):
                return None
            why = why or f"`{cls.name}` builds an nn.Embedding"
            continue
        given = next((k.arg for k in built.keywords if k.arg in _VOCAB_ARGS), None)
        if given is None:
            return None
        why = why or f"the model is built with a vocabulary (`{given}=`): a token embedding"
    return why

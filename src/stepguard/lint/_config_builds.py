"""Optimizers a generic helper instantiates from a config file: ``getattr(module, cfg["type"])``.

Many projects build every object the same way, from a section of a JSON/YAML config::

    def get_instance(module, name, config, *args):
        return getattr(module, config[name]["type"])(*args, **config[name]["args"])

    optimizer = get_instance(torch.optim, "optimizer", config, params)

(pytorch-template's ``config.init_obj("optimizer", torch.optim, params)`` is the same shape as a
method.) The helper builds a model, a loss or an optimizer depending on the module it is handed,
so the construction is read at the call that hands it ``torch.optim``: the class is the
section's ``type`` in the tree's configs, the parameters are the arguments the helper forwards
through ``*args``, and the weight decay is the section's ``weight_decay`` entry.

`config_builds` returns, for such calls, a stand-in construction (``torch.optim.SGD(params,
weight_decay=config["optimizer"]["args"]["weight_decay"])`` placed at the call) that the weight
decay rules read like a written one; the decay's value and activity come from the configs.
Precision first: nothing is built when the helper is not visible in the tree, when it does not
``getattr`` the module it is handed, or when the configs name no ``type`` or several.
"""

from __future__ import annotations

import ast
import dataclasses
from typing import TYPE_CHECKING

from stepguard._optimizers import TORCH_OPTIMIZERS
from stepguard.lint._base import Violation
from stepguard.lint._objects import callee
from stepguard.lint._scan import Facts, call_name, walk

if TYPE_CHECKING:
    from stepguard.lint._nodes import FuncDef

__all__ = ["config_builds", "decay_builds", "explain_config_builds"]

_MODULE = "torch.optim"


def decay_builds(facts: Facts) -> list[ast.Call]:
    """The optimizer constructions of the file, then the config-instantiated ones."""
    return [*facts.optimizer_builds, *config_builds(facts)]


def config_builds(facts: Facts) -> list[ast.Call]:
    """Stand-in constructions for calls that hand ``torch.optim`` to a helper of the tree that
    instantiates ``getattr(module, <config>["type"])`` (see the module docstring)."""
    cached = facts.cache.get("config_builds")
    if isinstance(cached, list):
        return cached
    out: list[ast.Call] = []
    if facts.project is not None and "optim" in facts.source:
        for call in facts.calls:
            built = _stand_in(facts, call)
            if built is not None:
                out.append(built)
    facts.cache["config_builds"] = out
    return out


def explain_config_builds(facts: Facts, violations: list[Violation]) -> list[Violation]:
    """Findings on a stand-in construction say where its class and decay come from, and carry no
    edit (the code at that line is the helper call, not the construction a fix would rewrite)."""
    notes: dict[int, str] = facts.cache.get("config_build_notes", {})  # type: ignore[assignment]
    if not notes:
        return violations
    out = []
    for v in violations:
        note = notes.get(id(v.node))
        if note is None:
            out.append(v)
            continue
        finding = dataclasses.replace(v.finding, message=f"{v.finding.message} ({note})")
        out.append(dataclasses.replace(v, finding=finding, edits=()))
    return out


def _stand_in(facts: Facts, call: ast.Call) -> ast.Call | None:
    module = next((a for a in call.args if facts.resolve(a) == _MODULE), None)
    section = next(
        (a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)),
        None,
    )
    if module is None or section is None or call_name(call) == "getattr":
        return None
    found = callee(facts, call, objects=True, training=False)
    if found is None:
        return None
    _, func = found
    forwarded = _forwarded(func, call)
    if forwarded is None or not _instantiates_getattr(func):
        return None
    cls, decay_path = _section(facts, section)
    if cls is None:
        return None
    root = next(
        (a for a in call.args if isinstance(a, ast.Name) and a is not module),
        None,
    )
    keywords: list[ast.keyword] = []
    if decay_path is not None:
        value: ast.expr = ast.Name(id=root.id if root is not None else "config", ctx=ast.Load())
        for part in decay_path:
            value = ast.Subscript(value=value, slice=ast.Constant(part), ctx=ast.Load())
        keywords.append(ast.keyword(arg="weight_decay", value=value))
    func_node = ast.Attribute(value=module, attr=cls, ctx=ast.Load())
    built = ast.Call(func=func_node, args=forwarded, keywords=keywords)
    for node in ast.walk(built):
        ast.copy_location(node, call)
    parent = facts.parents.get(call)
    if parent is not None:
        facts.parents[built] = parent
    facts.parents[func_node] = built
    for kw in keywords:
        for node in ast.walk(kw.value):
            facts.parents.setdefault(node, built)
    notes = facts.cache.setdefault("config_build_notes", {})
    assert isinstance(notes, dict)
    helper = call_name(call) or "the helper"
    notes[id(built)] = (
        f"`{helper}(...)` instantiates torch.optim.{cls}: the class is `{section}.type` in the "
        "project's config files, and the keywords are that section's"
    )
    return built


def _forwarded(func: FuncDef, call: ast.Call) -> list[ast.expr] | None:
    """The caller's arguments the helper receives in its ``*args`` (those past its positional
    parameters; ``self`` does not count for a method called on an object), or None when it has
    no ``*args`` or none are passed."""
    args = func.args
    if args.vararg is None:
        return None
    positional = [*args.posonlyargs, *args.args]
    skip = len(positional)
    if positional and positional[0].arg in ("self", "cls") and isinstance(call.func, ast.Attribute):
        skip -= 1
    extra = call.args[skip:]
    if not extra or any(isinstance(a, ast.Starred) for a in extra):
        return None
    return list(extra)


def _instantiates_getattr(func: FuncDef) -> bool:
    """The helper calls ``getattr(<one of its parameters>, ...)(*args, ...)``."""
    params = {a.arg for a in (*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs)}
    for node in walk(func):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Call)
            and call_name(node.func) == "getattr"
            and node.func.args
            and isinstance(node.func.args[0], ast.Name)
            and node.func.args[0].id in params
            and any(isinstance(a, ast.Starred) for a in node.args)
        ):
            return True
    return False


def _section(facts: Facts, section: str) -> tuple[str | None, list[str] | None]:
    """(the torch.optim class the configs' ``<section>.type`` names, the key path of its
    ``weight_decay``), or (None, None) when no config names exactly one torch.optim class."""
    settings = getattr(facts.project, "settings", None)
    if settings is None or not getattr(facts.project, "roots", ()):
        return None, None
    types: set[str] = set()
    decay: list[str] | None = None
    for scenario in settings.scenarios():
        for dotted_key, value in scenario.config:
            parts = dotted_key.split(".")
            if parts[0] != section or len(parts) < 2:
                continue
            if parts[1:] == ["type"] and isinstance(value.value, str):
                types.add(value.value)
            elif parts[-1] == "weight_decay" and decay is None:
                decay = parts
    if len(types) != 1:
        return None, None
    name = next(iter(types))
    cls = next((c for c in TORCH_OPTIMIZERS if c.lower() == name.lower()), None)
    return cls, decay

"""Optimizers a generic helper instantiates from a config file: ``getattr(module, cfg["type"])``.

Many projects build every object the same way, from a section of a JSON/YAML config::

    def get_instance(module, name, config, *args):
        return getattr(module, config[name]["type"])(*args, **config[name]["args"])

    optimizer = get_instance(torch.optim, "optimizer", config, params)

(pytorch-template's ``config.init_obj("optimizer", torch.optim, params)`` is the same shape as a
method; hydra's ``instantiate(cfg.optimizer, params=...)`` over a node whose ``_target_`` is
``torch.optim.Adam`` is the declarative form.) The helper builds a model, a loss or an optimizer depending on the module it is handed,
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
from stepguard.lint._scan import Facts, call_name, short, walk

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
            built = (
                _stand_in(facts, call)
                or _hydra_stand_in(facts, call)
                or _partial_stand_in(facts, call)
            )
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
    decay: ast.expr | None = None
    if decay_path is not None:
        decay = ast.Name(id=root.id if root is not None else "config", ctx=ast.Load())
        for part in decay_path:
            decay = ast.Subscript(value=decay, slice=ast.Constant(part), ctx=ast.Load())
    helper = call_name(call) or "the helper"
    note = (
        f"`{helper}(...)` instantiates torch.optim.{cls}: the class is `{section}.type` in the "
        "project's config files, and the keywords are that section's"
    )
    func_node = ast.Attribute(value=module, attr=cls, ctx=ast.Load())
    return _build(facts, call, func_node, forwarded, decay, note)


def _hydra_stand_in(facts: Facts, call: ast.Call) -> ast.Call | None:
    """``hydra.utils.instantiate(cfg.optimizer, params)`` (or ``params=``) where the tree's
    configs give that node ``_target_: torch.optim.<Class>`` (in a ``optimizer:`` mapping, or
    as the top level of a config group file ``optimizer/<name>.yaml``), exactly one class, and
    no ``_partial_: true`` (a partial is called later, elsewhere)."""
    if call_name(call) != "instantiate" or not call.args:
        return None
    if facts.resolve(call.func) not in ("hydra.utils.instantiate", "hydra.instantiate"):
        return None
    node = call.args[0]
    comps: list[str] = []
    chain: ast.expr = node
    while isinstance(chain, (ast.Attribute, ast.Subscript)):
        key = chain.attr if isinstance(chain, ast.Attribute) else _const(chain.slice)
        if key is None:
            return None
        comps.append(key)
        chain = chain.value
    if not comps or not isinstance(chain, ast.Name):
        return None
    params = call.args[1] if len(call.args) > 1 else None
    params = params or next((k.value for k in call.keywords if k.arg == "params"), None)
    if params is None or isinstance(params, ast.Starred):
        return None
    found = _hydra_node(facts, comps[0])
    if found is None or found[1]:
        return None  # no single torch.optim target, or a partial (called elsewhere)
    target, _, decays = found
    decay = ast.Attribute(value=node, attr="weight_decay", ctx=ast.Load()) if decays else None
    note = (
        f"`instantiate(...)` builds {target}: the `_target_` of `{short(node, 30)}` in the "
        "project's config files, with that node's keywords"
    )
    return _build(facts, call, _torch_class(target), [params], decay, note)


def _partial_stand_in(facts: Facts, call: ast.Call) -> ast.Call | None:
    """``self.hparams.optimizer(params=self.parameters())`` (lightning-hydra-template): a
    ``functools.partial`` hydra made from a config node ``optimizer: {_target_: torch.optim.Adam,
    _partial_: true, ...}`` named like the attribute called, given the parameters; exactly one
    torch.optim class across the tree's configs."""
    func = call.func
    if not isinstance(func, ast.Attribute) or not isinstance(func.value, (ast.Attribute, ast.Name)):
        return None
    if "optim" not in func.attr.lower():
        return None  # the node is named for what it builds (`optimizer`, `optim_partial`)
    params = call.args[0] if len(call.args) == 1 else None
    params = params or next((k.value for k in call.keywords if k.arg == "params"), None)
    if params is None or isinstance(params, ast.Starred):
        return None
    if func.attr not in _hydra_index(facts):
        return None
    found = _hydra_node(facts, func.attr)
    if found is None or not found[1]:
        return None
    target, _, decays = found
    decay = ast.Attribute(value=func, attr="weight_decay", ctx=ast.Load()) if decays else None
    note = (
        f"`{short(func, 30)}` is the partial hydra builds from the config node "
        f"`{func.attr}` (`_target_: {target}`, `_partial_: true`), with that node's keywords"
    )
    return _build(facts, call, _torch_class(target), [params], decay, note)


def _hydra_node(facts: Facts, section: str) -> tuple[str, bool, bool] | None:
    """(the ``_target_``, whether ``_partial_: true``, whether it sets ``weight_decay``) of the
    config nodes named `section` in the tree (a mapping under that key, or the top level of a
    config group file ``<section>/<name>.yaml``), when they name exactly one torch.optim class
    and agree on ``_partial_``; None otherwise."""
    targets: set[str] = set()
    decays = False
    nodes: dict[str, bool] = {}  # node path -> _partial_
    for dotted_key, value, where in _hydra_index(facts).get(section, ()):
        parts = dotted_key.split(".")
        node = f"{where}:{'.'.join(parts[:-1])}"
        nodes.setdefault(node, False)
        if parts[-1] == "_target_" and isinstance(value, str):
            targets.add(value)
        elif parts[-1] == "_partial_" and value is True:
            nodes[node] = True
        elif parts[-1] == "weight_decay":
            decays = True
    partial = set(nodes.values())
    if len(targets) != 1 or len(partial) != 1:
        return None
    target = next(iter(targets))
    module, _, name = target.rpartition(".")
    if module != _MODULE or name not in TORCH_OPTIMIZERS:
        return None
    return target, partial.pop(), decays


def _hydra_index(facts: Facts) -> dict[str, list[tuple[str, object, str]]]:
    """The tree's config entries by the name of the node that holds them (the key above them,
    or the config group folder of a top-level entry), for the trees whose configs have any
    ``_target_``; built once per project (empty without one: the common case costs a lookup)."""
    settings = getattr(facts.project, "settings", None)
    if settings is None:
        return {}
    index: dict[str, list[tuple[str, object, str]]] | None = getattr(
        settings, "_stepguard_hydra_index", None
    )
    if index is None:
        index = {}
        entries = _entries(facts)
        if any(k.endswith("_target_") for k, _, _ in entries):
            for dotted_key, value, where in entries:
                parts = dotted_key.split(".")
                if len(parts) >= 2:
                    index.setdefault(parts[-2], []).append((dotted_key, value, where))
                elif "/" in where.replace("\\", "/"):
                    folder = where.replace("\\", "/").rsplit("/", 2)[-2]
                    index.setdefault(folder, []).append((dotted_key, value, where))
        settings._stepguard_hydra_index = index
    return index


def _torch_class(target: str) -> ast.expr:
    torch_node = ast.Attribute(value=ast.Name(id="torch", ctx=ast.Load()), attr="optim")
    return ast.Attribute(value=torch_node, attr=target.rpartition(".")[2], ctx=ast.Load())


def _const(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _entries(facts: Facts) -> list[tuple[str, object, str]]:
    """(dotted key, value, source file) of every config entry of the tree's scenarios."""
    settings = getattr(facts.project, "settings", None)
    if settings is None or not getattr(facts.project, "roots", ()):
        return []
    out = []
    for scenario in settings.scenarios():
        for dotted_key, value in scenario.config:
            where = value.sources[0].rsplit(":", 1)[0] if value.sources else ""
            out.append((dotted_key, value.value, where))
    return out


def _build(
    facts: Facts,
    call: ast.Call,
    func_node: ast.expr,
    args: list[ast.expr],
    decay: ast.expr | None,
    note: str,
) -> ast.Call:
    """The stand-in ``func_node(*args, weight_decay=decay)`` placed at `call`."""
    keywords = [] if decay is None else [ast.keyword(arg="weight_decay", value=decay)]
    built = ast.Call(func=func_node, args=args, keywords=keywords)
    # Only the new nodes get the call's position and a parent: the code's own nodes it reuses
    # (the parameters, the module, the config read) keep theirs.
    original = {id(n) for n in ast.walk(call)} | {id(n) for a in args for n in ast.walk(a)}
    for node in ast.walk(built):
        if id(node) not in original:
            ast.copy_location(node, call)
    parent = facts.parents.get(call)
    if parent is not None:
        facts.parents[built] = parent
    for node in [*ast.walk(func_node), *(n for kw in keywords for n in ast.walk(kw.value))]:
        if id(node) not in original:
            facts.parents.setdefault(node, built)
    notes = facts.cache.setdefault("config_build_notes", {})
    assert isinstance(notes, dict)
    notes[id(built)] = note
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

"""What an expression is worth in one scenario of the project, without running anything.

`Evaluator.values` follows an expression to the values it can take (`Alts`, each a `Value` with
the places it comes from):

- constants and arithmetic, comparisons, ``x if cond else y``, ``int()``/``float()``/``max()``
  and ``str.lower()``; names bound in the function or the module (every assignment is an
  alternative), a parameter's default and the arguments the calls in the tree pass, names
  imported from another file of the tree, ``self.x`` assigned in the class or its bases;
- ``args.x``, ``cfg.optim.x``, ``cfg["x"]``, ``getattr(args, "x", d)``, ``cfg.get("x", d)``:
  the setting ``x`` from the scenario (a launch option, a config entry, best match on the dotted
  path) or else the code's default (argparse, absl, dataclass and config-class fields);
- ``os.environ["X"]`` / ``os.getenv("X", d)`` from the launch's environment, the world size
  (``dist.get_world_size()``, ``WORLD_SIZE``) from the launcher's process count.

What cannot be followed is reported as unknown, with the reason (`Alts.unknown`), never guessed.
`stepguard.lint._activity` decides from these values whether a finding is active or latent.
"""

from __future__ import annotations

import ast
import itertools
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from stepguard.lint._objects import callers as find_callers
from stepguard.lint._objects import passed_argument
from stepguard.lint._project import Project
from stepguard.lint._scan import Facts, FuncDef, call_name, dotted, short
from stepguard.lint._settings import Scenario, Settings, Value
from stepguard.lint._values import assigned_values, dict_constant_entry

__all__ = ["Alts", "Evaluator", "settings_of"]

_MAX_ALTERNATIVES = 16
_MAX_DEPTH = 10
_ARITH: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
}
_CASTS: dict[str, Callable[[Any], Any]] = {
    "int": int,
    "float": float,
    "bool": bool,
    "abs": abs,
    "round": round,
    "str": str,
}


@dataclass
class Alts:
    """The values an expression can take (alternatives), and what could not be resolved."""

    values: list[Value]
    unknown: str | None = None


def _unknown(why: str) -> Alts:
    return Alts([], why)


def settings_of(project: Project) -> Settings:
    """The project's `Settings`, made on first use."""
    if project.settings is None:
        project.settings = Settings(project)
    settings: Settings = project.settings
    return settings


class Evaluator:
    """Evaluates expressions in one scenario."""

    def __init__(self, settings: Settings, scenario: Scenario) -> None:
        self.settings = settings
        self.scenario = scenario
        self.project = settings.project
        self.memo: dict[tuple[int, int], Alts] = {}

    def values(self, facts: Facts, node: ast.AST, depth: int = 0) -> Alts:
        key = (id(facts), id(node))
        if key in self.memo:
            return self.memo[key]
        if depth > _MAX_DEPTH:
            return _unknown(f"`{short(node, 40)}` is built too indirectly")
        self.memo[key] = _unknown(f"`{short(node, 40)}` depends on itself")
        out = self._values(facts, node, depth)
        if len(out.values) > _MAX_ALTERNATIVES:
            out.values = out.values[:_MAX_ALTERNATIVES]
        self.memo[key] = out
        return out

    def _values(self, facts: Facts, node: ast.AST, depth: int) -> Alts:
        d = depth + 1
        if isinstance(node, ast.Constant):
            v = node.value
            if v is None or isinstance(v, (int, float, bool, str)):
                return Alts([Value(v, (_loc(facts, node),))])
            return _unknown(f"`{short(node, 30)}` is not a number or a flag")
        if isinstance(node, ast.UnaryOp):
            ops: dict[type, Callable[[Any], Any]] = {
                ast.USub: operator.neg,
                ast.UAdd: operator.pos,
                ast.Not: operator.not_,
            }
            fn = ops.get(type(node.op))
            if fn is None:
                return _unknown(f"`{short(node, 30)}`")
            return _map(self.values(facts, node.operand, d), fn)
        if isinstance(node, ast.BinOp):
            fn2 = _ARITH.get(type(node.op))
            if fn2 is None:
                return _unknown(f"`{short(node, 30)}`")
            return _combine(
                [self.values(facts, node.left, d), self.values(facts, node.right, d)],
                lambda a, b: fn2(a, b),
            )
        if isinstance(node, ast.BoolOp):
            parts = [self.values(facts, v, d) for v in node.values]
            if isinstance(node.op, ast.And):
                return _combine(parts, lambda *xs: next((x for x in xs if not x), xs[-1]))
            return _combine(parts, lambda *xs: next((x for x in xs if x), xs[-1]))
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            fn3 = _COMPARE[type(node.ops[0])]
            return _combine(
                [self.values(facts, node.left, d), self.values(facts, node.comparators[0], d)],
                lambda a, b: fn3(a, b),
            )
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            parts = [self.values(facts, e, d) for e in node.elts]
            return _combine(parts, lambda *xs: tuple(xs))
        if isinstance(node, ast.IfExp):
            test = self.values(facts, node.test, d)
            picks = [bool(v.value) for v in test.values]
            out = Alts([])
            if test.unknown or True in picks:
                _extend(out, self.values(facts, node.body, d))
            if test.unknown or False in picks:
                _extend(out, self.values(facts, node.orelse, d))
            return out
        if isinstance(node, ast.Call):
            return self._call(facts, node, d)
        if isinstance(node, ast.Name):
            return self._name(facts, node, d)
        if isinstance(node, ast.Attribute) and node.attr == "type":
            device = self.values(facts, node.value, d)  # `device.type` of a torch.device
            if device.values and all(_device_text(v.value) is not None for v in device.values):
                return _map(device, lambda v: str(_device_text(v)).split(":")[0])
        if isinstance(node, ast.Subscript):
            entry = dict_constant_entry(facts, node, node)  # TRAIN_CFG["weight_decay"]
            if entry is not None:
                return self.values(facts, entry, d)
            passed = self._passed_entry(facts, node, node, d)  # config["k"], config a parameter
            if passed is not None:
                return passed
        if isinstance(node, (ast.Attribute, ast.Subscript)):
            return self._setting(facts, node, d)
        return _unknown(f"`{short(node, 40)}` is computed at run time")

    # -- calls ---------------------------------------------------------------------------------
    def _call(self, facts: Facts, node: ast.Call, d: int) -> Alts:
        name = call_name(node)
        q = facts.resolve(node.func) or ""
        if name in _CASTS and isinstance(node.func, ast.Name) and len(node.args) == 1:
            return _map(self.values(facts, node.args[0], d), _CASTS[name])
        if (
            name in ("lower", "upper", "strip", "casefold")
            and isinstance(node.func, ast.Attribute)
            and not node.args
        ):
            return _map(self.values(facts, node.func.value, d), lambda v: getattr(v, name)())
        if name in ("max", "min") and isinstance(node.func, ast.Name) and len(node.args) >= 2:
            fn = max if name == "max" else min
            return _combine([self.values(facts, a, d) for a in node.args], lambda *xs: fn(xs))
        if name == "get_world_size":
            return self._world(node)
        if q == "torch.cuda.is_available" and not node.args:
            # `torch.device("cuda" if torch.cuda.is_available() else "cpu")`: the script is
            # written for the GPU it looks for, as its labels and authors read it.
            return Alts([Value(True, (f"{_loc(facts, node)} (a CUDA device present)",))])
        if q == "torch.device" and len(node.args) == 1 and not node.keywords:
            return _map(self.values(facts, node.args[0], d), lambda v: _device_text(v) or v)
        if name == "getattr" and len(node.args) >= 2 and _const_str(node.args[1]) is not None:
            comps = _components(node.args[0])
            key = _const_str(node.args[1])
            assert key is not None
            default = node.args[2] if len(node.args) > 2 else None
            if comps is not None:
                return self._lookup(facts, [*comps, key], node, default, d)
        if name in ("get", "getenv") and node.args and _const_str(node.args[0]) is not None:
            key = _const_str(node.args[0])
            assert key is not None
            default = node.args[1] if len(node.args) > 1 else None
            rec = node.func.value if isinstance(node.func, ast.Attribute) else None
            if q in ("os.getenv", "os.environ.get") or (
                rec is not None and dotted(rec) == "os.environ"
            ):
                return self._env(facts, key, default, d)
            comps = _components(rec) if rec is not None else None
            if comps is not None:
                return self._lookup(facts, [*comps, key], node, default, d)
        return _unknown(f"`{short(node, 40)}` is computed at run time")

    def _world(self, node: ast.AST) -> Alts:
        ws = self.scenario.world_size
        if ws is None:
            return _unknown("the world size is set at launch")
        return Alts([ws])

    def _env(self, facts: Facts, key: str, default: ast.expr | None, d: int) -> Alts:
        v = self.scenario.env.get(key)
        if v is not None:
            from stepguard.lint._configs import parse_scalar

            return Alts([Value(parse_scalar(str(v.value)), v.sources)])
        if key == "WORLD_SIZE" and self.scenario.world_size is not None:
            return Alts([self.scenario.world_size])
        if key == "ACCELERATE_MIXED_PRECISION":
            # `accelerate launch --mixed_precision fp16` and an accelerate config file's
            # `mixed_precision: fp16` reach an `Accelerator()` through this variable.
            found = self.scenario.option(["mixed_precision"])
            if isinstance(found, Value):
                return Alts([found])
        if default is not None:
            return self.values(facts, default, d)
        return _unknown(f"environment variable {key} is set at launch")

    # -- names ---------------------------------------------------------------------------------
    def _name(self, facts: Facts, node: ast.Name, d: int) -> Alts:
        name = node.id
        scope = facts.function_of(node)
        if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)) and _is_param(scope, name):
            assigned = assigned_values(facts, name, node)
            if assigned != [None]:
                return self._union(facts, assigned, d)
            return self._parameter(facts, scope, name, d)
        assigned = assigned_values(facts, name, node)
        if assigned != [None]:
            out = self._union(facts, assigned, d)
            override = self._global_override(facts, name)
            return override if override is not None else out
        alias = facts.aliases.get(name)
        if alias is not None and self.project is not None:
            found = self.project.lookup(facts, alias)
            if found is not None and isinstance(found[1], ast.expr):
                return self.values(found[0], found[1], d)
        override = self._global_override(facts, name)
        if override is not None:
            return override
        if alias is not None and "." in alias.lstrip("."):
            module = alias.rsplit(".", 1)[0]
            return _unknown(f"`{name}` is imported from `{module}`, which was not read")
        return _unknown(f"`{name}` is not bound where the linter can see it")

    def _global_override(self, facts: Facts, name: str) -> Alts | None:
        """nanoGPT-style globals overridden by ``exec(open(configurator).read())``."""
        if "exec(" not in facts.source and "globals()" not in facts.source:
            return None
        v = self.scenario.option([name])
        if isinstance(v, Value):
            return Alts([v])
        return None

    def _union(self, facts: Facts, exprs: Sequence[ast.expr | None], d: int) -> Alts:
        out = Alts([])
        for e in exprs:
            if e is None:
                out.unknown = out.unknown or "a value assigned in a way the linter cannot follow"
                continue
            _extend(out, self.values(facts, e, d))
        return out

    def _parameter(self, facts: Facts, func: FuncDef, name: str, d: int) -> Alts:
        args = func.args
        pos = [a.arg for a in (*args.posonlyargs, *args.args)]
        kwonly = [a.arg for a in args.kwonlyargs]
        defaults = dict(zip(pos[len(pos) - len(args.defaults) :], args.defaults, strict=True))
        defaults.update(
            {a: v for a, v in zip(kwonly, args.kw_defaults, strict=True) if v is not None}
        )
        default = defaults.get(name)
        out = Alts([])
        callers = find_callers(facts, func)
        for caller_facts, call in callers:
            passed = passed_argument(call, func, name, pos)
            if passed is None:
                if default is not None:
                    _extend(out, self.values(facts, default, d))
                continue
            if isinstance(passed, ast.Starred):
                out.unknown = out.unknown or f"`{name}` is passed through *args/**kwargs"
                continue
            _extend(out, self.values(caller_facts, passed, d))
        if not callers:
            if default is not None:
                return self.values(facts, default, d)
            return _unknown(
                f"parameter `{name}` of `{func.name}()` has no default and no caller in the linted files"
            )
        return out

    def _passed_entry(
        self, facts: Facts, node: ast.Subscript, at: ast.AST, d: int, hops: int = 0
    ) -> Alts | None:
        """``config["accum_iter"]`` where ``config`` is a parameter of the function holding `at`
        and every caller of the tree passes a dict literal with that key (or a name bound once
        to one, or a parameter of its own that its callers pass so, up to three calls up):
        the values of those entries. None when a caller passes anything else, or none is seen."""
        if not (isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str)):
            return None
        if isinstance(node.value, ast.Attribute):
            # `self.train_params["k"]`, the attribute bound in `__init__` to a parameter of the
            # same name's role: read as that parameter's entry there (its callers build the class).
            init = self._init_binding(facts, node.value)
            if init is None:
                return None
            assign, param = init
            there = ast.copy_location(
                ast.Subscript(value=param, slice=node.slice, ctx=ast.Load()), assign
            )
            return self._passed_entry(facts, there, assign, d, hops)
        if not isinstance(node.value, ast.Name):
            return None
        name, key = node.value.id, node.slice.value
        scope = facts.function_of(at)
        if hops > 2 or not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        if not _is_param(scope, name) or assigned_values(facts, name, at) != [None]:
            return None
        pos = [a.arg for a in (*scope.args.posonlyargs, *scope.args.args)]
        callers = find_callers(facts, scope)
        if not callers:
            return None
        out = Alts([])
        for caller_facts, call in callers[:8]:
            passed = passed_argument(call, scope, name, pos)
            if isinstance(passed, ast.Name):  # a name bound once to a dict literal
                bound = caller_facts.local_value(passed.id, call)
                if isinstance(bound, ast.Dict):
                    passed = bound
            if isinstance(passed, ast.Dict):
                found = [
                    v
                    for k, v in zip(passed.keys, passed.values, strict=True)
                    if isinstance(k, ast.Constant) and k.value == key
                ]
                if len(found) != 1 or any(k is None for k in passed.keys):
                    return None
                _extend(out, self.values(caller_facts, found[0], d))
                continue
            if not isinstance(passed, ast.Name):
                return None
            there = ast.copy_location(
                ast.Subscript(value=passed, slice=ast.Constant(key), ctx=ast.Load()), call
            )
            entry = dict_constant_entry(caller_facts, there, call)
            if entry is not None:
                _extend(out, self.values(caller_facts, entry, d))
                continue
            deeper = self._passed_entry(caller_facts, there, call, d, hops + 1)
            if deeper is None:
                return None
            _extend(out, deeper)
        return out if out.values or out.unknown else None

    def _init_binding(
        self, facts: Facts, attr: ast.Attribute
    ) -> tuple[ast.Assign, ast.Name] | None:
        """For ``self.x``: the one ``self.x = p`` of its class's ``__init__`` with ``p`` a
        parameter of ``__init__`` (the assignment and ``p``); None otherwise."""
        if not (isinstance(attr.value, ast.Name) and attr.value.id == "self"):
            return None
        cls = facts.class_of(attr)
        if cls is None:
            return None
        target = f"self.{attr.attr}"
        found: list[tuple[ast.Assign, ast.Name]] = []
        for stmt in ast.walk(cls):
            if isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                if not any(dotted(x) == target for x in targets):
                    continue
                func = facts.function_of(stmt)
                if (
                    not isinstance(stmt, ast.Assign)
                    or not isinstance(func, ast.FunctionDef)
                    or func.name != "__init__"
                    or not isinstance(stmt.value, ast.Name)
                    or not _is_param(func, stmt.value.id)
                ):
                    return None  # bound elsewhere too, or to something else
                found.append((stmt, stmt.value))
        return found[0] if len(found) == 1 else None

    # -- settings ------------------------------------------------------------------------------
    def _setting(self, facts: Facts, node: ast.Attribute | ast.Subscript, d: int) -> Alts:
        comps = _components(node)
        if comps is None:
            return _unknown(f"`{short(node, 40)}` is computed at run time")
        if comps[-1] in ("num_processes", "world_size") and len(comps) == 2:
            ws = self._world(node)
            if ws.values:
                return ws
        if comps[0] == "os" and comps[1:2] == ["environ"] and len(comps) == 3:
            return self._env(facts, comps[2], None, d)
        bound = self._attribute_binding(facts, node, comps, d)
        if bound is not None:
            return bound
        return self._lookup(facts, comps, node, None, d)

    def _attribute_binding(
        self, facts: Facts, node: ast.AST, comps: list[str], d: int
    ) -> Alts | None:
        """``self.x`` assigned in the class (or its bases), ``args.x = ...`` in the function."""
        target = ".".join(comps)
        if comps[0] == "self" and len(comps) == 2:
            cls = facts.class_of(node)
            if cls is None:
                return None
            values: list[tuple[Facts, ast.expr]] = []
            for owner, klass in [(facts, cls), *self._bases(facts, cls)]:
                for stmt in ast.walk(klass):
                    if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
                        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                        if any(dotted(t) == target for t in targets):
                            values.append((owner, stmt.value))
            if not values:
                return None
            out = Alts([])
            for owner, v in values:
                _extend(out, self.values(owner, v, d))
            return out if out.values else None
        scope = facts.function_of(node)
        found = [
            n.value
            for n in facts.assigns
            if isinstance(n, ast.Assign)
            and facts.function_of(n) is scope
            and n.value is not None
            and any(dotted(t) == target for t in n.targets)
        ]
        if len(found) == 1:
            return self.values(facts, found[0], d)
        return None

    def _bases(self, facts: Facts, cls: ast.ClassDef) -> list[tuple[Facts, ast.ClassDef]]:
        if self.project is None:
            return []
        return self.project.bases(facts, cls)

    def _lookup(
        self,
        facts: Facts,
        comps: list[str],
        node: ast.AST,
        default: ast.expr | None,
        d: int,
    ) -> Alts:
        v = self.scenario.option(comps)
        if v is False:
            return _unknown(f"`{short(node, 40)}`: the config sets `{comps[-1]}` in several places")
        if isinstance(v, Value):
            return Alts([v])
        found = self.settings.defaults(comps[-1], prefer=facts.path)
        if found:
            if not self.scenario.config:
                why = self.settings.config_override(found)
                if why is not None:
                    return _unknown(why)
            return Alts(list(found))
        if default is not None:
            return self.values(facts, default, d)
        return _unknown(f"`{short(node, 40)}` not resolved (no default in the linted files)")


# -- helpers -------------------------------------------------------------------------------------


def _loc(facts: Facts, node: ast.AST) -> str:
    return f"{facts.path}:{getattr(node, 'lineno', 1)}"


def _device_text(value: Any) -> str | None:
    """``"cuda:0"`` for a device string torch.device accepts, else None."""
    if isinstance(value, str) and value.split(":")[0] in ("cuda", "cpu", "mps", "xpu", "npu"):
        return value
    return None


def _const_str(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _components(node: ast.AST | None) -> list[str] | None:
    """``self.cfg["train"].lr`` -> ``["self", "cfg", "train", "lr"]``; None for other shapes."""
    out: list[str] = []
    while node is not None:
        if isinstance(node, ast.Attribute):
            out.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript):
            key = _const_str(node.slice)
            if key is None:
                return None
            out.append(key)
            node = node.value
        elif isinstance(node, ast.Name):
            out.append(node.id)
            return list(reversed(out))
        elif isinstance(node, ast.Call) and not node.args and not node.keywords:
            node = node.func  # `get_config().train.lr`
        else:
            return None
    return None


def _is_param(func: FuncDef, name: str) -> bool:
    a = func.args
    return any(x.arg == name for x in (*a.posonlyargs, *a.args, *a.kwonlyargs))


def _extend(out: Alts, more: Alts) -> None:
    for v in more.values:
        if all(repr(v.value) != repr(o.value) or v.sources != o.sources for o in out.values):
            out.values.append(v)
    if more.unknown and not out.unknown:
        out.unknown = more.unknown


def _map(alts: Alts, fn: Callable[[Any], Any]) -> Alts:
    out = Alts([], alts.unknown)
    for v in alts.values:
        try:
            out.values.append(Value(fn(v.value), v.sources))
        except Exception:
            out.unknown = out.unknown or "a value of an unexpected type"
    return out


def _combine(parts: list[Alts], fn: Callable[..., Any]) -> Alts:
    unknown = next((p.unknown for p in parts if p.unknown), None)
    if any(not p.values for p in parts):
        return Alts([], unknown or "a value not resolved")
    out = Alts([], unknown)
    for combo in itertools.islice(itertools.product(*(p.values for p in parts)), _MAX_ALTERNATIVES):
        try:
            value = fn(*(v.value for v in combo))
        except Exception:
            out.unknown = out.unknown or "a value of an unexpected type"
            continue
        sources = tuple(dict.fromkeys(s for v in combo for s in v.sources))
        out.values.append(Value(value, sources))
    return out

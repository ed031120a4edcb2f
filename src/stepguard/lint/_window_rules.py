"""What the window rules share: a file's windows (computed once), what a window's findings depend
on (its length `k` > 1, or the ``gradient_accumulation_steps`` of the Accelerator an
``accumulate()`` block uses), and how messages name them.
"""

from __future__ import annotations

import ast
import os
from typing import cast

from stepguard.lint._base import Condition
from stepguard.lint._call_windows import call_windows
from stepguard.lint._evaluate import Evaluator, settings_of
from stepguard.lint._project import Project
from stepguard.lint._scan import Facts, call_name, dotted, kwarg, short, walk
from stepguard.lint._windows import Window, scan_windows

__all__ = [
    "accelerate_fp16",
    "accelerate_steps",
    "accelerator_build",
    "accumulates",
    "lightning_trainers",
    "manual_optimization",
    "one_by_construction",
    "setting_name",
    "statement_of",
    "where_it_steps",
    "window_condition",
    "windows",
]


def manual_optimization(facts: Facts, node: ast.AST) -> bool:
    """`node` sits in a LightningModule under manual optimization: its class sets
    ``self.automatic_optimization = False``, or calls ``self.manual_backward(...)`` (the module's
    base class may live in a file the linter did not read, ``class Model(BaseModel):``)."""
    cls = facts.class_of(node)
    if cls is None:
        return False
    for n in walk(cls):
        if (
            isinstance(n, ast.Assign)
            and isinstance(n.value, ast.Constant)
            and n.value.value is False
            and any(dotted(t) == "self.automatic_optimization" for t in n.targets)
        ):
            return True
        if (
            isinstance(n, ast.Call)
            and call_name(n) == "manual_backward"
            and isinstance(n.func, ast.Attribute)
            and dotted(n.func.value) == "self"
        ):
            return True
    return False


def lightning_trainers(facts: Facts) -> list[tuple[Facts, ast.Call]]:
    """Every Lightning ``Trainer(...)`` construction of the linted tree (``pl.Trainer``,
    ``lightning.pytorch.Trainer``, ``L.Trainer``), with its file's facts; computed once per run."""
    project = facts.project
    if not isinstance(project, Project):
        return _trainers_in(facts)
    cache = project.cache.setdefault("lightning_trainers", {})
    if "found" in cache:
        return cast(list[tuple[Facts, ast.Call]], cache["found"])
    found: list[tuple[Facts, ast.Call]] = []
    for path in project.files:
        if not path.endswith(".py"):
            continue
        text = facts.source if path == facts.path else project.text(path)
        if text is None or "Trainer(" not in text or "lightning" not in text:
            continue
        other = facts if path == facts.path else project.definitions(path)
        if other is not None:
            found += _trainers_in(other)
    cache["found"] = found
    return found


def _trainers_in(facts: Facts) -> list[tuple[Facts, ast.Call]]:
    out = []
    for c in facts.calls:
        if call_name(c) != "Trainer":
            continue
        q = facts.resolve(c.func) or ""
        if q.startswith(("pytorch_lightning.", "lightning.", "lightning_fabric.")) or q in (
            "pl.Trainer",
            "L.Trainer",
        ):
            out.append((facts, c))
    return out


def windows(facts: Facts) -> list[Window]:
    """The file's windows, computed once per file."""
    cached = facts.cache.get("windows")
    if cached is None:
        found = scan_windows(facts)
        more = call_windows(facts, found)
        if more:
            found = sorted([*found, *more], key=lambda w: (w.loop.lineno, w.loop.col_offset))
        found = [w for w in found if not one_by_construction(facts, w)]
        cached = facts.cache["windows"] = found
    return cast(list[Window], cached)


def one_by_construction(facts: Facts, w: Window) -> bool:
    """The window's length is the constant 1: a literal ``1`` in the test itself, or a local
    variable of the window's function bound once to the literal ``1`` (``accumulation_steps =
    1`` two lines above the loop) and never rebound. Such a count is a constant of the code, not
    a setting, so there is no window (the rules that need k > 1 stay silent). A parameter, a
    module global (a script's settings block, nanoGPT's configurator), an argparse / config /
    dataclass default or an attribute of 1 stays a setting: the findings are latent."""
    k = w.k_node
    if isinstance(k, ast.Constant):
        return _is_one(k.value)
    if not isinstance(k, ast.Name):
        return False
    scope = w.scope(facts)
    if not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    a = scope.args
    params = {x.arg for x in (*a.posonlyargs, *a.args, *a.kwonlyargs)}
    params |= {x.arg for x in (a.vararg, a.kwarg) if x is not None}
    if k.id in params:
        return False
    values: list[ast.expr | None] = []
    for n in walk(scope):
        if isinstance(n, (ast.Global, ast.Nonlocal)) and k.id in n.names:
            return False
        if isinstance(n, ast.Assign):
            for t in n.targets:
                if any(isinstance(x, ast.Name) and x.id == k.id for x in walk(t)):
                    values.append(n.value if isinstance(t, ast.Name) else None)
        elif isinstance(
            n, (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor, ast.NamedExpr, ast.withitem)
        ):
            target = n.optional_vars if isinstance(n, ast.withitem) else n.target
            if target is not None and any(
                isinstance(x, ast.Name) and x.id == k.id for x in walk(target)
            ):
                values.append(n.value if isinstance(n, ast.AnnAssign) else None)
    return len(values) == 1 and isinstance(values[0], ast.Constant) and _is_one(values[0].value)


def _is_one(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value == 1


def statement_of(facts: Facts, node: ast.AST) -> ast.stmt | None:
    """The statement that contains `node`."""
    p: ast.AST | None = node
    while p is not None and not isinstance(p, ast.stmt):
        p = facts.parents.get(p)
    return p


def where_it_steps(w: Window) -> str:
    """ "once per window `(i + 1) % k == 0` (line 12)", for messages."""
    if w.kind == "nested":
        return f"once {w.condition} (line {w.step.lineno})"
    return f"once per window {w.condition} (line {w.step.lineno})"


def setting_name(expr: ast.expr | None) -> str:
    """The name a value goes by in messages: ``gradient_accumulation_steps`` for
    ``args.gradient_accumulation_steps`` or ``cfg["gradient_accumulation_steps"]``."""
    node = expr
    while isinstance(node, ast.Call) and node.args and call_name(node) in ("int", "float"):
        node = node.args[0]
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        return str(node.slice.value)
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Call) and call_name(node) in ("get", "getattr"):
        index = 0 if call_name(node) == "get" else 1
        if len(node.args) > index and isinstance(node.args[index], ast.Constant):
            return str(node.args[index].value)  # type: ignore[attr-defined]
    return "k"


def window_condition(facts: Facts, w: Window) -> list[Condition]:
    """The window accumulates only when its length is > 1."""
    if w.k_node is None:
        build = accelerator_build(facts)
        steps = kwarg(build, "gradient_accumulation_steps") if build is not None else None
        if build is None or kwarg(build, "gradient_accumulation_plugin") is not None:
            return []
        if steps is None:
            steps = ast.Constant(value=1, lineno=build.lineno, col_offset=build.col_offset)
        return [Condition("gradient_accumulation_steps", (steps,), facts, ">1")]
    return [Condition(setting_name(w.k_node), (w.k_node,), facts, ">1")]


def accelerator_build(facts: Facts, name: str | None = None) -> ast.Call | None:
    """The ``Accelerator(...)`` construction bound to `name` (or the file's only one)."""
    if name is not None and name in facts.accelerator_builds:
        return facts.accelerator_builds[name]
    if len(facts.accelerator_builds) == 1:
        return next(iter(facts.accelerator_builds.values()))
    return None


def accelerate_steps(facts: Facts, block: ast.With | ast.AsyncWith) -> ast.expr | None:
    """The ``gradient_accumulation_steps`` of the Accelerator an ``accumulate()`` block uses: the
    expression passed, a constant 1 when it was built without one, None when not visible."""
    e = block.items[0].context_expr
    rec = e.func.value if isinstance(e, ast.Call) and isinstance(e.func, ast.Attribute) else None
    build = accelerator_build(facts, dotted(rec) if rec is not None else None)
    if build is None or kwarg(build, "gradient_accumulation_plugin") is not None:
        return None
    steps = kwarg(build, "gradient_accumulation_steps")
    if steps is None:
        return ast.Constant(value=1, lineno=build.lineno, col_offset=build.col_offset)
    return steps


def accumulates(facts: Facts, block: ast.With | ast.AsyncWith) -> tuple[bool, list[Condition]]:
    """Whether an accumulate() block can accumulate at all (False for a visible k of 1), and the
    condition on k."""
    steps = accelerate_steps(facts, block)
    if steps is None:
        return True, []
    if isinstance(steps, ast.Constant) and steps.value in (0, 1):
        return False, []
    return True, [Condition(setting_name(steps), (steps,), facts, ">1")]


_LAUNCH_PRECISION = "os.environ['ACCELERATE_MIXED_PRECISION']"


def accelerate_fp16(
    facts: Facts, build: ast.Call | None, *, unset_may_be_fp16: bool = False
) -> Condition | None:
    """The condition under which the Accelerator `build` runs in fp16 (a GradScaler scales the
    loss in ``accelerator.backward``), or None when it cannot, or nothing visible says it does.

    Its ``mixed_precision=`` (or the older ``fp16=``) argument decides when given: a literal other
    than ``"fp16"`` (or ``fp16=False``) cannot; an expression is resolved from the project's
    settings. Built without either, the precision comes from the launch (``accelerate launch
    --mixed_precision fp16``, an accelerate config file's ``mixed_precision: fp16``): only a
    launch command of this file (``accelerate launch ... train.py`` for ``train.py``) or config
    file of the project that sets fp16 makes it active. A plain ``Accelerator()`` that nothing
    in the project configures takes its precision from the machine's accelerate config (what
    ``accelerate config`` wrote): with `unset_may_be_fp16` that stays possible, on the
    Accelerator's own line (latent), unless a launch command of this file sets another precision;
    without it, None. A build not seen (`build` None) or one given ``**kwargs`` stays possible, on
    the value the message names. ``Accelerator(cpu=True)`` never scales: accelerate builds its
    GradScaler only off the CPU, whatever the precision.
    """
    if build is None:
        return None
    cpu = kwarg(build, "cpu")
    if isinstance(cpu, ast.Constant) and cpu.value is True:
        return None
    mode = kwarg(build, "mixed_precision")
    if isinstance(mode, ast.Constant) and mode.value is None:
        mode = None  # accelerate's default: the launch / config decides, as when not given
    if mode is not None:
        if isinstance(mode, ast.Constant) and str(mode.value).strip().lower() != "fp16":
            return None
        return Condition("mixed_precision", (mode,), facts, "fp16")
    legacy = kwarg(build, "fp16")
    if isinstance(legacy, ast.Constant) and legacy.value is None:
        legacy = None
    if legacy is not None:
        if isinstance(legacy, ast.Constant) and not legacy.value:
            return None
        what = setting_name(legacy)
        return Condition("fp16" if what == "k" else what, (legacy,), facts, "true")
    if any(k.arg is None for k in build.keywords) or any(
        isinstance(a, ast.Starred) for a in build.args
    ):
        return Condition(short(build, 40), (build,), facts, "fp16")
    env = ast.copy_location(ast.parse(_LAUNCH_PRECISION, mode="eval").body, build)
    for node in ast.walk(env):
        ast.copy_location(node, build)
    unset = Condition("mixed_precision", (env,), facts, "fp16") if unset_may_be_fp16 else None
    project = facts.project
    if not isinstance(project, Project):
        return unset
    settings = settings_of(project)
    launched_other = False
    for scenario in settings.scenarios():
        found = Evaluator(settings, scenario).values(facts, env)
        if scenario.kind == "launch" and not _runs(scenario.script, facts.path):
            # `accelerate launch --mixed_precision fp16 other.py` runs another program: its
            # setting says nothing of this file's (the condition then names the Accelerator)
            if unset is not None and any(
                str(v.value).strip().lower() == "fp16" for v in found.values
            ):
                unset = Condition("mixed_precision", (build,), facts, "fp16")
            continue
        if any(str(v.value).strip().lower() == "fp16" for v in found.values):
            return Condition("mixed_precision", (env,), facts, "fp16")
        if scenario.kind == "launch" and found.values and found.unknown is None:
            launched_other = True  # `accelerate launch --mixed_precision bf16 train.py`
    return None if launched_other else unset


def _runs(script: str | None, path: str) -> bool:
    """A launch command that runs `script` (as written: ``train.py``, ``./src/train.py``) runs the
    file at `path`: the script's path is a suffix of it (no script named: it may)."""
    if not script:
        return True
    want = os.path.normpath(script).replace(os.sep, "/").lstrip("./")
    have = os.path.normpath(path).replace(os.sep, "/")
    return have == want or have.endswith("/" + want)

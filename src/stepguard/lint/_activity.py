"""Active or latent: does a finding bite with the settings the project ships?

A rule states what its finding depends on as `Condition`s (``k > 1`` for the window length,
``weight_decay > 0``, AMP on, the world size > 1, the test that picks an optimizer class); the
tests of the ``if`` blocks around the finding are added as neutral conditions. `annotate`
evaluates them in every `Scenario` of the project (`stepguard.lint._settings`): the code's
defaults, each launch command, each config file; the value of an expression in a scenario is
found without running anything by `stepguard.lint._evaluate`.

A finding is **active** when some scenario satisfies all its conditions; its reason names the
values and where they come from (``gradient_accumulation_steps=8 from scripts/train.sh:3``).
Otherwise it is **latent**, and the reason gives the condition and the value the code ships
(``only if gradient_accumulation_steps > 1; default 1 from train.py:12``) or says that the value
could not be resolved. Precision first: an unresolved value never makes a finding active.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from stepguard.lint._base import Condition, Violation
from stepguard.lint._evaluate import Evaluator, settings_of
from stepguard.lint._project import Project
from stepguard.lint._scan import Facts, short
from stepguard.lint._settings import Value

__all__ = ["annotate", "branch_conditions", "settings_of"]

_TEST_TEXT = {
    ">0": "> 0",
    ">1": "> 1",
    "true": "is true",
    "false": "is false",
    "fp16": "is 'fp16'",
    "ddp": "is a DDP strategy",
}


def _satisfies(test: str, value: Any) -> bool | None:
    if test == "ddp":  # a Lightning strategy name: "ddp", "ddp_spawn", "ddp_find_unused_..."
        if value is None or isinstance(value, str):
            return value is not None and "ddp" in value.strip().lower()
        return None
    if test == "fp16":  # accelerate's mixed_precision, Lightning's precision: fp16 is scaled
        if value is None or isinstance(value, str):
            return value is not None and value.strip().lower() in ("fp16", "16", "16-mixed")
        if isinstance(value, int) and not isinstance(value, bool):
            return value == 16
        return None
    if test in (">0", ">1"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        return value > (0 if test == ">0" else 1)
    if isinstance(value, str):
        truth = value.strip().lower() not in ("", "0", "false", "no", "off", "none", "null")
    else:
        truth = bool(value)
    return truth if test == "true" else not truth


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str):
        return repr(value)
    return str(value)


@dataclass
class _Outcome:
    state: bool | None  # satisfied, not satisfied, unknown
    value: Value | None = None
    why: str | None = None


def _check(ev: Evaluator, cond: Condition) -> _Outcome:
    if not cond.exprs:
        ws = ev.scenario.world_size
        if ws is None:
            return _Outcome(None, why="the world size is set at launch")
        return _Outcome(_satisfies(cond.test, ws.value), ws)
    falses: list[Value] = []
    why = None
    assert cond.facts is not None
    for expr in cond.exprs:
        alts = ev.values(cond.facts, expr)
        for v in alts.values:
            ok = _satisfies(cond.test, v.value)
            if ok:
                return _Outcome(True, v)
            if ok is False:
                falses.append(v)
        why = why or alts.unknown
    if why is not None:
        return _Outcome(None, falses[0] if falses else None, why)
    return _Outcome(False, falses[0] if falses else None)


def branch_conditions(facts: Facts, node: ast.AST, settings: bool = False) -> list[Condition]:
    """The tests of the ``if`` blocks around `node` in its function, as neutral conditions;
    with `settings`, a test that reads a run setting (`_setting_test`) is not neutral."""
    out: list[Condition] = []
    child: ast.AST = node
    parent = facts.parents.get(node)
    while parent is not None and not isinstance(
        parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
    ):
        if isinstance(parent, ast.If) and child is not parent.test and not _periodic(parent.test):
            test = "true" if any(s is child for s in parent.body) else "false"
            neutral = not (settings and _setting_test(parent.test))
            out.append(
                Condition(short(parent.test, 50), (parent.test,), facts, test, neutral=neutral)
            )
        child, parent = parent, facts.parents.get(parent)
    return out


# The names a run's settings live under (``args.fp16``, ``config.training.grad_clip``,
# ``self.cfg["clip"]``, ``training_args.x``, ``hparams.y``).
_SETTINGS_ROOT = re.compile(
    r"(?i)^(args|opts?|options|conf|c(on)?fi?g\w*|hparams|hp|hyper\w*|settings|flags"
    r"|\w+_(args|config|cfg|conf|opts?))$"
)


def _setting_test(test: ast.expr) -> bool:
    """An ``if`` test that reads a run setting, not a run-time value: an attribute or key of a
    settings object (``if config.training.grad_clip:``), or a comparison with string literals
    (``if scheduler.name in ["linear", "cosine"]:``, a configured choice). Such a test that the
    linter cannot resolve leaves the finding latent (the setting was not read) instead of
    counting as satisfied, as a test about run-time values does."""
    for n in ast.walk(test):
        if (
            isinstance(n, ast.Compare)
            and any(_strings(c) for c in (n.left, *n.comparators))
            and not any(isinstance(c, ast.Name) and c.id == "__name__" for c in ast.walk(n))
        ):
            return True
        if isinstance(n, (ast.Attribute, ast.Subscript)):
            root: ast.expr = n
            while isinstance(root, (ast.Attribute, ast.Subscript)):
                inner = root.value
                if (
                    isinstance(inner, ast.Name)
                    and inner.id == "self"
                    and isinstance(root, ast.Attribute)
                ):
                    if _SETTINGS_ROOT.match(root.attr):
                        return True
                    break
                root = inner
            if isinstance(root, ast.Name) and _SETTINGS_ROOT.match(root.id):
                return True
    return False


def _strings(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return bool(node.elts) and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts
        )
    return False


def _periodic(test: ast.expr) -> bool:
    """A test with a modulo (``(step + 1) % k == 0``): true on some iterations whatever the
    settings, so the value its counter starts from says nothing about whether a finding bites."""
    return any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mod) for n in ast.walk(test))


def annotate(violations: list[Violation], facts: Facts, project: Project) -> list[Violation]:
    """Each violation with ``activity`` (``"active"``/``"latent"``) and ``activity_reason`` in
    its finding's data, the reason appended to its message, its working state cleared."""
    if not violations:
        return violations
    settings = settings_of(project)
    scenarios = settings.scenarios()
    evaluators = [Evaluator(settings, sc) for sc in scenarios]
    out = []
    for v in violations:
        conditions = list(v.conditions)
        context = v.context if v.context is not None else v.node
        if context is not None:
            # The window, AMP and DDP rules (SG2xx): a branch on an unread setting is latent.
            conditions += branch_conditions(facts, context, v.finding.code.startswith("SG2"))
        activity, reason = _decide(conditions, evaluators)
        finding = v.finding
        data = {**finding.data, "activity": activity, "activity_reason": reason}
        message = f"{finding.message} [{activity}: {reason}]"
        finding = dataclasses.replace(finding, message=message, data=data)
        out.append(dataclasses.replace(v, finding=finding, conditions=(), node=None, context=None))
    return out


def _decide(conditions: list[Condition], evaluators: list[Evaluator]) -> tuple[str, str]:
    first: list[_Outcome] | None = None
    definite: list[_Outcome] | None = None  # a scenario where some condition is known false
    for ev in evaluators:
        outcomes = []
        fired = True
        for cond in conditions:
            o = _check(ev, cond)
            outcomes.append(o)
            if o.state is False or (o.state is None and not cond.neutral):
                fired = False
        if first is None:
            first = outcomes
        if definite is None and any(o.state is False for o in outcomes):
            definite = outcomes
        if fired:
            parts = [
                f"{c.what}={_fmt(o.value.value)} from {o.value.where()}"
                for c, o in zip(conditions, outcomes, strict=True)
                if o.value is not None and (not c.neutral or not c.exprs)
            ]
            if not parts:
                parts = ["it does not depend on a setting"]
            return "active", "; ".join(dict.fromkeys(parts))
    assert first is not None
    if not any(o.state is False for o in first) and definite is not None:
        first = definite  # say what a shipped setting makes it, rather than "not resolved"
    for c, o in zip(conditions, first, strict=True):
        if o.state is True or (o.state is None and c.neutral):
            continue
        expression = not c.what.isidentifier()
        need = f"only if {f'`{c.what}`' if expression else c.what} {_TEST_TEXT[c.test]}"
        if o.state is False and o.value is not None:
            where = o.value.where()
            label = "default" if _in_code(where) else "value"
            shipped = _others(evaluators)
            if expression:  # a test: say what it evaluates to, and from what
                shown = f"it is {_fmt(o.value.value)} with the {label}s at {where}"
                return "latent", f"{need}; {shown}{shipped}"
            return "latent", f"{need}; {label} {_fmt(o.value.value)} from {where}{shipped}"
        return "latent", f"{need}; {o.why or 'its value is not resolved'}"
    return "latent", "no shipped setting satisfies every condition"


def _others(evaluators: list[Evaluator]) -> str:
    """ "; the 2 launch commands and 1 config file read do not change it" (or "")."""
    kinds = [ev.scenario.kind for ev in evaluators]
    parts = []
    for kind, word in (("launch", "launch command"), ("config", "config file")):
        n = kinds.count(kind)
        if n:
            parts.append(f"{n} {word}{'s' if n != 1 else ''}")
    if not parts:
        return ""
    verb = "does" if len(parts) == 1 and parts[0].startswith("1 ") else "do"
    return f"; the {' and '.join(parts)} read {verb} not change it"


def _in_code(where: str) -> bool:
    """A source in Python code (a default), not a launch script or config."""
    return ".py:" in where or "TrainingArguments" in where

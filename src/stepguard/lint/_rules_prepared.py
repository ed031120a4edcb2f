"""SG202 for a trainer class handed its scheduler: the optimizer prepared, the scheduler not.

accelerate skips a prepared scheduler's ``step()`` on the micro-batches that do not sync, but not
one that never went through ``accelerator.prepare()``. The base rule
(`stepguard.lint._rules_loop`) sees schedulers built and prepared in the file; trainer classes
are often handed theirs (``self.lr_scheduler = lr_scheduler``) and prepare the rest through a
helper: ``self.model, self.optimizer, self.loader = self.setup_distributed_training(
self.accelerator, ...)``. When such a prepare assignment visibly takes the optimizer and leaves
the scheduler out, and no prepare-like call of the file is given the scheduler, its ``step()``
inside ``with accelerator.accumulate(model):`` advances the schedule on every micro-batch.
"""

from __future__ import annotations

import ast

from stepguard.lint._base import Condition, Violation, violation
from stepguard.lint._rules_loop import _accelerate_calls
from stepguard.lint._scan import Facts, call_name, dotted, kwarg, receiver, short
from stepguard.lint._window_rules import accelerator_build, accumulates
from stepguard.lint._windows import accumulate_blocks

__all__ = ["unprepared_handed_schedulers"]


def _last(d: str | None) -> str:
    return (d or "").rpartition(".")[2]


def _prepares(facts: Facts, call: ast.Call) -> bool:
    """``accelerator.prepare(...)``, or a helper given the accelerator (``self.setup_distributed_
    training(self.accelerator, ...)``); not the construction of a class of this file."""
    name = call_name(call)
    if "prepare" in name.lower():
        return True
    return name not in facts.classes and any(facts.is_accelerator(a) for a in call.args)


def _prepares_optimizer_only(facts: Facts, scheduler: str) -> ast.Call | None:
    """A prepare call whose results bind the optimizer but not `scheduler`, with no prepare call
    of the file given `scheduler`; else None."""
    for call in facts.calls:
        if _prepares(facts, call) and any(
            _last(dotted(a)) == scheduler for a in (*call.args, *(k.value for k in call.keywords))
        ):
            return None
    found = None
    for a in facts.assigns:
        if not isinstance(a, ast.Assign) or not isinstance(a.value, ast.Call):
            continue
        if not _prepares(facts, a.value):
            continue
        names = [
            e for t in a.targets for e in (t.elts if isinstance(t, (ast.Tuple, ast.List)) else [t])
        ]
        if any(_last(dotted(e)) == scheduler for e in names):
            return None
        if len(names) > 1 and any(facts.is_optimizer(e) for e in names):
            found = a.value
    return found


def _deepspeed_steps(facts: Facts, block: ast.With | ast.AsyncWith) -> bool:
    """The block's Accelerator takes a ``deepspeed_plugin``: its k comes from the DeepSpeed
    config or the launch (``gradient_accumulation_steps: auto``), not from the call."""
    e = block.items[0].context_expr
    rec = e.func.value if isinstance(e, ast.Call) and isinstance(e.func, ast.Attribute) else None
    build = accelerator_build(facts, dotted(rec) if rec is not None else None)
    return build is not None and kwarg(build, "deepspeed_plugin") is not None


def unprepared_handed_schedulers(facts: Facts) -> list[Violation]:
    """SG202: ``scheduler.step()`` inside an accumulate() block for a scheduler the file's
    prepare call leaves out (the module docstring)."""
    if "accumulate" not in facts.source:
        return []
    out: list[Violation] = []
    for block in accumulate_blocks(facts):
        can_accumulate, cond = accumulates(facts, block)
        if not can_accumulate and not _deepspeed_steps(facts, block):
            continue
        head = short(block.items[0].context_expr, 50)
        for call in _accelerate_calls(facts, block):
            rec = receiver(call)
            d = dotted(rec) if rec is not None else None
            if d is None or not facts.is_scheduler_step(call):
                continue
            if d in facts.schedulers or d in facts.prepared:
                continue  # built here: the base rule decides
            prepare = _prepares_optimizer_only(facts, _last(d))
            if prepare is None:
                continue
            conditions = cond
            if not conditions:
                name = ast.copy_location(
                    ast.Name(id="gradient_accumulation_steps", ctx=ast.Load()), block
                )
                conditions = [Condition("gradient_accumulation_steps", (name,), facts, ">1")]
            message = (
                f"`{short(call)}` inside `with {head}:` runs on every micro-batch: "
                f"`{short(prepare, 40)}` (line {prepare.lineno}) prepares the optimizer but not "
                f"`{d}`, so accelerate does not skip its step on the micro-batches that do not "
                "sync and the schedule runs k times too fast; prepare it or step it under `if "
                "accelerator.sync_gradients:`"
            )
            out.append(violation(facts, call, "SG202", message, (), conditions))
    return out

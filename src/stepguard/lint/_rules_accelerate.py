"""SG204 under accelerate: torch's clipping after ``accelerator.backward(loss)``.

Under ``mixed_precision="fp16"`` (set in the code, by ``accelerate config`` or at launch),
``accelerator.backward`` multiplies the loss by its GradScaler's scale, and the gradients stay
scaled until the prepared optimizer's ``step()`` unscales them. ``accelerator.clip_grad_norm_``
unscales first; torch's ``clip_grad_norm_`` does not, so it compares the threshold with scale x
the real norm. Silent when ``accelerator.unscale_gradients()`` (or accelerate's clip) runs between,
when the Accelerator built in the file uses another precision, and under DeepSpeed (the engine
clips on its own). A plain ``Accelerator()`` runs in fp16 when a launch command or accelerate
config file sets it (`stepguard.lint._window_rules.accelerate_fp16`): one of the project that
does makes the finding active; with none, the machine's own accelerate config decides, and the
finding is latent on it (silent when the project's launch command of the file sets another
precision).
"""

from __future__ import annotations

import ast

from stepguard.lint._base import Condition, Violation, violation
from stepguard.lint._flow import exclusive
from stepguard.lint._scan import Facts, call_name, receiver, short, walk
from stepguard.lint._window_rules import accelerate_fp16, accelerator_build

_UNSCALES = ("unscale_gradients", "unscale_")


def _pos(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


def accelerate_clips(facts: Facts) -> list[Violation]:
    """SG204: torch clipping after ``accelerator.backward(loss)`` in the same function, with no
    ``accelerator.unscale_gradients()`` before it, where the Accelerator may run in fp16."""
    source = facts.source
    if "clip_grad" not in source or ".backward(" not in source or "deepspeed" in source.lower():
        return []
    build = accelerator_build(facts)
    fp16 = accelerate_fp16(facts, build, unset_may_be_fp16=True)
    if build is not None and fp16 is None:
        return []
    out: list[Violation] = []
    for clip in facts.calls:
        if not facts.is_clip(clip):
            continue
        scope = facts.function_of(clip)
        backward: ast.Call | None = None
        unscaled = False
        for call in (n for n in walk(scope) if isinstance(n, ast.Call)):
            if _pos(call) >= _pos(clip) or facts.function_of(call) is not scope:
                continue
            if exclusive(facts, call, clip):
                continue
            if call_name(call) in _UNSCALES or facts.is_accelerate_clip(call):
                unscaled = True
            found = facts.backward_of(call)
            if found is not None and found[1] == "accelerate":
                backward = call
        if backward is None or unscaled:
            continue
        acc = receiver(backward)
        name = short(acc, 30) if acc is not None else "accelerator"
        message = (
            f"`{call_name(clip)}` clips gradients that `{short(backward, 40)}` (line "
            f"{backward.lineno}) left multiplied by accelerate's loss scale under fp16 mixed "
            "precision (the prepared optimizer unscales them only inside its step()): the "
            f"threshold is compared with scale x the real norm; use `{name}."
            f"{call_name(clip)}(...)`, which unscales first (or call "
            f"`{name}.unscale_gradients()` before)"
        )
        if fp16 is None:  # the Accelerator is built where this file does not show
            where: ast.expr = acc if acc is not None else backward
            fp16 = Condition("mixed_precision", (where,), facts, "fp16")
        conditions = [fp16]
        out.append(violation(facts, clip, "SG204", message, (), conditions))
    return out

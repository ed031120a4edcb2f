"""The Monitor's catalog checks: pure functions from what a window (or the run) counted to issues.

A *window* is the run of backward passes between two optimizer steps of the watched optimizer; its
*micro-batches* are its passes from the same call site with the same loss graph at the root
(`Window.micro_batches`): a loop that calls ``loss.backward()`` k times from one line accumulates k
micro-batches, while a loss built from terms each backpropagated from its own line (a GAN's
``errD_real.backward(); errD_fake.backward()``) is one micro-batch of several terms. Each check
returns `Issue`s; the detector state (`stepguard.monitoring._detect`) decides when to run them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import torch

from stepguard.findings import Finding
from stepguard.monitoring._instruments import ParamTable

__all__ = [
    "Issue",
    "Pass",
    "Window",
    "dropped_window",
    "penalty_issue",
    "schedule_in_micro_batches",
    "sg106_findings",
    "token_mean_issue",
    "window_issues",
]


class Issue(NamedTuple):
    """One finding as a check states it: the Monitor adds the step and counts repeats."""

    code: str
    message: str
    data: dict[str, Any] = {}  # noqa: RUF012 - a NamedTuple default, never mutated


@dataclass(slots=True)
class Pass:
    """One backward pass that reached the watched parameters.

    `factor`: the constant scale at the root of its loss (1.0: unscaled; None: unknown; the
    detector state's UNSEEN: not called through `torch.autograd.backward`). `items`: the target
    count of a mean-reduced cross-entropy loss (a 0-d tensor), else None. `key`: its call site and
    the shape of its graph's root (equal keys: micro-batches of one loss; different: loss terms).
    `pid`: the process-wide number of its `torch.autograd.backward` call (0: not through it).
    `unrecorded`: `stepguard.monitoring._patch.unrecorded_steps()` when it ended.
    `synced`: a DDP forward prepared it to all-reduce.
    """

    factor: Any
    items: torch.Tensor | None
    key: Hashable
    pid: int = 0
    unrecorded: int = 0
    synced: bool = False


@dataclass
class Window:
    """What happened between two optimizer steps. `watched`: observed in full (hooks, readings);
    otherwise only `calls` (top-level `torch.autograd.backward` calls) and `sched` are counted."""

    watched: bool = True
    passes: list[Pass] = field(default_factory=list)
    calls: int = 0
    sched: int = 0
    clip_at: list[int] = field(default_factory=list)  # passes seen when each clipping call came
    zeroed_after: int | None = None  # passes wiped by zero_grad before more passes came
    zero_reported: bool = False
    unscaled: bool = False
    lr_changes: int = 0
    last_clip_norm: torch.Tensor | None = None
    last_clip_hit: torch.Tensor | None = None
    scale_at_step: torch.Tensor | None = None

    def micro_batches(self) -> int:
        """Passes from the most repeated (call site, root graph) key; 0 without passes."""
        if not self.passes:
            return 0
        return max(Counter(p.key for p in self.passes).values())

    def terms(self) -> int:
        """Distinct (call site, root graph) keys: the loss terms of one micro-batch."""
        return len({p.key for p in self.passes})


def _partial_window(win: Window, k: int, usual: int) -> list[Issue]:
    if usual <= 1 or k == 0 or k == usual:
        return []
    if k > usual:
        return [
            Issue(
                "SG206",
                f"a window of {k} backward passes where {usual} is usual: the micro-batches "
                "left over at the end of an epoch leaked into the next epoch's first step",
            )
        ]
    factors = [p.factor for p in win.passes]
    if factors and all(isinstance(f, float) and abs(f * usual - 1.0) < 1e-6 for f in factors):
        return [
            Issue(
                "SG206",
                f"a partial window of {k} backward passes was scaled by 1/{usual} (the full "
                f"window size) instead of 1/{k}: its gradient is {k}/{usual} of the mean",
            )
        ]
    return []


def leaked_window(k: int, usual: int) -> list[Issue]:
    """SG206 for a window only counted (not watched): longer than the usual size."""
    if usual > 1 and k > usual:
        return _partial_window(Window(watched=False), k, usual)
    return []


def _token_means(win: Window, k: int) -> tuple[list[Issue], torch.Tensor | None]:
    """SG207 on CPU now; on an accelerator the counts to judge later (no sync while training)."""
    f = [p.factor for p in win.passes]
    if win.terms() != 1 or len(f) != k or not isinstance(f[0], float) or any(x != f[0] for x in f):
        return [], None  # per-micro-batch weights differ: the user weighted them (or unknown)
    items = [p.items for p in win.passes]
    if any(t is None for t in items):
        return [], None
    counts = torch.stack([t.float() for t in items if t is not None])
    if counts.device.type != "cpu":
        return [], counts
    return token_mean_issue(counts.tolist()), None


def window_issues(
    win: Window, usual: int, ddp: bool, bn_training: Sequence[str]
) -> tuple[list[Issue], torch.Tensor | None]:
    """The checks of a watched window at its optimizer step (SG201-SG203, SG206-SG209). Returns
    the issues and, for SG207 on an accelerator, the counts to judge later."""
    k = win.micro_batches()
    out = _partial_window(win, k, usual)
    if k <= 1:
        return out, None
    passes = len(win.passes)
    if win.sched > 1 or win.lr_changes > 1:
        if win.sched > 1:
            what = f"scheduler.step() ran {win.sched} times"
        else:
            what = (
                f"the learning rate changed {win.lr_changes} times (read from "
                "optimizer.param_groups between backward passes: set per micro-batch, by hand "
                "or by a scheduler)"
            )
        out.append(
            Issue(
                "SG202",
                f"{what} for one optimizer step of {k} backward passes: the schedule advances "
                "per micro-batch",
                {"scheduler_steps": win.sched, "lr_changes": win.lr_changes},
            )
        )
    early = [c for c in win.clip_at if 0 < c < passes]
    if early:
        out.append(
            Issue(
                "SG203",
                f"gradients were clipped after backward pass(es) {sorted(set(early))} of a "
                f"{passes}-pass accumulation window, before the window was complete",
            )
        )
    if all(p.factor == 1.0 for p in win.passes):
        terms = win.terms()
        each = f" (each of {terms} loss terms backpropagated on its own)" if terms > 1 else ""
        out.append(
            Issue(
                "SG201",
                f"{k} backward passes accumulated into one optimizer step{each} and none of "
                "their losses was scaled (no constant factor at the root of the backward "
                f"graph): the gradient is {k}x the mean over the window",
            )
        )
    issues, deferred = _token_means(win, k)
    out += issues
    if ddp and all(p.synced for p in win.passes):
        out.append(
            Issue(
                "SG208",
                f"DistributedDataParallel all-reduced on all {passes} backward passes of the "
                f"window ({passes - 1} more than needed)",
            )
        )
    if bn_training:
        names = ", ".join(bn_training[:5]) + (" ..." if len(bn_training) > 5 else "")
        out.append(
            Issue(
                "SG209",
                f"BatchNorm layer(s) in train mode under {k}-pass accumulation normalise with "
                f"micro-batch statistics: {names}",
            )
        )
    return out, deferred


def zeroed_inside_window(n: int, passes: int) -> list[Issue]:
    """SG210: `zero_grad()` wiped `n` passes of this optimizer's window before pass `passes`."""
    return [
        Issue(
            "SG210",
            f"zero_grad() wiped the gradients of {n} backward pass(es) of an accumulation "
            f"window before backward pass {passes} of the same window; the optimizer "
            "step sees only the passes after the last zeroing",
        )
    ]


def dropped_window(open_size: int | None, usual: int) -> list[Issue]:
    """At detach: backward passes of an unfinished window that no optimizer step used."""
    if open_size is not None and usual > 1 and 0 < open_size < usual:
        return [
            Issue(
                "SG206",
                f"the last {open_size} backward pass(es) (a partial window; {usual} is usual) "
                "never reached an optimizer step: their gradients were dropped",
            )
        ]
    return []


def schedule_in_micro_batches(
    length: int | None, usual: int, steps: int, passes: int, sched_total: int
) -> list[Issue]:
    """At detach: a schedule sized for the run's micro-batches, stepped once per step.

    Fires when the usual window u > 1, the run made at least 1.5 micro-batches per optimizer
    step, the scheduler stepped at most once per optimizer step, and the schedule's length is
    within u of the number of micro-batches seen (so only once the whole run was watched; a run
    watched in part never matches) and less than half as far from it as from the number of
    optimizer steps (a short run sized correctly, e.g. 2 steps of 2 passes, is as close to one
    count as to the other)."""
    if length is None or usual <= 1 or steps < 2 or sched_total > steps + 1:
        return []
    if 2 * passes < 3 * steps:
        return []
    off = abs(length - passes)
    if off > usual or 2 * off >= abs(length - steps):
        return []
    return [
        Issue(
            "SG205",
            f"the schedule is sized for {length} scheduler steps, the number of micro-batches "
            f"of the run ({passes}), but it was stepped per optimizer step: the run "
            f"ended after {steps} steps, {steps / length:.0%} of the way through the schedule",
        )
    ]


def token_mean_issue(counts: list[float]) -> list[Issue]:
    """SG207 for one window whose micro-batch losses were means over `counts` targets."""
    if max(counts) == min(counts):
        return []
    shown = ", ".join(f"{c:g}" for c in counts[:8]) + (" ..." if len(counts) > 8 else "")
    return [
        Issue(
            "SG207",
            f"the window averages {len(counts)} per-micro-batch mean losses over micro-batches "
            f"with unequal target counts ({shown}): a token in a short micro-batch weighs more "
            "than one in a long one; not the window's mean loss",
        )
    ]


def penalty_issue(table: ParamTable, penalised: dict[int, str]) -> list[Issue]:
    """SG103: tensors of weight-decay groups that the loss also penalises by their norm.

    `penalised` maps ``id(tensor)`` to the penalty op (`stepguard.auditing._penalties`)."""
    hits = [
        (name, penalised[id(p)], gi)
        for p, name, gi, decayed in zip(
            table.params, table.names, table.group, table.decayed, strict=True
        )
        if decayed and id(p) in penalised
    ]
    if not hits:
        return []
    ops = ", ".join(sorted({op for _, op, _ in hits}))
    groups = ", ".join(f"group {g}" for g in dict.fromkeys(g for _, _, g in hits))
    names = [n for n, _, _ in hits]
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return [
        Issue(
            "SG103",
            f"the loss adds a norm penalty ({ops}) on {len(hits)} tensor(s) that the optimizer "
            f"also decays ({groups}): {shown} (read from the first backward pass's graph)",
            {"params": [{"name": n, "group": g, "penalty": op} for n, op, g in hits]},
        )
    ]


def sg106_findings(
    table: ParamTable,
    zero_count: torch.Tensor,
    seen_count: torch.Tensor,
    first_step: int | None,
    min_steps: int = 2,
) -> list[Finding]:
    """SG106 for decayed tensors whose gradient was all-zero on every instrumented step seen
    (at least `min_steps`). Reads the two counters from the device once."""
    if first_step is None or not table.params:
        return []
    zeros = zero_count.tolist()
    seen = seen_count.tolist()
    bad = [
        i
        for i, dec in enumerate(table.decayed)
        if dec and seen[i] >= min_steps and zeros[i] == seen[i]
    ]
    if not bad:
        return []
    names = [table.names[i] for i in bad]
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    steps = int(max(seen[i] for i in bad))
    return [
        Finding(
            "SG106",
            f"{len(names)} parameter(s) in a weight-decay group had an all-zero gradient on all "
            f"{steps} instrumented steps, yet still decay: {shown}",
            step=first_step,
            count=steps,
            data={"params": names},
        )
    ]

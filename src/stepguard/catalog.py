"""The catalog of optimizer-step pitfalls: one `Rule` per code, the single source of truth.

The linter, the audit and the monitor report `stepguard.findings.Finding`s identified by a catalog
code; the documentation's rule pages are generated from `CATALOG`; `stepguard rule CODE` prints one
entry. `Severity` lives here because every rule carries one.
"""

from __future__ import annotations

import enum
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = [
    "AUDIT",
    "CATALOG",
    "DETECTORS",
    "LINT",
    "MONITOR",
    "Rule",
    "Severity",
    "rule",
    "rule_markdown",
]

LINT = "lint"
AUDIT = "audit"
MONITOR = "monitor"
DETECTORS = (LINT, AUDIT, MONITOR)


class Severity(enum.IntEnum):
    """How bad a finding is. Ordered, so `severity >= Severity.WARNING` reads naturally."""

    INFO = 10
    WARNING = 20
    ERROR = 30

    @classmethod
    def parse(cls, value: str | int | Severity) -> Severity:
        """Accept a `Severity`, its name (any case) or its value."""
        names = ", ".join(s.name.lower() for s in cls)
        if isinstance(value, Severity):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            if value in cls._value2member_map_:
                return cls(value)
            raise ValueError(f"unknown severity {value!r}; use one of: {names}")
        if not isinstance(value, str):
            raise TypeError(f"a severity is one of: {names}; got {value!r}")
        try:
            return cls[value.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {value!r}; use one of: {names}") from None

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Rule:
    """One catalog entry: a pitfall, why it hurts, and the fix (Ruff-style documentation)."""

    code: str
    name: str
    severity: Severity
    summary: str
    why: str
    fix: str
    bad: str
    good: str
    detectors: frozenset[str]
    autofix: bool = False
    fix_note: str = ""

    def markdown(self) -> str:
        """This rule's documentation page as Markdown, in Ruff's layout (What it does / Why is this
        bad? / Example / Use instead / Fix safety), with the detectors that catch it. The docs site's
        rule pages, `stepguard rule CODE` and the SARIF help text are this text."""
        covered = ", ".join(_DETECTOR_TEXT[d] for d in DETECTORS if d in self.detectors)
        if self.autofix:
            safety = "`stepguard lint --fix` rewrites it." + (
                f" {self.fix_note}" if self.fix_note else ""
            )
        else:
            safety = "No automatic fix: the right change depends on code the linter cannot see."
        return (
            f"# {self.code} `{self.name}`\n\n"
            f"**Severity:** {self.severity} · **Detected by:** {covered}\n\n"
            f"## What it does\n\n{self.summary}\n\n"
            f"## Why is this bad?\n\n{self.why}\n\n"
            f"## Example\n\n```py\n{self.bad.strip()}\n```\n\n"
            f"## Use instead\n\n```py\n{self.good.strip()}\n```\n\n"
            f"In short: `{self.fix}`\n\n"
            f"## Fix safety\n\n{safety}\n"
        )


_DETECTOR_TEXT = {
    LINT: "[the linter](../lint.md)",
    AUDIT: "[the audit](../audit.md)",
    MONITOR: "[the Monitor](../monitor.md)",
}


def _r(
    code: str,
    name: str,
    severity: Severity,
    summary: str,
    why: str,
    fix: str,
    bad: str,
    good: str,
    detectors: Iterable[str],
    autofix: bool = False,
    fix_note: str = "",
) -> Rule:
    return Rule(
        code=code,
        name=name,
        severity=severity,
        summary=" ".join(summary.split()),
        why=" ".join(why.split()),
        fix=fix,
        bad=textwrap.dedent(bad).strip("\n"),
        good=textwrap.dedent(good).strip("\n"),
        detectors=frozenset(detectors),
        autofix=autofix,
        fix_note=" ".join(fix_note.split()),
    )


_RULES = [
    _r(
        "SG101",
        "coupled-weight-decay",
        Severity.ERROR,
        """An adaptive optimizer (Adam, NAdam, RAdam, Adamax, RMSprop, Adagrad, Adadelta) with
        `weight_decay > 0` and no decoupled mode.""",
        """These optimizers add `weight_decay * w` to the gradient (coupled L2). The decay term then
        passes through the adaptive denominator `sqrt(v)`: the larger a weight, the larger its
        gradient and its `v`, so the decay of exactly the weights that most need it is divided away.
        Decoupled decay (AdamW) shrinks every weight by `lr * wd * w` regardless of its gradient
        history.""",
        "torch.optim.AdamW(param_groups(model, weight_decay=wd), lr=lr)",
        """
        opt = torch.optim.Adam(model.parameters(), lr=3e-4, weight_decay=1e-2)
        """,
        """
        opt = torch.optim.AdamW(stepguard.param_groups(model, weight_decay=1e-2), lr=3e-4)
        """,
        (LINT, AUDIT, MONITOR),
        autofix=True,
        fix_note="""Safe rewrite: `Adam` becomes `AdamW` with the same arguments (and
        `weight_decay=0.0` when the decay is set only in param groups, so the other groups keep 0);
        `NAdam`/`RAdam` get `decoupled_weight_decay=True`, and a `decoupled_weight_decay=False`
        already written is turned to `True`; an import the rewrite leaves unused is removed.
        Adamax, RMSprop, Adagrad and Adadelta are reported, not rewritten. **The value needs
        re-tuning**: the fix keeps the number, but it is not the same regulariser. Coupled L2
        shrinks a weight by about `lr * wd * w / g_rms` per step (`g_rms`: the gradient RMS,
        `sqrt` of Adam's `exp_avg_sq`, typically far below 1), decoupled decay by `lr * wd * w`, so
        the kept value is usually a much weaker decay. Start near `wd / g_rms` (the same per-step
        shrink: `wd=1e-4` at `g_rms=1e-3` gives `0.1`), or from a decay timescale of `tau`
        optimizer steps, `weight_decay = 1 / (lr * tau)`
        (`stepguard.weight_decay_for_timescale(tau, lr)`; `stepguard.convert_weight_decay`
        converts between the decoupled conventions), then tune.""",
    ),
    _r(
        "SG102",
        "decay-on-no-decay-param",
        Severity.WARNING,
        """A bias, normalization-layer weight, embedding (or other 1-D or declared no-decay
        parameter) sits in a param group with `weight_decay > 0`.""",
        """Normalization gains and biases set scales and offsets, not feature detectors: decaying them
        pulls LayerNorm/RMSNorm gains toward 0 and shrinks activations, with no regularization
        benefit. Embedding rows receive sparse gradients, so decay dominates rare tokens.""",
        "torch.optim.AdamW(stepguard.param_groups(model, weight_decay=wd), lr=lr)",
        """
        opt = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.1)
        """,
        """
        opt = torch.optim.AdamW(stepguard.param_groups(model, weight_decay=0.1), lr=3e-4)
        """,
        (LINT, AUDIT, MONITOR),
    ),
    _r(
        "SG103",
        "double-regularization",
        Severity.WARNING,
        """An explicit L2 penalty over parameters is added to the loss while the optimizer already
        applies weight decay to them.""",
        """The parameters are regularized twice: once by the optimizer's decay and once through the
        loss (where, under Adam, the penalty is also distorted by the adaptive denominator). The
        effective strength is neither value you tuned.""",
        "loss = criterion(out, y)  # no penalty; keep the optimizer's decoupled weight_decay",
        """
        opt = torch.optim.AdamW(groups, lr=1e-3, weight_decay=0.01)
        loss = criterion(model(x), y) + 1e-4 * sum((p ** 2).sum() for p in model.parameters())
        """,
        """
        opt = torch.optim.AdamW(groups, lr=1e-3, weight_decay=0.01)
        loss = criterion(model(x), y)
        """,
        (LINT, AUDIT),
    ),
    _r(
        "SG104",
        "optimizer-coverage",
        Severity.ERROR,
        """Trainable parameters missing from the optimizer, frozen parameters inside it, parameters
        that do not belong to the model, or a no-decay group that is empty while decay is on.""",
        """A trainable parameter the optimizer does not hold never changes; a frozen one inside it
        still takes weight decay and optimizer state; a stale parameter (from a model that was
        rebuilt or re-wrapped) means the optimizer trains an object nobody uses.""",
        "optimizer = torch.optim.AdamW(stepguard.param_groups(model, weight_decay=wd), lr=lr)",
        """
        opt = torch.optim.AdamW(model.backbone.parameters(), lr=1e-3)  # the head is never trained
        """,
        """
        opt = torch.optim.AdamW(stepguard.param_groups(model, weight_decay=0.01), lr=1e-3)
        """,
        (AUDIT, MONITOR),
    ),
    _r(
        "SG105",
        "decay-timescale",
        Severity.WARNING,
        """The decoupled weight-decay timescale `1/(lr * wd)` (in optimizer steps) is far shorter or
        far longer than the run.""",
        """AdamW's weights are an exponential moving average of recent updates with timescale
        `tau = 1/(lr * wd)` steps. A tau much shorter than the run forgets early training; one much
        longer than the run means decay does nothing measurable. The audit reports a timescale
        under 1/100 of the run as a warning and one over 10x the run as info, the latter only
        when the decay it would advise is sane (at most 1.0, at most 0.1 % per step): on short
        runs any usual decay is a near no-op, and that is expected.""",
        "wd = stepguard.weight_decay_for_timescale(tau_steps=total_steps / 3, lr=lr)",
        """
        opt = torch.optim.AdamW(groups, lr=1e-3, weight_decay=10.0)  # tau = 100 steps of 100k
        """,
        """
        wd = stepguard.weight_decay_for_timescale(tau_steps=100_000 / 3, lr=1e-3)
        opt = torch.optim.AdamW(groups, lr=1e-3, weight_decay=wd)
        """,
        (AUDIT,),
    ),
    _r(
        "SG106",
        "decay-without-gradient",
        Severity.WARNING,
        """A parameter with an all-zero gradient (frozen by zeroing or masking, unused embedding
        rows) still shrinks every step under decoupled weight decay.""",
        """Decoupled decay is applied whether or not a parameter learned anything: a parameter that
        is meant to be frozen, or an unused embedding row, decays toward zero step after step.""",
        "p.requires_grad_(False)  # or put it in a group with weight_decay=0.0",
        """
        model.encoder.weight.grad.zero_()  # 'freeze' by zeroing; AdamW still decays it
        opt.step()
        """,
        """
        model.encoder.weight.requires_grad_(False)  # and rebuild the optimizer's groups
        """,
        (MONITOR,),
    ),
    _r(
        "SG201",
        "unscaled-accumulated-loss",
        Severity.ERROR,
        """A loss is backpropagated over k micro-batches of one optimizer step without dividing by
        k (or by the window's total token/sample count).""",
        """Gradients add up across backward calls. Without `/k` the accumulated gradient is k times
        the big-batch gradient: SGD's effective learning rate is k times larger, clipping triggers
        far more often, and Adam's epsilon balance shifts.""",
        "loss = loss / accum_steps  # or stepguard.Accumulator(model, opt, steps=k)",
        """
        for i, (x, y) in enumerate(loader):
            loss = criterion(model(x), y)
            loss.backward()
            if (i + 1) % accum_steps == 0:
                optimizer.step()
                optimizer.zero_grad()
        """,
        """
        for i, (x, y) in enumerate(loader):
            loss = criterion(model(x), y) / accum_steps
            loss.backward()
            if (i + 1) % accum_steps == 0:
                optimizer.step()
                optimizer.zero_grad()
        """,
        (LINT, MONITOR),
    ),
    _r(
        "SG202",
        "scheduler-per-micro-batch",
        Severity.ERROR,
        """`scheduler.step()` runs on every micro-batch while the optimizer steps once per window.""",
        """The schedule advances k times per optimizer step: warmup ends k times early and a
        cosine schedule reaches its end (or cycles) after 1/k of the run.""",
        "if (i + 1) % accum_steps == 0: optimizer.step(); optimizer.zero_grad(); scheduler.step()",
        """
        for i, (x, y) in enumerate(loader):
            (criterion(model(x), y) / accum_steps).backward()
            scheduler.step()
            if (i + 1) % accum_steps == 0:
                optimizer.step()
                optimizer.zero_grad()
        """,
        """
        for i, (x, y) in enumerate(loader):
            (criterion(model(x), y) / accum_steps).backward()
            if (i + 1) % accum_steps == 0:
                optimizer.step()
                optimizer.zero_grad()
                scheduler.step()
        """,
        (LINT, MONITOR),
        autofix=True,
        fix_note="""Applied only when `scheduler.step()` is a statement of its own directly in
        the micro-batch loop and the optimizer step sits directly under the window's guard (or after
        the inner micro-batch loop): the call moves right after the step.""",
    ),
    _r(
        "SG203",
        "clip-per-micro-batch",
        Severity.ERROR,
        """Gradients are clipped on every micro-batch instead of once on the accumulated
        gradient.""",
        """Clipping a partial sum is not clipping the window's gradient: each micro-batch's share is
        clipped against the full threshold, so the result depends on k and on micro-batch order, and
        with an undivided loss clipping fires far more often than intended.""",
        "clip_grad_norm_(model.parameters(), max_norm)  # once, right before optimizer.step()",
        """
        for i, (x, y) in enumerate(loader):
            (criterion(model(x), y) / accum_steps).backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            if (i + 1) % accum_steps == 0:
                optimizer.step()
                optimizer.zero_grad()
        """,
        """
        for i, (x, y) in enumerate(loader):
            (criterion(model(x), y) / accum_steps).backward()
            if (i + 1) % accum_steps == 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                optimizer.zero_grad()
        """,
        (LINT, MONITOR),
        autofix=True,
        fix_note="""Applied under the same conditions as SG202: the clip call moves right
        before the step; with a GradScaler only when `scaler.unscale_(optimizer)` already precedes
        the step.""",
    ),
    _r(
        "SG204",
        "clip-before-unscale",
        Severity.ERROR,
        """With a GradScaler, gradients are clipped while still multiplied by the loss scale.""",
        """The scaled gradient norm is `scale` times the real one (often 65536x), so `max_norm`
        clips nearly every step by a huge factor and the update is tiny, or the clip threshold
        means nothing.""",
        "scaler.unscale_(optimizer); clip_grad_norm_(model.parameters(), max_norm)",
        """
        scaler.scale(loss).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        scaler.step(optimizer)
        scaler.update()
        """,
        """
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        scaler.step(optimizer)
        scaler.update()
        """,
        (LINT, MONITOR),
    ),
    _r(
        "SG205",
        "schedule-ignores-accumulation",
        Severity.ERROR,
        """The schedule length (`total_steps`, `num_training_steps`, `T_max`) is counted in
        micro-batches instead of optimizer steps.""",
        """With k-step accumulation there are `ceil(batches / k)` optimizer steps per epoch. A
        schedule sized in micro-batches is k times too long: the learning rate never decays to
        where the schedule intends.""",
        "total = stepguard.optimizer_steps(len(loader), accum_steps, epochs)",
        """
        scheduler = get_cosine_schedule_with_warmup(
            optimizer, 100, num_training_steps=len(loader) * epochs
        )
        """,
        """
        scheduler = get_cosine_schedule_with_warmup(
            optimizer, 100, num_training_steps=math.ceil(len(loader) / accum_steps) * epochs
        )
        """,
        (LINT, AUDIT, MONITOR),
    ),
    _r(
        "SG206",
        "partial-window",
        Severity.WARNING,
        """The last, shorter accumulation window of an epoch is scaled by `1/k` or silently
        dropped.""",
        """When `len(loader) % k != 0` the last window has fewer micro-batches: dividing by k
        shrinks its gradient, and a `(i + 1) % k` guard never fires for it, so its gradients leak
        into the next epoch's first step or are lost.""",
        "stepguard.Accumulator(model, optimizer, steps=k)  # scales a partial window by its size",
        """
        for i, (x, y) in enumerate(loader):  # len(loader) % accum_steps != 0
            (criterion(model(x), y) / accum_steps).backward()
            if (i + 1) % accum_steps == 0:
                optimizer.step()
                optimizer.zero_grad()
        """,
        """
        acc = stepguard.Accumulator(model, optimizer, steps=accum_steps)
        for x, y in acc.iterate(loader):
            acc.backward(criterion(model(x), y))
        """,
        (MONITOR,),
    ),
    _r(
        "SG207",
        "token-mean-per-micro-batch",
        Severity.ERROR,
        """Per-micro-batch token means are averaged over a window whose micro-batches hold
        different numbers of tokens.""",
        """`mean_i(sum_i / n_i)` is not `sum(sum_i) / sum(n_i)`: tokens in short micro-batches get
        more weight. The accumulated gradient is not the big-batch gradient, and the error grows with
        the spread of sequence lengths.""",
        "loss = loss_sum / window_tokens  # stepguard.Accumulator(..., items=count_tokens)",
        """
        loss = F.cross_entropy(logits.flatten(0, 1), labels.flatten(), ignore_index=-100)
        (loss / accum_steps).backward()
        """,
        """
        loss_sum = F.cross_entropy(
            logits.flatten(0, 1), labels.flatten(), ignore_index=-100, reduction="sum"
        )
        acc.backward(loss_sum, items=int((labels != -100).sum()))
        """,
        (MONITOR,),
    ),
    _r(
        "SG208",
        "ddp-sync-every-micro-batch",
        Severity.WARNING,
        """DDP all-reduces gradients on every micro-batch of an accumulation window.""",
        """Only the window's last backward needs a gradient all-reduce; the others can accumulate
        locally. Syncing each micro-batch multiplies communication by k for the same result.""",
        "with model.no_sync(): loss.backward()  # on all but the window's last micro-batch",
        """
        for i, (x, y) in enumerate(loader):
            (criterion(ddp_model(x), y) / accum_steps).backward()
            if (i + 1) % accum_steps == 0:
                optimizer.step()
                optimizer.zero_grad()
        """,
        """
        for i, (x, y) in enumerate(loader):
            last = (i + 1) % accum_steps == 0
            with contextlib.nullcontext() if last else ddp_model.no_sync():
                (criterion(ddp_model(x), y) / accum_steps).backward()
            if last:
                optimizer.step()
                optimizer.zero_grad()
        """,
        (LINT, MONITOR),
    ),
    _r(
        "SG209",
        "batchnorm-under-accumulation",
        Severity.INFO,
        """BatchNorm layers in train mode under gradient accumulation normalise with micro-batch
        statistics.""",
        """Accumulation enlarges the batch for the gradient, not for BatchNorm: its statistics (and
        the running estimates) come from each micro-batch, so the result is not that of the big
        batch.""",
        "nn.GroupNorm / nn.LayerNorm, or nn.SyncBatchNorm across ranks",
        """
        model = nn.Sequential(nn.Conv2d(3, 16, 3), nn.BatchNorm2d(16), nn.ReLU())
        # trained with accum_steps=8 and micro-batches of 4
        """,
        """
        model = nn.Sequential(nn.Conv2d(3, 16, 3), nn.GroupNorm(4, 16), nn.ReLU())
        """,
        (MONITOR,),
    ),
    _r(
        "SG210",
        "zero-grad-inside-window",
        Severity.ERROR,
        """`zero_grad()` runs on every micro-batch (or at the top of the window's last
        micro-batch), or inside `with accelerator.accumulate(model):` on a module or on an
        optimizer accelerate did not prepare, wiping the gradients being accumulated.""",
        """Accumulation relies on `.grad` summing across backward calls. Zeroing inside the window
        throws away all but the last micro-batch: the step sees 1/k of the data.""",
        "optimizer.zero_grad(set_to_none=True)  # once, right after optimizer.step()",
        """
        for i, (x, y) in enumerate(loader):
            optimizer.zero_grad()
            (criterion(model(x), y) / accum_steps).backward()
            if (i + 1) % accum_steps == 0:
                optimizer.step()
        """,
        """
        for i, (x, y) in enumerate(loader):
            (criterion(model(x), y) / accum_steps).backward()
            if (i + 1) % accum_steps == 0:
                optimizer.step()
                optimizer.zero_grad()
        """,
        (LINT, MONITOR),
    ),
    _r(
        "SG211",
        "scheduler-advances-on-skipped-step",
        Severity.WARNING,
        """A GradScaler skipped `optimizer.step()` (inf/nan gradients) but the scheduler advanced
        anyway.""",
        """Each skipped step still consumes one step of the schedule, so the schedule runs ahead of
        the optimizer: warmup is shortened exactly when training is least stable.""",
        "if scaler.get_scale() >= scale_before: scheduler.step()",
        """
        scaler.step(optimizer)
        scaler.update()
        scheduler.step()
        """,
        """
        scale_before = scaler.get_scale()
        scaler.step(optimizer)
        scaler.update()
        if scaler.get_scale() >= scale_before:  # the step was not skipped
            scheduler.step()
        """,
        (LINT, MONITOR),
    ),
    _r(
        "SG212",
        "sync-toggled-after-forward",
        Severity.ERROR,
        """DDP `no_sync()` (or `require_backward_grad_sync`) is entered around `backward()` only,
        after the forward ran outside it.""",
        """DDP decides during the forward whether the coming backward will all-reduce. Toggling
        sync after the forward either still all-reduces or never does, depending on the version and
        flag: communication is not avoided, or the last window is not synchronised.""",
        "with model.no_sync(): loss = criterion(model(x), y); loss.backward()",
        """
        loss = criterion(ddp_model(x), y) / accum_steps
        with ddp_model.no_sync():
            loss.backward()
        """,
        """
        with ddp_model.no_sync():
            loss = criterion(ddp_model(x), y) / accum_steps
            loss.backward()
        """,
        (LINT,),
    ),
]

CATALOG: Mapping[str, Rule] = {r.code: r for r in _RULES}


def rule(code: str) -> Rule:
    """Return the catalog entry for `code` (e.g. ``"SG101"``); a clear error for unknown codes."""
    if not isinstance(code, str):
        raise TypeError(f"a rule code is a string such as 'SG101', got {code!r}")
    key = code.strip().upper()
    if key not in CATALOG:
        known = ", ".join(CATALOG)
        raise KeyError(f"unknown rule {code!r}; the catalog has: {known}")
    return CATALOG[key]


def rule_markdown() -> str:
    """The rule index (docs/rules/index.md): one row per rule, linking to its page."""
    rows = [
        "# Rules",
        "",
        "Every finding of the linter, the audit and the Monitor carries one of these codes. Codes",
        "are stable: rules are added, never renumbered. `stepguard rule CODE` prints a rule's page.",
        "",
        "| code | name | severity | detectors | auto-fix |",
        "|---|---|---|---|---|",
    ]
    for r in CATALOG.values():
        det = ", ".join(d for d in DETECTORS if d in r.detectors)
        rows.append(
            f"| [{r.code}]({r.code}.md) | {r.name} | {r.severity} "
            f"| {det} | {'yes' if r.autofix else 'no'} |"
        )
    return "\n".join(rows) + "\n"

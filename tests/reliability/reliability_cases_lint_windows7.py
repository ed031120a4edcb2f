"""Reliability cases for the round-7 window / AMP shapes: degenerate spellings of a skip flag bound
to the scale, of a scheduler step handed to a helper or bound to a name, of a model's loss method,
of a division by the micro-batch's count, of a clipping guard with the steps outside it and of a
config dict stored on ``self``, each linted with the rules in strict mode (a bug inside a rule
raises instead of being skipped), with the codes each must give."""

from __future__ import annotations

from collections.abc import Callable

from reliability_harness import Case

from stepguard.lint import _rules

_AMP = (
    "import torch\n"
    "def train(model, loader, optimizer, scheduler, helper):\n"
    "    scaler = torch.cuda.amp.GradScaler()\n"
    "    for x in loader:\n"
    "        scaler.scale(model(x).mean()).backward()\n"
    "        prev = scaler.get_scale()\n"
    "        scaler.step(optimizer)\n"
    "        scaler.update()\n"
    "        {flag}\n"
    "        {sched}\n"
)

_WINDOW = (
    "import torch\n"
    "def train(model, loader, optimizer, k=4):\n"
    "    for i, (x, y) in enumerate(loader):\n"
    "        {loss}\n"
    "        loss.backward()\n"
    "        if (i + 1) % k == 0:\n"
    "            optimizer.step()\n"
    "            optimizer.zero_grad()\n"
)

_GATE = (
    "import torch\n"
    "def train(model, loader, optimizer, scheduler, k=4):\n"
    "    for step, x in enumerate(loader):\n"
    "        model(x).mean().backward()\n"
    "        if {test}:\n"
    "            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)\n"
    "        optimizer.step()\n"
    "        optimizer.zero_grad()\n"
    "        scheduler.step()\n"
)

_STORED = (
    "import torch\n"
    "class Trainer:\n"
    "    def __init__(self, model, opt, params):\n"
    "        self.model, self.opt = model, opt\n"
    "        {bind}\n"
    "    def train(self, loader):\n"
    "        k = {read}\n"
    "        for i, x in enumerate(loader):\n"
    "            torch.nn.functional.mse_loss(self.model(x), x).backward()\n"
    "            if (i + 1) % k == 0:\n"
    "                self.opt.step()\n"
    "                self.opt.zero_grad()\n"
    "Trainer(None, None, {{'k': 4}}).train(None)\n"
)


def _codes(source: str) -> Callable[[], list[str]]:
    def run() -> list[str]:
        before = _rules.STRICT
        _rules.STRICT = True
        try:
            return sorted(v.finding.code for v in _rules.check_source(source, "train.py"))
        finally:
            _rules.STRICT = before

    return run


def _case(name: str, source: str, expected: list[str]) -> Case:
    return Case(
        "lint",
        name,
        _codes(source),
        expect="ok",
        check=lambda got: got == sorted(expected) or f"codes {got}, expected {expected}",
    )


CASES = [
    _case(
        "skip flag bound by tuple unpacking (not read as a scale check)",
        _AMP.format(
            flag="ok, _ = prev <= scaler.get_scale(), 0",
            sched="if ok:\n            scheduler.step()",
        ),
        ["SG211"],
    ),
    _case(
        "skip flag bound to a scale comparison, then tested",
        _AMP.format(
            flag="ok = prev <= scaler.get_scale()",
            sched="if ok:\n            scheduler.step()",
        ),
        [],
    ),
    _case(
        "skip flag stored on an attribute (self.ok = ...) then tested",
        _AMP.format(
            flag="helper.ok = prev <= scaler.get_scale()",
            sched="if helper.ok:\n            scheduler.step()",
        ),
        ["SG211"],
    ),
    _case(
        "a test comparing with the string 'inf' still reads as a finiteness check",
        _AMP.format(flag="pass", sched="if prev != float('inf'):\n            scheduler.step()"),
        [],
    ),
    _case("helper given no argument", _AMP.format(flag="pass", sched="helper()"), []),
    _case(
        "helper given *schedulers (starred)",
        _AMP.format(flag="pass", sched="helper(*[scheduler.step])"),
        [],
    ),
    _case(
        "helper given the scheduler's step by keyword",
        _AMP.format(flag="pass", sched="helper(fn=scheduler.step)"),
        ["SG211"],
    ),
    _case(
        "rate bound from a scheduler given its position (step(1)): no SG211",
        _AMP.format(flag="pass", sched="lr = scheduler.step(1)"),
        [],
    ),
    _case(
        "rate bound by tuple unpacking from scheduler.step()",
        _AMP.format(flag="pass", sched="lr, wd = scheduler.step()"),
        ["SG211"],
    ),
    _case(
        "model loss method with no argument (not assumed a mean)",
        _WINDOW.format(loss="loss = model.loss()"),
        [],
    ),
    _case(
        "model loss method with **kwargs (may be handed k)",
        _WINDOW.format(loss="loss = model.loss(x, **{'k': k})"),
        [],
    ),
    _case(
        "model loss method on a model the file does not train (a teacher)",
        _WINDOW.format(loss="loss = teacher.loss(model(x), y)"),
        [],
    ),
    _case(
        "division by a non-string key of the loop's output",
        _WINDOW.format(loss="out = model(x)\n        loss = out['loss'] / out[0]"),
        [],
    ),
    _case(
        "division by the loop's count key",
        _WINDOW.format(loss="out = model(x)\n        loss = out['loss'] / out['n_tokens']"),
        ["SG201"],
    ),
    _case(
        "guard on a literal period (logging) with steps outside",
        _GATE.format(test="step % 100 == 0"),
        [],
    ),
    _case(
        "guard on k with steps outside",
        _GATE.format(test="(step + 1) % k == 0"),
        ["SG202", "SG210"],
    ),
    _case(
        "guard with no remainder (a flag) with steps outside",
        _GATE.format(test="k > 1"),
        [],
    ),
    _case(
        "self dict read with a computed key",
        _STORED.format(bind="self.params = params", read="self.params['k' + '']"),
        ["SG201"],
    ),
    _case(
        "self dict bound twice in __init__",
        _STORED.format(
            bind="self.params = params\n        self.params = dict(params)", read="self.params['k']"
        ),
        ["SG201"],
    ),
    _case(
        "self dict of a nested attribute (self.a.params['k'])",
        _STORED.format(bind="self.params = params", read="self.a.params['k']"),
        ["SG201"],
    ),
]

"""Reliability cases for SG201/SG212 through wrapper objects: degenerate spellings of
``fabric.backward``, ``optimizer.backward``, ``amp.scale_loss``, ``no_backward_sync`` /
``accelerator.no_sync`` and the short-batch rescale, each linted with the rules in strict mode (a
bug inside a rule raises instead of being skipped), with the codes each must give."""

from __future__ import annotations

from collections.abc import Callable

from reliability_harness import Case

from stepguard.lint import _rules

_WINDOW = (
    "import torch.nn.functional as F\n"
    "def train(fabric, model, optimizer, loader, k=4):\n"
    "    for i, (x, y) in enumerate(loader):\n"
    "        loss = F.cross_entropy(model(x), y)\n"
    "        {backward}\n"
    "        if (i + 1) % k == 0:\n"
    "            optimizer.step()\n"
    "            optimizer.zero_grad()\n"
)


def _codes(source: str) -> Callable[[], list[str]]:
    def run() -> list[str]:
        before = _rules.STRICT
        _rules.STRICT = True
        try:
            return [v.finding.code for v in _rules.check_source(source, "train.py")]
        finally:
            _rules.STRICT = before

    return run


def _case(name: str, source: str, expected: list[str]) -> Case:
    return Case(
        "lint",
        name,
        _codes(source),
        expect="ok",
        check=lambda got: got == expected or f"codes {got}, expected {expected}",
    )


CASES = [
    _case("fabric.backward() with no argument", _WINDOW.format(backward="fabric.backward()"), []),
    _case(
        "fabric.backward(*losses) (starred)",
        _WINDOW.format(backward="fabric.backward(*[loss])"),
        [],
    ),
    _case(
        "fabric.backward(loss) undivided in a window",
        _WINDOW.format(backward="fabric.backward(loss)"),
        ["SG201"],
    ),
    _case(
        "optimizer.backward(loss) of an fp16 wrapper in a window",
        _WINDOW.format(backward="optimizer.backward(loss)"),
        ["SG201"],
    ),
    _case(
        "model_engine.backward(loss) (DeepSpeed) in a window",
        _WINDOW.format(backward="model_engine.backward(loss)"),
        [],
    ),
    _case(
        "with amp.scale_loss() as s (no argument)",
        _WINDOW.format(backward="with amp.scale_loss() as s:\n            s.backward()"),
        [],
    ),
    _case(
        "with fabric.no_backward_sync() (no argument) around the backward",
        _WINDOW.format(
            backward="with fabric.no_backward_sync():\n            fabric.backward(loss / k)"
        ),
        [],
    ),
    _case(
        "with accelerator.no_sync(model) after the forward",
        _WINDOW.format(
            backward="with accelerator.no_sync(model):\n            accelerator.backward(loss / k)"
        ),
        ["SG212"],
    ),
    _case(
        "loss / (bs / x.shape[0]) with a loader that is not a name",
        _WINDOW.replace("enumerate(loader)", "enumerate(get_loader())").format(
            backward="(loss / (bs / x.shape[0])).backward()"
        ),
        [],
    ),
    _case(
        "loss = loss.mean() rebinding with nothing else bound",
        _WINDOW.replace("loss = F.cross_entropy(model(x), y)", "loss = loss.mean()").format(
            backward="loss.backward()"
        ),
        [],
    ),
]

"""Reliability cases for the window / AMP shapes of the accumulation rules: degenerate spellings of
an accelerate precision (``fp16=`` / ``mixed_precision=`` given odd values or ``**kwargs``), of a
loss coefficient, of an imported loss function, of an ``elif`` window chain and of the DDP sync
flag under ``if ddp:``, each linted with the rules in strict mode (a bug inside a rule raises
instead of being skipped), with the codes each must give."""

from __future__ import annotations

from collections.abc import Callable

from reliability_harness import Case

from stepguard.lint import _rules

_ACCEL = (
    "import torch\n"
    "from accelerate import Accelerator\n"
    "def run(model, loader, args):\n"
    "    accelerator = Accelerator({kwargs})\n"
    "    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.0)\n"
    "    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: 1.0)\n"
    "    model, optimizer, loader = accelerator.prepare(model, optimizer, loader)\n"
    "    for batch in loader:\n"
    "        accelerator.backward(model(**batch).loss)\n"
    "        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)\n"
    "        optimizer.step()\n"
    "        scheduler.step()\n"
    "        optimizer.zero_grad()\n"
)

_WINDOW = (
    "import torch.nn.functional as F\n"
    "{imports}\n"
    "def train(model, optimizer, loader, k=4):\n"
    "    for i, (x, y) in enumerate(loader):\n"
    "        loss = {loss}\n"
    "        loss.backward()\n"
    "        if (i + 1) % k == 0:\n"
    "            optimizer.step()\n"
    "            optimizer.zero_grad()\n"
)

_CHAIN = (
    "import torch.nn.functional as F\n"
    "def train(model, opt, loader, k=2):\n"
    "    for i, (x, y) in enumerate(loader):\n"
    "        loss = F.cross_entropy(model(x), y)\n"
    "        if i % k == 0:\n"
    "            loss.backward()\n"
    "        elif {test}:\n"
    "            loss.backward()\n"
    "            opt.step()\n"
    "        else:\n"
    "            loss.backward()\n"
)

_FLAG = (
    "import torch\n"
    "def train(model, loader, optimizer, ddp, k=4):\n"
    "    for x in loader:\n"
    "        for micro in range(k):\n"
    "            loss = model(x).mean() / k\n"
    "            {flag}\n"
    "            loss.backward()\n"
    "        optimizer.step()\n"
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
    _case(
        "Accelerator() with no precision: the machine's accelerate config decides, SG204 latent",
        _ACCEL.format(kwargs=""),
        ["SG204"],
    ),
    _case("Accelerator(fp16=None): as if not given", _ACCEL.format(kwargs="fp16=None"), ["SG204"]),
    _case("Accelerator(fp16=0)", _ACCEL.format(kwargs="fp16=0"), []),
    _case(
        "Accelerator(mixed_precision=None): as if not given",
        _ACCEL.format(kwargs="mixed_precision=None"),
        ["SG204"],
    ),
    _case("Accelerator(mixed_precision=16)", _ACCEL.format(kwargs="mixed_precision=16"), []),
    _case(
        "Accelerator(fp16=True) literal",
        _ACCEL.format(kwargs="fp16=True"),
        ["SG204", "SG211"],
    ),
    _case(
        "Accelerator(mixed_precision='FP16 ') (case, spaces)",
        _ACCEL.format(kwargs="mixed_precision='FP16 '"),
        ["SG204", "SG211"],
    ),
    _case(
        "Accelerator(**kwargs): precision not visible, SG204 stays latent-possible",
        _ACCEL.format(kwargs="**args.accelerator_kwargs"),
        ["SG204", "SG211"],
    ),
    _case(
        "Accelerator(*args) positional splat",
        _ACCEL.format(kwargs="*args.accelerator_args"),
        ["SG204", "SG211"],
    ),
    _case(
        "loss weighted by a coefficient attribute (a loss weight is no division by k)",
        _WINDOW.format(imports="", loss="args.lambda_ce * F.cross_entropy(model(x), y)"),
        ["SG201"],
    ),
    _case(
        "loss weighted by a coefficient bound to 1 / k",
        _WINDOW.format(imports="", loss="(loss_weight := 1 / k) * F.cross_entropy(model(x), y)"),
        [],
    ),
    _case(
        "imported loss function called with no argument",
        _WINDOW.format(imports="from pkg.losses import total_loss", loss="total_loss()"),
        [],
    ),
    _case(
        "imported loss function with a reduction keyword",
        _WINDOW.format(
            imports="from pkg.losses import total_loss",
            loss="total_loss(model(x), y, reduction=red)",
        ),
        [],
    ),
    _case(
        "imported loss function, undivided",
        _WINDOW.format(imports="from pkg.losses import total_loss", loss="total_loss(model(x), y)"),
        ["SG201"],
    ),
    _case(
        "torch loss imported by its qualified name is not an outside loss",
        _WINDOW.format(
            imports="from torch.nn.functional import cross_entropy as my_loss",
            loss="my_loss(model(x), y, reduction='sum')",
        ),
        [],
    ),
    _case("elif window test with another length", _CHAIN.format(test="i % 3 == 2"), []),
    _case("elif that is no window test", _CHAIN.format(test="x is None"), []),
    _case("elif window test, same length", _CHAIN.format(test="i % k == k - 1"), ["SG201"]),
    _case(
        "sync flag under `if ddp:` before the forward (nanoGPT)",
        _FLAG.replace("            loss = model(x).mean() / k\n            {flag}\n", "").replace(
            "        for micro in range(k):\n",
            "        for micro in range(k):\n"
            "            if ddp:\n"
            "                model.require_backward_grad_sync = micro == k - 1\n"
            "            loss = model(x).mean() / k\n",
        ),
        [],
    ),
    _case(
        "sync flag under `if ddp:` after the forward",
        _FLAG.format(
            flag="if ddp:\n                model.require_backward_grad_sync = micro == k - 1"
        ),
        ["SG212"],
    ),
    _case(
        "sync flag under a call test (`if is_dist():`) after the forward",
        _FLAG.format(
            flag="if is_dist():\n                model.require_backward_grad_sync = micro == k - 1"
        ),
        [],
    ),
]

CASES += [
    _case(
        "imported loss function handed the settings object (it may divide by k)",
        _WINDOW.format(
            imports="from pkg.losses import total_loss", loss="total_loss(model(x), y, args)"
        ),
        [],
    ),
    _case(
        "imported loss function handed the window length",
        _WINDOW.format(
            imports="from pkg.losses import total_loss", loss="total_loss(model(x), y, n=k)"
        ),
        [],
    ),
    _case(
        "imported loss function handed **kwargs",
        _WINDOW.format(
            imports="from pkg.losses import total_loss", loss="total_loss(model(x), y, **kw)"
        ),
        [],
    ),
]

_CLASS = (
    "import torch.nn.functional as F\n"
    "class Trainer:\n"
    "    def __init__(self, model, opt, accum=4):\n"
    "        self.model, self.opt, self.accum = model, opt, accum\n"
    "        self.loss_weight = {weight}\n"
    "    def fit(self, loader):\n"
    "        for i, (x, y) in enumerate(loader):\n"
    "            loss = self.loss_weight * F.cross_entropy(self.model(x), y)\n"
    "            loss.backward()\n"
    "            if (i + 1) % self.accum == 0:\n"
    "                self.opt.step()\n"
    "                self.opt.zero_grad()\n"
)

CASES += [
    _case(
        "self.loss_weight set to 1 / accum in the class", _CLASS.format(weight="1.0 / accum"), []
    ),
    _case(
        "self.loss_weight set to a constant in the class", _CLASS.format(weight="0.5"), ["SG201"]
    ),
]

# Round 6 edge inputs: a skip test with an `else`, a scheduler given odd arguments, Lightning
# Trainers written oddly, a literal count bound in odd ways, a config handed down as **kwargs.
_SKIP = (
    "def train(model, loader, optimizer, k=4):\n"
    "    for i, (x, y) in enumerate(loader):\n"
    "        if x.numel() > 0:\n"
    "            optimizer.zero_grad()\n"
    "            (model(x).mean() / k).backward()\n"
    "            if (i + 1) % k == 0:\n"
    "                optimizer.step()\n"
    "        {orelse}\n"
)

_SCHED = (
    "import torch\n"
    "def train(model, loader, optimizer, scheduler):\n"
    "    scaler = torch.cuda.amp.GradScaler()\n"
    "    for i, x in enumerate(loader):\n"
    "        with torch.autocast('cuda'):\n"
    "            loss = model(x).mean()\n"
    "        scaler.scale(loss).backward()\n"
    "        scaler.step(optimizer)\n"
    "        scaler.update()\n"
    "        scheduler.step({args})\n"
)

_MANUAL = (
    "import pytorch_lightning as pl\n"
    "class M(pl.LightningModule):\n"
    "    def __init__(self):\n"
    "        super().__init__()\n"
    "        self.automatic_optimization = False\n"
    "    def training_step(self, batch, batch_idx):\n"
    "        opt = self.optimizers()\n"
    "        self.manual_backward(self(batch) / 4)\n"
    "        if (batch_idx + 1) % 4 == 0:\n"
    "            opt.step()\n"
    "            opt.zero_grad()\n"
    "trainer = pl.Trainer({kwargs})\n"
)

_LOCAL_K = (
    "def train(model, loader, optimizer, scheduler):\n"
    "    {bind}\n"
    "    for i, x in enumerate(loader):\n"
    "        (model(x).mean() / k).backward()\n"
    "        scheduler.step()\n"
    "        if (i + 1) % k == 0:\n"
    "            optimizer.step()\n"
    "            optimizer.zero_grad()\n"
)

CASES += [
    _case(
        "a skip test with an else that steps: no window under it",
        _SKIP.format(orelse="else:\n            optimizer.step()"),
        [],
    ),
    _case(
        "a skip test with nothing else: SG210 per micro-batch", _SKIP.format(orelse=""), ["SG210"]
    ),
    _case("scheduler.step(*args) after scaler.step", _SCHED.format(args="*[i]"), []),
    _case("scheduler.step(epoch=i) after scaler.step", _SCHED.format(args="epoch=i"), ["SG211"]),
    _case("scheduler.step(i, i) after scaler.step", _SCHED.format(args="i, i"), []),
    _case(
        "Trainer(**kwargs): latent, the strategy is not visible",
        _MANUAL.format(kwargs="**cfg"),
        ["SG208"],
    ),
    _case("Trainer(devices=True): not a count", _MANUAL.format(kwargs="devices=True"), ["SG208"]),
    _case("Trainer(devices='0,1')", _MANUAL.format(kwargs="devices='0,1'"), ["SG208"]),
    _case(
        "Trainer(devices='auto', strategy='fsdp')",
        _MANUAL.format(kwargs="devices='auto', strategy='fsdp'"),
        [],
    ),
    _case("Trainer(devices=[0], strategy=None)", _MANUAL.format(kwargs="devices=[0]"), []),
    _case("k bound twice to 1: a setting", _LOCAL_K.format(bind="k = 1\n    k = 1"), ["SG202"]),
    _case("k = 1 with a global statement", _LOCAL_K.format(bind="global k\n    k = 1"), ["SG202"]),
    _case("k, j = 1, 2 (unpacked)", _LOCAL_K.format(bind="k, j = 1, 2"), ["SG202"]),
    _case("k = True (a bool is no count)", _LOCAL_K.format(bind="k = True"), ["SG202"]),
    _case("k = 1 (a local literal: no window)", _LOCAL_K.format(bind="k = 1"), []),
    _case(
        "config['k'] handed down as **kwargs",
        "def inner(loader, model, optimizer, scheduler, config):\n"
        "    for i, x in enumerate(loader):\n"
        "        (model(x).mean() / config['k']).backward()\n"
        "        scheduler.step()\n"
        "        if (i + 1) % config['k'] == 0:\n"
        "            optimizer.step()\n"
        "def outer(**kw):\n"
        "    inner(**kw)\n",
        ["SG202"],
    ),
]

"""Reliability cases for the linter's project mode: odd trees, configs and launch scripts.

Each case builds a small tree in a temporary folder and lints it as a project; the run must finish,
report what the tree shows, and never fail on a file it cannot read (it says so instead).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reliability_harness import Case, cli

from stepguard.lint import lint_paths

LOOP = (
    "import argparse\n"
    "p = argparse.ArgumentParser()\n"
    "p.add_argument('--accum', type=int, default=1)\n"
    "args = p.parse_args()\n"
    "def train(model, loader, optimizer, criterion):\n"
    "    for i, (x, y) in enumerate(loader):\n"
    "        loss = criterion(model(x), y)\n"
    "        loss.backward()\n"
    "        if (i + 1) % args.accum == 0:\n"
    "            optimizer.step()\n"
    "            optimizer.zero_grad()\n"
)


ARGBIND = (
    "import argbind\nimport torch\n"
    'AdamW = argbind.bind(torch.optim.AdamW, "g")\n'
    "def load(model):\n    return AdamW(model.parameters())\n"
)
POLICY_MODEL = (
    "import torch.nn as nn\nclass Net(nn.Module):\n    def get_optim_policies(self):\n"
    "        w, b = [], []\n        for m in self.modules():\n"
    "            if isinstance(m, nn.Linear):\n                ps = list(m.parameters())\n"
    "                w.append(ps[0])\n                b.append(ps[1])\n"
    '        return [{"params": w}, {"params": b, "decay_mult": 0}]\n'
)


def _tree(files: dict[str, str | bytes]) -> Path:
    root = Path(tempfile.mkdtemp(prefix="sg-rel-"))
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return root


def _lint(files: dict[str, str | bytes]) -> Callable[[], Any]:
    return lambda: lint_paths([_tree(files)])


def _sg201(activity: str, needle: str = "") -> Callable[[Any], bool | str]:
    def check(report: Any) -> bool | str:
        found = [f for f in report.findings if f.code == "SG201"]
        if len(found) != 1:
            return f"expected one SG201, got {[f.code for f in report.findings]}"
        data = found[0].data
        if data.get("activity") != activity or needle not in data.get("activity_reason", ""):
            return f"activity {data.get('activity')!r}: {data.get('activity_reason')!r}"
        return True

    return check


def _symlink_loop() -> Any:
    root = _tree({"train.py": LOOP, "scripts/run.sh": "python train.py --accum 4\n"})
    os.symlink(root, root / "scripts" / "loop")
    return lint_paths([root])


def _import_cycle() -> Any:
    return lint_paths(
        [
            _tree(
                {
                    "a.py": "from b import helper\nclass A(A):\n    pass\n" + LOOP,
                    "b.py": "from a import train\ndef helper():\n    return helper()\n",
                }
            )
        ]
    )


CASES = [
    Case(
        "lint",
        "launch script sets k",
        _lint({"train.py": LOOP, "scripts/run.sh": "python train.py --accum 4\n"}),
        expect="ok",
        check=_sg201("active", "accum=4 from"),
    ),
    Case(
        "lint",
        "lint_paths given one folder as a str, not a list: its launch script still counts",
        lambda: lint_paths(
            str(_tree({"train.py": LOOP, "scripts/run.sh": "python train.py --accum 4\n"}))
        ),
        expect="ok",
        check=_sg201("active", "accum=4 from"),
    ),
    Case(
        "lint",
        "config file not UTF-8",
        _lint({"train.py": LOOP, "cfg.yaml": b"accum: \xff\xfe\n"}),
        expect="ok",
        check=_sg201("latent", "default 1"),
    ),
    Case(
        "lint",
        "invalid JSON and TOML configs",
        _lint({"train.py": LOOP, "a.json": "{accum: 8", "b.toml": "accum = = 8"}),
        expect="ok",
        check=_sg201("latent", "default 1"),
    ),
    Case(
        "lint",
        "YAML with tabs, anchors and a flow mapping",
        _lint({"train.py": LOOP, "c.yaml": "a: &x {accum: 8}\n\tb: 1\nc: *x\n"}),
        expect="ok",
        check=_sg201("latent"),
    ),
    Case(
        "lint",
        "config larger than the reader's limit",
        _lint({"train.py": LOOP, "big.yaml": "accum: 8\n" + "x: 1\n" * 70000}),
        expect="ok",
        check=_sg201("latent", "default 1"),
    ),
    Case(
        "lint",
        "launch script with unbalanced quotes and odd tokens",
        _lint(
            {
                "train.py": LOOP,
                "run.sh": 'python train.py --accum "8\ntorchrun --nproc_per_node=x train.py --accum\n',
            }
        ),
        expect="ok",
        check=_sg201("latent"),
    ),
    Case(
        "lint",
        "symlink cycle in the tree",
        _symlink_loop,
        expect="ok",
        check=_sg201("active", "accum=4"),
        timeout=60,
    ),
    Case(
        "lint",
        "import cycle, a class inheriting itself, a recursive helper",
        _import_cycle,
        expect="ok",
        check=_sg201("latent"),
        timeout=60,
    ),
    Case(
        "lint",
        "a setting defined from itself",
        _lint({"train.py": LOOP.replace("args = p.parse_args()", "accum = accum + 1\nargs = p")}),
        expect="ok",
        check=lambda r: len(r.findings) == 1 or f"{[f.code for f in r.findings]}",
    ),
    Case(
        "lint",
        "two modules with the same name in different folders",
        _lint({"a/utils.py": "def f():\n    pass\n", "b/utils.py": LOOP, "b/main.py": LOOP}),
        expect="ok",
        check=lambda r: [f.code for f in r.findings] == ["SG201", "SG201"] or "wrong findings",
    ),
    Case(
        "lint",
        "stepguard lint --active-only on a tree without active findings",
        lambda: cli("lint", "--active-only", "--isolated", str(_tree({"train.py": LOOP}))),
        expect="ok",
        check=lambda p: (
            (p.returncode == 0 and p.stdout == "")
            or f"exit {p.returncode}: {p.stdout!r} {p.stderr!r}"
        ),
    ),
    Case(
        "lint",
        "trainer classes whose bases form a cycle across two files (SG208 follows bases)",
        _lint(
            {
                "a.py": "from b import B\nimport torch\nfrom torch.nn.parallel import "
                "DistributedDataParallel as DDP\nclass A(B):\n    def wrap(self):\n"
                "        self.net = DDP(self.net)\n    def fit_batch(self, x):\n"
                "        self.step += 1\n        loss = self.net(x).mean() / self.k\n"
                "        loss.backward()\n        if self.step % self.k == 0:\n"
                "            self.optimizer.step()\n",
                "b.py": "from a import A\nclass B(A):\n    pass\n",
            }
        ),
        expect="ok",
        check=lambda r: [f.code for f in r.findings] == ["SG208"] or "wrong findings",
    ),
    Case(
        "lint",
        "helpers that call each other in a cycle around a scaled backward (SG204 follows helpers)",
        _lint(
            {
                "t.py": "import torch\nclass T:\n    def a(self, loss):\n"
                "        self.scaler.scale(loss).backward()\n        self.b(loss)\n"
                "    def b(self, loss):\n        self.a(loss)\n"
                "        torch.nn.utils.clip_grad_norm_(self.m.parameters(), 1.0)\n"
                "        self.scaler.step(self.opt)\n"
            }
        ),
        expect="ok",
        # Recursion between helpers is cut after two levels: the run finishes, whatever it finds.
        check=lambda r: all(f.code in ("SG204",) for f in r.findings) or "unexpected findings",
    ),
    Case(
        "lint",
        "a hook that steps a scheduler, the trainer loop's file not UTF-8 (SG211 reads the tree)",
        _lint(
            {
                "hooks.py": "class H:\n    def after_step(self):\n        self.scheduler.step()\n",
                "loop.py": b"# \xff\xfe\nfor h in hooks:\n    scaler.step(opt)\n",
            }
        ),
        expect="ok",
        check=lambda r: all(f.code != "SG211" for f in r.findings) or "SG211 from an unread file",
    ),
    Case(
        "lint",
        "an argbind-bound AdamW whose config sets its weight_decay in a flow mapping (SG102)",
        _lint(
            {
                "train.py": ARGBIND,
                "conf/base.yml": "AdamW: {weight_decay: 0.0, lr: 0.001}\n",
            }
        ),
        expect="ok",
        # Read by PyYAML when installed, else named as unread: never the class default guessed.
        check=lambda r: r.findings == [] or f"{[(f.code, f.message) for f in r.findings]}",
    ),
    Case(
        "lint",
        "argbind.bind with a starred argument and a bound class no config names (SG102)",
        _lint(
            {
                "train.py": ARGBIND.replace(
                    'argbind.bind(torch.optim.AdamW, "g")', "argbind.bind(*[torch.optim.AdamW])"
                ),
                "conf/base.yml": "AdamW.lr: 0.001\n",
            }
        ),
        expect="ok",
        check=lambda r: r.findings == [] or f"{[(f.code, f.message) for f in r.findings]}",
    ),
    Case(
        "lint",
        "policy groups of a model bound in a branch before the method call (SG102)",
        _lint(
            {
                "models.py": POLICY_MODEL,
                "train.py": "import torch\nfrom models import Net\n"
                "def main(args, other):\n    model = other\n    if args.video:\n"
                "        model = Net()\n    policies = model.get_optim_policies()\n"
                "    return torch.optim.SGD(policies, 0.1, weight_decay=5e-4)\n",
            }
        ),
        expect="ok",
        check=lambda r: r.findings == [] or f"{[(f.code, f.message) for f in r.findings]}",
    ),
]

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
]

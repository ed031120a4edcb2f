"""Reliability cases for the linter (`lint_source`, `lint_paths`, `stepguard lint`), written by the
safety helper: the issue's reproducers (defects 4-7, 11) and other inputs a new user tries. The lint
package is another helper's area; cases that fail here are routed to it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reliability_harness import Case, cli, cli_error
from reliability_models import pyrun, stdout_closed, tmpdir

from stepguard.lint import lint_paths, lint_source

_NADAM = (
    "import torch\n"
    "opt = torch.optim.NAdam(model.parameters(), lr=1e-3, weight_decay=0.1, "
    "decoupled_weight_decay=False)\n"
)
_ADAM_FLAG = (
    "import torch\nfrom torch.optim import Adam\n"
    "opt = Adam(model.parameters(), lr=1e-3, weight_decay=0.1, decoupled_weight_decay=False)\n"
)
_ADAM = "import torch\nopt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=0.1)\n"


def E(name: str, run: Callable[[], Any], match: str, **kw: Any) -> Case:
    return Case("lint", name, run, match=match, **kw)


def CLI(name: str, run: Callable[[], Any], match: str) -> Case:
    return Case("lint", name, run, expect="ok", check=lambda p: cli_error(p, match))


def _file(text: str, name: str = "train.py") -> Path:
    path = tmpdir() / name
    path.write_text(text)
    return path


def _fix_twice(source: str) -> Callable[[], bool | str]:
    def run() -> bool | str:
        path = _file(source)
        cli("lint", "--fix", "-q", str(path))
        once = path.read_text()
        cli("lint", "--fix", "-q", str(path))
        twice = path.read_text()
        try:
            compile(twice, str(path), "exec")
        except SyntaxError as exc:
            return f"--fix made the file not compile: {exc}"
        return once == twice or "a second --fix changed the file again"

    return run


def _fixed_adam_constructs() -> bool | str:
    path = _file(_ADAM_FLAG)
    cli("lint", "--fix", "-q", str(path))
    text = path.read_text()
    code = text.replace("model.parameters()", "[__import__('torch').zeros(1, requires_grad=True)]")
    try:
        exec(compile(code, str(path), "exec"), {})
    except Exception as exc:
        return f"the fixed file fails at run time: {type(exc).__name__}: {exc}"
    imported = "import Adam," in text or "import Adam\n" in text
    if imported and not re.search(r"\bAdam\(", text):
        return "the now-unused Adam import was left behind"
    return True


def _fix_under_size_limit() -> bool | str:
    body = _ADAM + "".join(
        f"x{i} = {i}  # padding line to make the file large\n" for i in range(4000)
    )
    path = _file(body)
    before = path.read_bytes()
    code = (
        "import resource, signal, subprocess, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))\n"
        f"subprocess.run([sys.executable, '-m', 'stepguard', 'lint', '--fix', '-q', {str(path)!r}])\n"
    )
    subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    after = path.read_bytes()
    if after != before and len(after) < len(before) // 2:
        return f"the file shrank from {len(before)} to {len(after)} bytes"
    return True


def _symlink_cycle() -> subprocess.CompletedProcess[str]:
    root = tmpdir()
    (root / "sub").mkdir()
    (root / "sub" / "train.py").write_text(_ADAM)
    os.symlink("..", root / "sub" / "loop")
    os.symlink("sub", root / "subalias")
    return cli("lint", "-q", str(root), timeout=20)


def _paths_as_string() -> bool | str:
    """In a subprocess, killed after 20 s: the old behaviour walked the whole filesystem."""
    code = f"from stepguard.lint import lint_paths; lint_paths({str(_file(_ADAM))!r})"
    try:
        proc = pyrun(code, timeout=20)
    except subprocess.TimeoutExpired:
        return "lint_paths(str) did not finish in 20 s (it iterates the string's characters)"
    last = (proc.stderr.strip().splitlines() or [""])[-1]
    # A single path given as a str is accepted (what users pass) and linted as that one file.
    return proc.returncode == 0 or f"lint_paths(str) failed: {last!r}"


def _unknown_config_key() -> subprocess.CompletedProcess[str]:
    root = tmpdir()
    (root / "pyproject.toml").write_text('[tool.stepguard]\nignores = ["SG101"]\n')
    (root / "train.py").write_text(_ADAM)
    return cli("lint", "train.py", cwd=root)


def _lint_to(target: str) -> subprocess.CompletedProcess[str]:
    path = _file(_ADAM)
    if target == "closed":
        return stdout_closed("lint", str(path))
    with open(target, "w") as out:
        return subprocess.run(
            [sys.executable, "-m", "stepguard", "lint", str(path)],
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )


CASES = [
    E("lint_source(None)", lambda: lint_source(None), r"source"),
    E("lint_source(b'x = 1')", lambda: lint_source(b"x = 1"), r"source"),
    E("lint_source(42)", lambda: lint_source(42), r"source"),
    Case("lint", "lint_source('')", lambda: lint_source(""), expect="ok", check=lambda v: v == []),
    Case(
        "lint",
        "lint_source('x = (') (syntax error)",
        lambda: lint_source("x = ("),
        expect="ok",
        check=lambda v: isinstance(v, list),
    ),
    Case(
        "lint",
        "lint_paths('/abs/path.py'): a string, not a list",
        _paths_as_string,
        expect="ok",
        check=lambda v: v,
    ),
    E("lint_paths(None)", lambda: lint_paths(None), r"paths"),
    E(
        "lint_paths(['/nonexistent.py'])",
        lambda: lint_paths(["/nonexistent/x.py"]),
        r"no such file",
        errors=(FileNotFoundError, ValueError),
    ),
    E(
        "lint_paths(select=['SG999'])",
        lambda: lint_paths([str(_file(_ADAM))], select=["SG999"]),
        r"unknown select 'SG999'",
        errors=(ValueError,),
    ),
    E(
        "lint_paths(select=[''])",
        lambda: lint_paths([str(_file(_ADAM))], select=[""]),
        r"select",
        errors=(ValueError,),
    ),
    CLI(
        "stepguard lint --select ''",
        lambda: cli("lint", "--select", "", str(_file(_ADAM))),
        r"select",
    ),
    CLI(
        "stepguard lint missing.py",
        lambda: cli("lint", "/nonexistent/missing.py"),
        r"no such file or directory",
    ),
    CLI(
        "stepguard lint --format bogus",
        lambda: cli("lint", "--format", "bogus", "x.py"),
        r"invalid choice: 'bogus'",
    ),
    CLI(
        "stepguard lint --max-file-size -1",
        lambda: cli("lint", "--max-file-size", "-1", "x.py"),
        r"max-file-size",
    ),
    CLI(
        "stepguard lint with an unknown [tool.stepguard] key (ignores =)",
        _unknown_config_key,
        r"ignores",
    ),
    Case(
        "lint",
        "stepguard lint on a symlink cycle finishes",
        _symlink_cycle,
        expect="ok",
        check=lambda p: p.returncode in (0, 1) or p,
        timeout=60,
    ),
    CLI(
        "stepguard lint file > /dev/full", lambda: _lint_to("/dev/full"), r"No space left on device"
    ),
    CLI(
        "stepguard lint file >&- (stdout closed)",
        lambda: _lint_to("closed"),
        r"standard output is closed",
    ),
    Case(
        "lint",
        "stepguard lint --fix twice on NAdam(decoupled_weight_decay=False)",
        _fix_twice(_NADAM),
        expect="ok",
        check=lambda v: v,
        kind="data",
    ),
    Case(
        "lint",
        "stepguard lint --fix twice on Adam(weight_decay=0.1)",
        _fix_twice(_ADAM),
        expect="ok",
        check=lambda v: v,
        kind="data",
    ),
    Case(
        "lint",
        "stepguard lint --fix on Adam(..., decoupled_weight_decay=False) constructs",
        _fixed_adam_constructs,
        expect="ok",
        check=lambda v: v,
        kind="data",
    ),
    Case(
        "lint",
        "stepguard lint --fix under a file-size limit keeps the file",
        _fix_under_size_limit,
        expect="ok",
        check=lambda v: v,
        kind="data",
    ),
]

"""Small models, optimizers and files the reliability cases share (each call builds fresh ones)."""

from __future__ import annotations

import ast
import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import torch
from torch import nn


class Net(nn.Module):
    """A Linear-LayerNorm-Linear MLP with an embedding: every classify() category a user meets."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(10, 8)
        self.fc = nn.Linear(8, 8)
        self.norm = nn.LayerNorm(8)
        self.head = nn.Linear(8, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.norm(torch.relu(self.fc(x))))


def net(seed: int = 0) -> Net:
    torch.manual_seed(seed)
    return Net()


def adamw(model: nn.Module, **kw: Any) -> torch.optim.AdamW:
    kw.setdefault("lr", 1e-3)
    kw.setdefault("weight_decay", 0.01)
    return torch.optim.AdamW(model.parameters(), **kw)


def frozen() -> Net:
    return net().requires_grad_(False)


def meta() -> Net:
    with torch.device("meta"):
        return Net()


def batch(n: int = 4) -> torch.Tensor:
    return torch.randn(n, 8, generator=torch.Generator().manual_seed(1))


def loss(model: nn.Module) -> torch.Tensor:
    return model(batch()).pow(2).mean()


def tmpdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="sg-reliability-"))


def pyrun(code: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter (for process-wide state: rlimits, signals)."""
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout
    )


def isolated(module: str, function: str, timeout: float = 120) -> Any:
    """``module.function()`` run in a fresh interpreter, for cases that may leave process-wide
    patches behind (a failed Monitor attach): its repr'd return value, or a string saying how
    it failed."""
    here = str(Path(__file__).resolve().parent)
    code = (
        f"import sys; sys.path.insert(0, {here!r}); import {module} as m; "
        f"print('RESULT', repr(m.{function}()))"
    )
    proc = pyrun(code, timeout=timeout)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("RESULT "):
            return ast.literal_eval(line[len("RESULT ") :])
    return f"exit {proc.returncode}: {proc.stderr[-300:]!r}"


def stdout_closed(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m stepguard ARGS >&-`` (standard output closed, as a shell does it)."""
    command = " ".join(shlex.quote(a) for a in (sys.executable, "-m", "stepguard", *args))
    return subprocess.run(
        f"exec {command} >&-", shell=True, capture_output=False, stderr=subprocess.PIPE,
        text=True, timeout=60,
    )  # fmt: skip


def proc_children(pid: int) -> dict[int, str]:
    """Live (not zombie) child processes of `pid` on Linux: {pid: command line}."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            if int(stat[1]) == pid and stat[0] != "Z":
                out[int(entry)] = Path(f"/proc/{entry}/cmdline").read_text().replace("\0", " ")
        except (OSError, IndexError):
            continue
    return out


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def one_line(text: str, pattern: str) -> bool | str:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if len(lines) != 1:
        return f"{len(lines)} lines: {text[-300:]!r}"
    return True if re.search(pattern, lines[0]) else f"{lines[0]!r} does not match {pattern!r}"

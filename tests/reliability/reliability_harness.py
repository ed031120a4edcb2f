"""The reliability suite's harness: edge-case and bad inputs, each run and classified.

A `Case` is one thing a user might do (a bad argument, a checkpoint while monitoring, a `--fix` on a
read-only file). Running it gives one outcome:

- ``clear-error``: it was expected to fail and raised an error of an accepted type whose message
  matches `match` (it names the argument or the problem and the fix); for CLI cases, exit code 2
  and one line on stderr, no traceback;
- ``correct``: it was expected to work, it did, and `check` accepted the result;
- ``crash``: anything else that raised (a raw error from deep inside, a message that does not name
  the problem, a traceback from the CLI) or did not finish within `timeout` seconds (a hang);
- ``silent-wrong``: it finished without an error but `check` rejected the result;
- ``data-loss``: `check` found a user's file or object damaged (cases with ``kind="data"``).

Cases live in ``reliability_cases_<area>.py`` modules next to this one, each defining ``CASES``;
`test_reliability.py` asserts every case's outcome is the good one, and ``python
tests/reliability/report.py`` prints the counts the docs and closing notes quote.
"""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

HERE = Path(__file__).resolve().parent

Outcome = Literal["clear-error", "correct", "crash", "silent-wrong", "data-loss"]
GOOD: frozenset[str] = frozenset({"clear-error", "correct"})

# Errors accepted as clear by default (when the message also matches); raw ones such as
# AttributeError, IndexError or ZeroDivisionError count only where a case lists them (KeyError for
# a lookup by code, say).


@dataclass(frozen=True)
class Case:
    """One input. `run` does it; with ``expect="error"`` it must raise one of `errors` matching
    `match`; with ``expect="ok"`` it must return a value that `check` accepts (``check`` returns
    True, or a string saying what is wrong)."""

    area: str
    name: str
    run: Callable[[], Any]
    expect: Literal["error", "ok"] = "error"
    match: str = ""
    errors: tuple[type[BaseException], ...] = (ValueError, TypeError, RuntimeError)
    check: Callable[[Any], bool | str] | None = None
    kind: Literal["api", "data"] = "api"
    timeout: float = 120.0


@dataclass
class Result:
    case: Case
    outcome: Outcome
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def cli(
    *args: str, cwd: str | Path | None = None, stdin: str | None = None, **kw: Any
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m stepguard ARGS`` and return the finished process (never raises)."""
    return subprocess.run(
        [sys.executable, "-m", "stepguard", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=kw.pop("timeout", 300),
        **kw,
    )


def cli_error(proc: subprocess.CompletedProcess[str], match: str) -> bool | str:
    """A CLI failure done right: exit 2, no traceback, one line on stderr that matches `match`."""
    if proc.returncode != 2:
        return f"exit {proc.returncode}, stderr: {proc.stderr[-300:]!r}"
    if "Traceback" in proc.stderr:
        return f"traceback on stderr: {proc.stderr[-300:]!r}"
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    if len(lines) != 1:
        return f"{len(lines)} lines on stderr: {proc.stderr[-300:]!r}"
    if not re.search(match, lines[0]):
        return f"stderr {lines[0]!r} does not match {match!r}"
    return True


def run_case(case: Case) -> Result:
    """Run one case in a thread with its timeout and classify the outcome."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = case.run()
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=target, name=f"reliability-{case.name[:40]}", daemon=True)
    thread.start()
    thread.join(case.timeout)
    if thread.is_alive():
        return Result(case, "crash", f"did not finish in {case.timeout:g} s (hang)")
    error = box.get("error")
    if case.expect == "error":
        if error is None:
            return Result(case, "silent-wrong", f"no error; returned {box.get('value')!r:.200}")
        message = str(error)
        if not isinstance(error, case.errors):
            return Result(case, "crash", f"{type(error).__name__}: {message[:300]}")
        if case.match and not re.search(case.match, message):
            return Result(case, "crash", f"unclear {type(error).__name__}: {message[:300]}")
        return Result(case, "clear-error", f"{type(error).__name__}: {message[:200]}")
    if error is not None:
        return Result(case, "crash", f"{type(error).__name__}: {str(error)[:300]}")
    verdict = True if case.check is None else case.check(box.get("value"))
    if verdict is True:
        return Result(case, "correct")
    bad: Outcome = "data-loss" if case.kind == "data" else "silent-wrong"
    return Result(case, bad, str(verdict) if verdict is not False else "check failed")


def all_cases() -> list[Case]:
    """Every case of every ``reliability_cases_*.py`` module, in file order."""
    sys.path.insert(0, str(HERE))
    try:
        out: list[Case] = []
        for path in sorted(HERE.glob("reliability_cases_*.py")):
            out.extend(importlib.import_module(path.stem).CASES)
        return out
    finally:
        sys.path.remove(str(HERE))


def counts(results: Sequence[Result]) -> dict[str, int]:
    """The figures the closing note and the docs quote."""
    c = {k: 0 for k in ("inputs", "clear-error", "correct", "crash", "silent-wrong", "data-loss")}
    c["inputs"] = len(results)
    for r in results:
        c[r.outcome] += 1
    return c

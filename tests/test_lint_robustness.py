"""The linter never crashes: on every file of the installed torch and transformers packages, on
hypothesmith-generated programs, and on files that are not Python at all."""

from __future__ import annotations

import contextlib
import gc
import importlib.util
import multiprocessing
import os
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stepguard.lint import _rules as rules
from stepguard.lint._engine import lint_file, lint_source, read_source
from stepguard.lint._rules import check_source, might_contain_training_code

PACKAGES = ("torch", "transformers")


def package_files(name: str) -> list[str]:
    spec = importlib.util.find_spec(name)  # finds the package without importing it
    assert spec is not None and spec.origin is not None
    root = os.path.dirname(spec.origin)
    out = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        out += [os.path.join(folder, f) for f in sorted(files) if f.endswith(".py")]
    return out


@contextlib.contextmanager
def strict() -> Iterator[None]:
    """Rules raise instead of being skipped for a file, so a bug in one counts as a crash here."""
    saved, rules.STRICT = rules.STRICT, True
    try:
        yield
    finally:
        rules.STRICT = saved


def lint_all(paths: list[str]) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Counts (files, analysed, unparsable, findings) and crashes of check_source over `paths`."""
    with strict():
        return _lint_all(paths)


def _lint_all(paths: list[str]) -> tuple[dict[str, int], list[tuple[str, str]]]:
    stats = {"files": 0, "analysed": 0, "unparsable": 0, "findings": 0}
    crashes: list[tuple[str, str]] = []
    for path in paths:
        stats["files"] += 1
        source, reason = read_source(
            path, max_bytes=64 * 1024 * 1024
        )  # every file, whatever its size
        if source is None:
            crashes.append((path, f"unreadable: {reason}"))
            continue
        if not might_contain_training_code(source):
            continue  # check_source returns [] for these without parsing
        stats["analysed"] += 1
        try:
            stats["findings"] += len(check_source(source, path))
        except SyntaxError:
            stats["unparsable"] += 1  # e.g. Python 3.12 syntax in files for newer interpreters
        except Exception as exc:
            crashes.append((path, f"{type(exc).__name__}: {exc}"))
    return stats, crashes


@pytest.mark.slow
def test_no_crash_on_every_file_of_torch_and_transformers() -> None:
    paths = [p for package in PACKAGES for p in package_files(package)]
    workers = max(1, min(4, os.cpu_count() or 1))
    chunks = [paths[i::workers] for i in range(workers)]
    start = time.perf_counter()
    # Separate processes only to use every core; "fork" keeps this test module's functions.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        parts = list(pool.map(lint_all, chunks))
    elapsed = time.perf_counter() - start
    stats = {key: sum(part[0][key] for part in parts) for key in parts[0][0]}
    crashes = [crash for part in parts for crash in part[1]]
    print(f"\nlinted {stats} in {elapsed:.1f} s on {workers} processes; crashes: {len(crashes)}")
    assert stats["files"] == len(paths) > 4000 and stats["analysed"] >= 100
    assert crashes == []


# Statements real training loops contain, so generated programs reach the rules, not only the parser.
TRAINING = [
    "import torch\nfrom torch.optim import Adam\n",
    "opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-2)\n",
    "for i, (x, y) in enumerate(loader):\n    loss = model(x)\n    loss.backward()\n"
    "    if (i + 1) % k == 0:\n        opt.step()\n        opt.zero_grad()\n",
    "scheduler.step()\n",
    "torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)\n",
    "with model.no_sync():\n    loss.backward()\n",
    "scaler.scale(loss).backward()\nscaler.step(opt)\nscaler.update()\n",
]


def _hypothesmith(kind: str) -> st.SearchStrategy[str]:
    import hypothesmith  # slow to import and to build (it compiles Python's grammar): only when used

    strategy: st.SearchStrategy[str] = getattr(hypothesmith, kind)()
    return strategy


# Deferred: built once, on the first draw, not when pytest collects this file.
GRAMMAR = st.deferred(lambda: _hypothesmith("from_grammar"))
NODES = st.deferred(lambda: _hypothesmith("from_node"))


@st.composite
def training_programs(draw: st.DrawFn) -> str:
    """A generated program (from Python's grammar) with training-loop statements around it."""
    program = draw(GRAMMAR)
    snippets = draw(st.lists(st.sampled_from(TRAINING), min_size=1, max_size=4))
    at = draw(st.integers(0, len(snippets)))
    parts = [*snippets[:at], program if program.endswith("\n") else program + "\n", *snippets[at:]]
    return "".join(parts)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(source=st.one_of(training_programs(), NODES))
def test_check_source_raises_nothing_but_syntax_error_on_generated_programs(source: str) -> None:
    try:
        with strict():
            found = check_source(source, "gen.py")
    except SyntaxError:
        return
    assert all(v.finding.path == "gen.py" and (v.finding.line or 0) >= 1 for v in found)


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\x01\x02 opt.step()",
        b"\xef\xbb\xbfimport torch\nopt = torch.optim.Adam(m.parameters(), weight_decay=0.1)\n",
        b"loss.backward(" + b"(" * 500,
        b"loss.backward()\n" + b"-" * 100_000 + b"1\n",
        b"def f():\n\tloss.backward()\n        opt.step()\n",
        b"opt.step()\r\nopt.zero_grad()\r\n",
        "opt.step()  # \u00e9\u4e2d\n".encode("utf-16"),
    ],
    ids=["binary", "bom", "unbalanced", "deep-nesting", "mixed-tabs", "crlf", "utf16"],
)
def test_lint_file_returns_a_result_for_any_bytes(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "weird.py"
    path.write_bytes(content)
    result = lint_file(str(path))
    assert result.path == str(path)
    assert result.skipped is None or result.skipped.startswith(("does not parse", "not UTF-8"))
    if content.startswith(b"\xef\xbb\xbf"):
        assert result.skipped is None and [v.finding.code for v in result.violations] == [
            "SG101",
            "SG102",
        ]


def test_the_cyclic_collector_is_paused_per_file_and_restored_on_every_exit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    src = "import torch\nopt = torch.optim.Adam(model.parameters(), weight_decay=0.1)\n"
    seen: list[bool] = []

    def spy(facts):  # runs inside the analysis: the collector is off there
        seen.append(gc.isenabled())
        return []

    monkeypatch.setitem(rules._RULES, "SG999", spy)
    assert gc.isenabled()
    assert [v.finding.code for v in lint_source(src)] == ["SG101", "SG102"]
    assert seen == [False] and gc.isenabled()
    # off before: stays off
    gc.disable()
    try:
        lint_source(src)
        assert not gc.isenabled()
    finally:
        gc.enable()

    # a rule that raises (STRICT re-raises it): the collector is back on all the same
    def boom(facts):
        raise RuntimeError("rule bug")

    monkeypatch.setitem(rules._RULES, "SG999", boom)
    monkeypatch.setattr(rules, "STRICT", True)
    with pytest.raises(RuntimeError, match="rule bug"):
        lint_source(src)
    assert gc.isenabled()

"""The flake8 plugin (same findings and columns as `stepguard lint`) and the pre-commit hook."""

from __future__ import annotations

import ast
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from stepguard.lint import flake8_plugin
from stepguard.lint.flake8_plugin import Flake8Plugin

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>SG\d{3}) ", re.M)

# Findings at several columns, one after a non-ASCII string (characters, not bytes, count).
BAD = """\
import torch
from torch.optim import Adam

name = "réseau"; opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-2)


def build(model):
    if True:
        return Adam(model.parameters(), lr=1e-3, weight_decay=0.1)
"""
GOOD = "import torch\n\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\n"


def positions(text: str) -> list[tuple[str, int, int, str]]:
    return [
        (Path(m["path"]).name, int(m["line"]), int(m["col"]), m["code"])
        for m in LINE.finditer(text)
    ]


def run(*argv: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in argv], capture_output=True, text=True, cwd=cwd, check=False
    )


def test_flake8_reports_the_same_lines_and_1_based_columns_as_stepguard_lint(
    tmp_path: Path,
) -> None:
    (tmp_path / "bad.py").write_text(BAD, encoding="utf-8")
    flake8 = run(sys.executable, "-m", "flake8", "--select=SG", "bad.py", cwd=tmp_path)
    ours = run(sys.executable, "-m", "stepguard", "lint", "--isolated", "bad.py", cwd=tmp_path)
    assert flake8.returncode == 1 and ours.returncode == 1, flake8.stderr + ours.stderr
    got = positions(flake8.stdout)
    assert got == positions(ours.stdout)
    # Line 4: `opt = torch.optim.Adam(` starts at character 18 (after `name = "réseau"; `).
    assert ("bad.py", 4, 24, "SG101") in got and ("bad.py", 9, 16, "SG101") in got
    assert len(got) == 4


def test_flake8_noqa_and_clean_file(tmp_path: Path) -> None:
    (tmp_path / "good.py").write_text(GOOD)
    (tmp_path / "quiet.py").write_text(
        BAD.replace("weight_decay=0.1)", "weight_decay=0.1)  # noqa: SG101, SG102")
    )
    proc = run(sys.executable, "-m", "flake8", "--select=SG", "good.py", "quiet.py", cwd=tmp_path)
    assert [p[1] for p in positions(proc.stdout)] == [4, 4]  # only the findings without noqa


def test_plugin_yields_zero_based_columns_and_its_type() -> None:
    lines = BAD.splitlines(keepends=True)
    results = list(Flake8Plugin(ast.parse(BAD), lines, "bad.py").run())
    assert [(r[0], r[1], r[2][:5]) for r in results] == [
        (4, 23, "SG101"),
        (4, 23, "SG102"),
        (9, 15, "SG101"),
        (9, 15, "SG102"),
    ]
    assert all(r[3] is Flake8Plugin for r in results)


def test_files_without_training_code_are_not_analysed(monkeypatch: pytest.MonkeyPatch) -> None:
    import stepguard.lint._rules as rules

    def fail(*args: object, **kwargs: object) -> list[object]:
        raise AssertionError("check_source ran on a file the pre-filter rules out")

    monkeypatch.setattr(rules, "check_source", fail)
    source = "import os\n\n" + "".join(
        f"def f{i}(x):\n    return os.path.join(x, '{i}')\n" for i in range(5000)
    )
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        assert list(Flake8Plugin(tree, lines, "big.py").run()) == []
        runs.append(time.perf_counter() - start)
    elapsed = min(runs)
    parse_start = time.perf_counter()
    ast.parse(source)
    parse = time.perf_counter() - parse_start
    # Joining the lines and one regex scan: a small fraction of what flake8 already spent parsing.
    assert elapsed < 0.25 * parse, (elapsed, parse)
    assert flake8_plugin.Flake8Plugin.name == "stepguard"


def test_flake8_sees_the_plugin_entry_point() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", "--version"], capture_output=True, text=True, check=True
    )
    assert "stepguard: " in proc.stdout


def hooks() -> dict[str, dict[str, object]]:
    data = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    return {h["id"]: h for h in data}


def test_pre_commit_hook_definition_is_valid() -> None:
    found = hooks()
    hook = found["stepguard-lint"]
    assert hook["language"] == "python"
    assert hook["types"] == ["python"]
    assert hook["entry"] == "stepguard lint"
    for h in found.values():
        # pre-commit requires these keys; `entry` must be a console script the package installs.
        assert {"id", "name", "entry", "language"} <= set(h)
        assert shlex.split(str(h["entry"]))[0] == "stepguard"


@pytest.mark.parametrize("hook_id", ["stepguard-lint", "stepguard-lint-system"])
def test_pre_commit_hook_fails_on_findings_and_passes_clean_files(
    tmp_path: Path, hook_id: str
) -> None:
    # pre-commit runs `entry` with the staged file names appended, from the repository root.
    entry = shlex.split(str(hooks()[hook_id]["entry"]))
    command = [str(BIN / entry[0]), *entry[1:]]
    (tmp_path / "bad.py").write_text(BAD, encoding="utf-8")
    (tmp_path / "good.py").write_text(GOOD)
    bad = run(*command, "good.py", "bad.py", cwd=tmp_path)
    assert bad.returncode == 1
    assert len(positions(bad.stdout)) == 4
    good = run(*command, "good.py", cwd=tmp_path)
    assert (good.returncode, good.stdout) == (0, "")

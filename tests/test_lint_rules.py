"""Snapshot tests of the linter's rules over tests/lint_fixtures/SGxxx/{bad,good}_N.py.

Each bad fixture has a sibling ``bad_N.expected``: the exact ``path:line:col: CODE message`` lines
the linter prints for it (every rule, not only the folder's). Good fixtures produce no finding at
all. Regenerate the snapshots with ``STEPGUARD_UPDATE_SNAPSHOTS=1 pytest tests/test_lint_rules.py``
and review the diff before committing.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

from stepguard.findings import CATALOG
from stepguard.lint.rules import IMPLEMENTED, check_source, might_contain_training_code

FIXTURES = Path(__file__).parent / "lint_fixtures"
UPDATE = os.environ.get("STEPGUARD_UPDATE_SNAPSHOTS") == "1"


def fixture_files(kind: str) -> list[Path]:
    return sorted(FIXTURES.glob(f"SG*/{kind}_*.py"))


def render(path: Path) -> str:
    rel = path.relative_to(FIXTURES).as_posix()
    found = check_source(path.read_text(encoding="utf-8"), rel)
    return "".join(f"{v.finding.location}: {v.finding.code} {v.finding.message}\n" for v in found)


def test_every_implemented_rule_has_three_bad_and_three_good_fixtures() -> None:
    for code in IMPLEMENTED:
        folder = FIXTURES / code
        assert len(list(folder.glob("bad_*.py"))) >= 3, code
        assert len(list(folder.glob("good_*.py"))) >= 3, code
    assert set(IMPLEMENTED) <= set(CATALOG)


@pytest.mark.parametrize("path", fixture_files("bad"), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_bad_fixture_output_matches_snapshot(path: Path) -> None:
    got = render(path)
    expected_path = path.with_suffix(".expected")
    if UPDATE:
        expected_path.write_text(got, encoding="utf-8")
    assert got == expected_path.read_text(encoding="utf-8")
    # The folder's own rule fires on its bad fixture.
    assert f": {path.parent.name} " in got


@pytest.mark.parametrize("path", fixture_files("good"), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_good_fixture_has_no_findings(path: Path) -> None:
    assert render(path) == ""


@pytest.mark.parametrize("path", fixture_files("*"), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixtures_parse_and_pass_the_prefilter(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    ast.parse(source)
    assert might_contain_training_code(source)


def test_prefilter_rejects_files_without_training_code() -> None:
    source = "import os\n\ndef f(x):\n    return os.path.join(x, 'a')\n"
    assert not might_contain_training_code(source)
    assert check_source(source) == []


def test_unparsable_source_raises_syntax_error() -> None:
    with pytest.raises(SyntaxError):
        check_source("import torch.optim\nopt = (\n")


def test_columns_count_characters_not_utf8_bytes() -> None:
    source = "import torch\nopt = {'é': torch.optim.Adam(p, lr=1.0, weight_decay=0.1)}\n"
    (v,) = [v for v in check_source(source, "x.py") if v.finding.code == "SG101"]
    assert (v.finding.line, v.finding.col) == (2, source.splitlines()[1].index("torch") + 1)
    assert v.finding.path == "x.py"

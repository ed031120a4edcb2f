"""The fix loop of `stepguard lint --fix`: rounds, conflicting edits, noqa and unparsable results."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from stepguard.findings import Finding
from stepguard.lint import _engine as engine
from stepguard.lint._config import LintConfig
from stepguard.lint._rules import Edit, Violation


def fake_rules(
    source: str, path: str = "<string>", tree: ast.Module | None = None, project: object = None
) -> list[Violation]:
    """Two rules that both insert a header comment at offset 0, and one whose fix breaks the code."""
    out = []
    line = source[: source.find("x = ")].count("\n") + 1  # reported on the `x = ` line
    if "# a\n" not in source:
        out.append(Violation(Finding("SG101", "a", path=path, line=line), (Edit(0, 0, "# a\n"),)))
    if "# b\n" not in source:
        out.append(Violation(Finding("SG202", "b", path=path, line=line), (Edit(0, 0, "# b\n"),)))
    if "broken" in source:
        at = source.index("broken")
        line = source[:at].count("\n") + 1
        out.append(
            Violation(Finding("SG203", "breaks", path=path, line=line, col=1), (Edit(at, at, "("),))
        )
    return out


@pytest.fixture(autouse=True)
def rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "check_source", fake_rules)


def test_conflicting_fixes_are_applied_in_successive_rounds() -> None:
    fixed, remaining, applied = engine.fix_source("x = 1\n")
    assert fixed == "# b\n# a\nx = 1\n"
    assert (remaining, applied) == ([], 2)


def test_unselected_and_noqa_findings_are_not_fixed() -> None:
    fixed, remaining, applied = engine.fix_source("x = 1\n", config=LintConfig(select=("SG2",)))
    assert (fixed, applied) == ("# b\nx = 1\n", 1)
    fixed, remaining, applied = engine.fix_source("x = 1  # noqa: SG101\n")
    assert fixed == "# b\nx = 1  # noqa: SG101\n" and applied == 1
    assert [v.finding.code for v in remaining] == []  # the SG101 on the noqa line stays suppressed


def test_a_round_whose_result_does_not_parse_is_dropped() -> None:
    source = "# a\n# b\nbroken = 1\n"
    fixed, remaining, applied = engine.fix_source(source)
    assert (fixed, applied) == (source, 0)
    assert [v.finding.code for v in remaining] == ["SG203"]


def test_byte_order_mark_is_kept() -> None:
    fixed, _, applied = engine.fix_source("\ufeffx = 1\n")
    assert fixed == "\ufeff# b\n# a\nx = 1\n" and applied == 2


def test_a_crashing_rule_skips_that_file_with_a_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(
        source: str, path: str = "<string>", tree: ast.Module | None = None, project: object = None
    ) -> list[Violation]:
        raise KeyError("boom")

    monkeypatch.setattr(engine, "check_source", crash)
    (tmp_path / "t.py").write_text("x = 1\n")
    result = engine.lint_file(str(tmp_path / "t.py"))
    assert result.violations == ()
    assert result.skipped == "internal error in stepguard (please report it): KeyError: 'boom'"

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


@pytest.mark.parametrize(
    ("source", "hint"),
    [(None, r"got NoneType; pass the text"), (b"opt.step()\n", r"got bytes; decode it first")],
)
def test_source_that_is_not_text_is_a_clear_type_error(source: object, hint: str) -> None:
    for func in (engine.lint_source, engine.fix_source):
        with pytest.raises(TypeError, match=rf"{func.__name__}: source must be a str.*{hint}"):
            func(source)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"config must be a LintConfig or None"):
        engine.lint_source("x = 1\n", config={"select": ["SG1"]})  # type: ignore[arg-type]


def test_a_fix_whose_result_does_not_compile_is_not_applied(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `ast.parse` accepts a repeated keyword argument; `compile` does not.
    def repeat_keyword(
        source: str, path: str = "<string>", tree: ast.Module | None = None, project: object = None
    ) -> list[Violation]:
        end = source.index(")")
        edit = Edit(end, end, ", flag=True")
        return [Violation(Finding("SG101", "x", path=path, line=1, col=1), (edit,))]

    monkeypatch.setattr(engine, "check_source", repeat_keyword)
    source = "f(a, flag=False)\n"
    assert engine.fix_source(source) == (source, engine.lint_source(source), 0)


def test_a_fix_that_does_not_remove_its_finding_is_not_applied(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def never_satisfied(
        source: str, path: str = "<string>", tree: ast.Module | None = None, project: object = None
    ) -> list[Violation]:
        return [Violation(Finding("SG101", "x", path=path, line=1, col=1), (Edit(0, 0, "#\n"),))]

    monkeypatch.setattr(engine, "check_source", never_satisfied)
    fixed, remaining, applied = engine.fix_source("x = 1\n")
    assert (fixed, applied, len(remaining)) == ("x = 1\n", 0, 1)


def test_a_source_that_does_not_compile_is_never_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    source = "return 1\nx = 1\n"  # parses, but `return` outside a function does not compile
    fixed, remaining, applied = engine.fix_source(source)
    assert (fixed, applied) == (source, 0) and len(remaining) == 2

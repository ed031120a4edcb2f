"""The linter's safe fixes: each fixable bad fixture, fixed, equals its reviewed ``bad_N.fixed``
and lints clean for that rule; bad fixtures without a ``.fixed`` file must be left untouched.

Regenerate with ``STEPGUARD_UPDATE_SNAPSHOTS=1`` (writes ``.fixed`` only for files that change).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from stepguard.catalog import CATALOG
from stepguard.lint import _rules as lint_rules
from stepguard.lint._autofix import apply_edits
from stepguard.lint._config import LintConfig
from stepguard.lint._engine import fix_source
from stepguard.lint._rules import IMPLEMENTED, Edit, check_source

FIXTURES = Path(__file__).parent / "lint_fixtures"
UPDATE = os.environ.get("STEPGUARD_UPDATE_SNAPSHOTS") == "1"


@pytest.fixture(autouse=True)
def _strict_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    # A bug inside a rule must fail these tests, not be skipped silently.
    monkeypatch.setattr(lint_rules, "STRICT", True)


FIXABLE = [c for c in IMPLEMENTED if CATALOG[c].autofix]
BAD = sorted(p for c in FIXABLE for p in (FIXTURES / c).glob("bad_*.py"))


@pytest.mark.parametrize("path", BAD, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixing_a_bad_fixture_gives_the_reviewed_text_and_lints_clean(path: Path) -> None:
    code = path.parent.name
    source = path.read_text(encoding="utf-8")
    fixed, _, count = fix_source(source, path.name, LintConfig(select=(code,)))
    fixed_path = path.with_suffix(".fixed")
    if UPDATE:
        if count:
            fixed_path.write_text(fixed, encoding="utf-8")
        elif fixed_path.exists():
            fixed_path.unlink()
    if not fixed_path.exists():
        assert count == 0 and fixed == source  # no safe fix for this shape: untouched
        return
    assert count >= 1
    assert fixed == fixed_path.read_text(encoding="utf-8")
    remaining = [v for v in check_source(fixed) if v.finding.code == code]
    # Whatever is left of this rule has no safe fix (and the fix did not create new ones).
    assert all(not v.edits for v in remaining)
    before = [v for v in check_source(source) if v.finding.code == code]
    assert len(remaining) == len([v for v in before if not v.edits])


def test_each_fixable_rule_has_a_fixed_fixture() -> None:
    for code in FIXABLE:
        assert list((FIXTURES / code).glob("bad_*.fixed")), code


def test_apply_edits_replaces_inserts_and_keeps_the_rest() -> None:
    src = "abc def  # keep\n"
    out = apply_edits(src, [Edit(4, 7, "xyz"), Edit(0, 0, ">"), Edit(3, 3, "!")])
    assert out == ">abc! xyz  # keep\n"


def test_apply_edits_rejects_overlaps_and_out_of_range() -> None:
    with pytest.raises(ValueError, match="overlapping"):
        apply_edits("abcdef", [Edit(0, 3, "x"), Edit(2, 4, "y")])
    with pytest.raises(ValueError, match="overlapping"):
        apply_edits("abcdef", [Edit(1, 1, "x"), Edit(1, 1, "y")])
    with pytest.raises(ValueError, match="outside"):
        apply_edits("abc", [Edit(2, 9, "x")])


def test_sg101_fix_adds_adamw_to_the_from_import_once_for_two_optimizers() -> None:
    src = (
        "from torch.optim import (\n"
        "    Adam,  # the old one\n"
        "    SGD,\n"
        ")\n"
        "a = Adam(p, lr=1e-3, weight_decay=0.1)\n"
        "b = Adam(q, lr=1e-3, weight_decay=0.1)\n"
    )
    fixed, _, count = fix_source(src)
    assert count == 2
    assert fixed == (
        "from torch.optim import (\n"
        "    Adam,  # the old one\n"
        "    SGD, AdamW,\n"
        ")\n"
        "a = AdamW(p, lr=1e-3, weight_decay=0.1)\n"
        "b = AdamW(q, lr=1e-3, weight_decay=0.1)\n"
    )


def test_sg101_fix_reuses_an_existing_adamw_alias_and_keeps_group_defaults() -> None:
    src = (
        "from torch.optim import Adam, AdamW as W\n"
        "a = Adam(p, weight_decay=0.1)\n"
        "b = Adam([{'params': p, 'weight_decay': 0.1}, {'params': q}])\n"
        "c = Adam(p, **{'weight_decay': 0.1})\n"
    )
    fixed, _, count = fix_source(src)
    assert count == 2
    assert fixed.splitlines()[1] == "a = W(p, weight_decay=0.1)"
    # AdamW's default decay is 0.01: the group without its own value must stay at Adam's 0.
    assert (
        fixed.splitlines()[2]
        == "b = W([{'params': p, 'weight_decay': 0.1}, {'params': q}], weight_decay=0.0)"
    )
    assert fixed.splitlines()[3] == src.splitlines()[3]  # arguments not visible: no fix

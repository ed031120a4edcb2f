"""The catalog is complete, the docs' rule pages agree with it, and the report types behave."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from stepguard import CATALOG, Finding, FindingsError, Report, Severity, rule
from stepguard.cli import main

ROOT = Path(__file__).resolve().parents[1]

DESIGN_CODES = [f"SG10{i}" for i in range(1, 7)] + [f"SG2{i:02d}" for i in range(1, 13)]


def test_catalog_holds_every_design_code_in_order() -> None:
    assert list(CATALOG) == DESIGN_CODES


@pytest.mark.parametrize("code", DESIGN_CODES)
def test_every_rule_is_documented(code: str) -> None:
    r = CATALOG[code]
    assert re.fullmatch(r"[a-z0-9-]+", r.name)
    assert len(r.why) > 60 and r.fix and r.bad and r.good and r.bad != r.good
    assert r.detectors and r.detectors <= {"lint", "audit", "monitor"}
    compile(r.bad, code, "exec")
    compile(r.good, code, "exec")


def test_docs_rule_pages_match_the_catalog() -> None:
    sys.path.insert(0, str(ROOT / "docs"))
    try:
        from gen_rules import pages
    finally:
        sys.path.pop(0)
    for path, text in pages().items():
        assert path.exists(), f"{path} is missing: run `./dev docs`"
        assert path.read_text(encoding="utf-8") == text, f"{path} is stale: run `./dev docs`"


def test_readme_rule_table_lists_every_rule_with_its_page() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for code, r in CATALOG.items():
        assert f"| [{code}](docs/rules/{code}.md) | {r.name} |" in text


def test_rule_command_prints_one_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "sg202"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# SG202 `scheduler-per-micro-batch`")
    assert "](" not in out  # links shown as their text
    assert "Use instead" in out
    assert main(["rule", "SG999"]) == 2
    assert "unknown rule" in capsys.readouterr().err


def test_python_dash_m_runs_the_cli() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "stepguard", "rule", "SG101"], capture_output=True, text=True
    )
    assert out.returncode == 0 and "coupled-weight-decay" in out.stdout


def test_finding_defaults_come_from_the_catalog() -> None:
    f = Finding("SG104", "parameter 'head.weight' is not in the optimizer")
    assert f.severity is Severity.ERROR and f.fix == CATALOG["SG104"].fix
    with pytest.raises(KeyError, match="unknown rule"):
        Finding("SG000", "nope")


def test_report_prints_converts_and_raises_by_severity() -> None:
    report = Report(
        [
            Finding("SG209", "BatchNorm2d 'bn' in train mode"),
            Finding("SG102", "'ln.weight' decayed in group 0", data={"group": 0}),
        ],
        summary={"groups": 2},
    )
    text = str(report)
    assert "SG102" in text and "SG209" in text and "fix:" in text and "groups: 2" in text
    data = json.loads(report.to_json())
    assert [f["code"] for f in data["findings"]] == ["SG209", "SG102"]
    assert data["findings"][1]["data"] == {"group": 0}
    assert report.codes == ["SG102", "SG209"]
    assert report.raise_on("error") is report
    with pytest.raises(FindingsError, match="SG102"):
        report.raise_on("warning")
    assert [f.code for f in report.at_least(Severity.INFO)] == ["SG209", "SG102"]
    assert rule("sg209").severity is Severity.INFO

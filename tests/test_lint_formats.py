"""Output formats (text, JSON, SARIF 2.1.0, statistics) and `# noqa` parsing, on hand-made findings."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from stepguard.catalog import CATALOG
from stepguard.findings import Finding
from stepguard.lint._formats import format_json, format_sarif, format_statistics, format_text
from stepguard.lint._noqa import parse_suppressions
from stepguard.lint._rules import Edit, Violation


def v(code: str, path: str, line: int, col: int, fixable: bool = False) -> Violation:
    edits = (Edit(0, 0, "x"),) if fixable else ()
    return Violation(Finding(code, f"message of {code}", path=path, line=line, col=col), edits)


FOUND = [
    v("SG202", "b.py", 9, 5, fixable=True),
    v("SG101", "a.py", 3, 7, fixable=True),
    v("SG102", "a.py", 3, 7),
    v("SG211", "dir with space/c.py", 1, 1),
]


def test_text_is_one_sorted_path_line_col_code_message_line_per_finding() -> None:
    assert format_text(FOUND).splitlines() == [
        "a.py:3:7: SG101 message of SG101",
        "a.py:3:7: SG102 message of SG102",
        "b.py:9:5: SG202 message of SG202",
        "dir with space/c.py:1:1: SG211 message of SG211",
    ]
    assert format_text([]) == ""


def test_json_holds_every_field_and_fixability() -> None:
    doc = json.loads(format_json(FOUND, skipped=[("x.py", "not UTF-8")], files=5))
    assert doc["tool"] == "stepguard" and doc["files"] == 5
    assert doc["skipped"] == [{"path": "x.py", "reason": "not UTF-8"}]
    first = doc["findings"][0]
    assert first == {
        "code": "SG101",
        "name": "coupled-weight-decay",
        "severity": "error",
        "message": "message of SG101",
        "fix": CATALOG["SG101"].fix,
        "path": "a.py",
        "line": 3,
        "col": 7,
        "fixable": True,
    }
    assert [f["fixable"] for f in doc["findings"]] == [True, False, True, False]


def test_statistics_count_per_code_most_frequent_first() -> None:
    text = format_statistics([*FOUND, v("SG102", "z.py", 1, 1), v("SG102", "z.py", 2, 1)])
    assert text.splitlines() == [
        "3  SG102  decay-on-no-decay-param",
        "1  SG101  [*] coupled-weight-decay",
        "1  SG202  [*] scheduler-per-micro-batch",
        "1  SG211  scheduler-advances-on-skipped-step",
    ]


def _sarif(found: list[Violation], **kw: Any) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(format_sarif(found, **kw))
    return doc


def test_sarif_has_the_properties_github_code_scanning_reads() -> None:
    log = _sarif(FOUND, skipped=[("broken.py", "does not parse")])
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "stepguard" and driver["version"]
    ids = [r["id"] for r in driver["rules"]]
    assert ids == ["SG101", "SG102", "SG202", "SG211"]  # catalog order, each once
    for rule in driver["rules"]:
        entry = CATALOG[rule["id"]]
        assert rule["name"] == entry.name
        assert rule["shortDescription"]["text"] == entry.summary
        assert rule["fullDescription"]["text"] == entry.why
        assert entry.fix in rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] in {"error", "warning", "note"}
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels == {"SG101": "error", "SG102": "warning", "SG202": "error", "SG211": "warning"}
    for result in run["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]
        assert result["message"]["text"].startswith(f"message of {result['ruleId']}")
        (loc,) = result["locations"]
        region = loc["physicalLocation"]["region"]
        assert isinstance(region["startLine"], int) and region["startLine"] >= 1
        assert isinstance(region["startColumn"], int) and region["startColumn"] >= 1
    first = run["results"][0]["locations"][0]["physicalLocation"]
    assert first == {
        "artifactLocation": {"uri": "a.py", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 3, "startColumn": 7},
    }
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    ]
    assert uris[-1] == "dir%20with%20space/c.py"  # a URI, percent-encoded
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["message"]["text"] == "skipped: does not parse"
    assert run["invocations"][0]["executionSuccessful"] is True


def test_sarif_uris_are_relative_inside_the_checkout_and_file_uris_outside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inside = tmp_path / "repo"
    inside.mkdir()
    monkeypatch.chdir(inside)
    found = [
        v("SG101", str(inside / "pkg" / "train.py"), 1, 1),
        v("SG101", str(tmp_path / "other.py"), 1, 1),
    ]
    results = _sarif(found)["runs"][0]["results"]
    locs = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in results]
    assert {"uri": "pkg/train.py", "uriBaseId": "%SRCROOT%"} in locs
    assert {"uri": (tmp_path / "other.py").as_uri()} in locs
    assert all("\\" not in loc["uri"] for loc in locs) and os.sep in str(tmp_path)


def test_sarif_describes_requested_rules_even_without_results() -> None:
    log = _sarif([], rules=["SG203", "SG101"])
    assert [r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]] == ["SG101", "SG203"]
    assert log["runs"][0]["results"] == []


@pytest.mark.parametrize(
    ("line", "code", "suppressed"),
    [
        ("x = 1  # noqa", "SG101", True),
        ("x = 1  # noqa: SG202", "SG202", True),
        ("x = 1  # noqa: SG202", "SG203", False),
        ("x = 1  # noqa: SG202, SG203", "SG203", True),
        ("x = 1  # noqa:SG202,SG203", "SG203", True),
        ("x = 1  #noqa: SG2", "SG211", True),
        ("x = 1  # NoQA: sg101", "SG101", True),
        ("x = 1  # noqa: E501", "SG101", False),
        ("x = 1  # noqa: SG202 because the scheduler counts micro-batches", "SG203", False),
        ("x = 1  # noqa:", "SG101", True),
        ('x = "# noqa"', "SG101", False),
        ("x = 1  # a comment that mentions noqa", "SG101", False),
    ],
)
def test_noqa_comment_on_the_finding_line(line: str, code: str, suppressed: bool) -> None:
    table = parse_suppressions(f"import torch\n{line}\n")
    assert table.suppresses(code, 2) is suppressed
    assert table.suppresses(code, 1) is False


def test_file_level_noqa() -> None:
    whole = parse_suppressions("# stepguard: noqa\nx = 1\n")
    assert whole.suppresses("SG101", 2) and whole.suppresses("SG212", None)
    some = parse_suppressions("# stepguard: noqa: SG205, SG1\nx = 1\n")
    assert some.suppresses("SG205", 2) and some.suppresses("SG103", 2)
    assert not some.suppresses("SG202", 2)


def test_noqa_falls_back_to_a_line_scan_when_tokenizing_fails() -> None:
    table = parse_suppressions('x = """unterminated  # noqa\n')
    assert table.suppresses("SG101", 1)


def test_noqa_covers_every_line_of_a_multi_line_statement_only() -> None:
    source = (
        "opt = torch.optim.Adam(\n"  # 1: findings are reported here
        "    model.parameters(),\n"
        "    weight_decay=0.1,\n"
        ")  # noqa: SG101\n"  # 4
        "# noqa\n"  # 5: a comment line covers only itself
        "sched.step()\n"  # 6
        "for x in y:  # noqa: SG202\n"  # 7: a block header, not its body
        "    sched.step()\n"  # 8
    )
    table = parse_suppressions(source)
    assert [n for n in range(1, 9) if table.suppresses("SG101", n)] == [1, 2, 3, 4, 5]
    assert [n for n in range(1, 9) if table.suppresses("SG202", n)] == [5, 7]

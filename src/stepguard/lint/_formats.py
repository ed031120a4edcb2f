"""Output formats of `stepguard lint`: text for people, JSON for scripts, SARIF 2.1.0 for code scanning.

- text: one ``path:line:col: CODE message`` line per finding (1-based line and column); the
  message ends with ``[active: ...]`` or ``[latent: ...]``;
- json: ``{"tool", "version", "files", "findings": [Finding.to_dict() + "fixable", "activity",
  "activity_reason"], "skipped"}``;
- sarif: a SARIF 2.1.0 log with one run whose driver lists the rules (id, name, short and full
  description and help from the catalog, default level) and one result per finding (ruleId,
  ruleIndex, level, message, a physical location with a relative URI and startLine/startColumn,
  and ``properties`` with ``fixable``, ``activity`` and ``activity_reason``).
  GitHub code scanning accepts it (`github/codeql-action/upload-sarif`). Skipped files become
  tool execution notifications.

Every format lists active findings first (those that bite with the settings the project ships),
then latent ones; within each, by path, line, column and code.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import PurePath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from stepguard.catalog import CATALOG, Severity
from stepguard.findings import Finding

if TYPE_CHECKING:
    from stepguard.lint._rules import Violation

__all__ = [
    "FORMATS",
    "SARIF_SCHEMA",
    "format_json",
    "format_sarif",
    "format_statistics",
    "format_text",
]

FORMATS = ("text", "json", "sarif")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}

# (path, reason) of a file that was not analysed.
SkippedFile = tuple[str, str]


def _sort_key(v: Violation) -> tuple[bool, str, int, int, str]:
    f = v.finding
    return (f.data.get("activity") == "latent", f.path or "", f.line or 0, f.col or 0, f.code)


def _activity(v: Violation) -> dict[str, Any]:
    data = v.finding.data
    if "activity" not in data:
        return {}
    return {"activity": data["activity"], "activity_reason": data.get("activity_reason", "")}


def sorted_violations(violations: Iterable[Violation]) -> list[Violation]:
    """Violations ordered active first, then by path, line, column and code (the order every
    format prints)."""
    return sorted(violations, key=_sort_key)


def text_line(finding: Finding) -> str:
    """``path:line:col: CODE message`` for one finding."""
    where = ":".join(
        str(v) for v in (finding.path or "<string>", finding.line or 1, finding.col or 1)
    )
    return f"{where}: {finding.code} {finding.message}"


def format_text(violations: Iterable[Violation]) -> str:
    """Every finding on its own line (see `text_line`), sorted; ``""`` when there are none."""
    return "".join(text_line(v.finding) + "\n" for v in sorted_violations(violations))


def format_statistics(violations: Iterable[Violation]) -> str:
    """One line per code: count, code, rule name, and ``[*]`` when some of them are auto-fixable."""
    counts: Counter[str] = Counter()
    fixable: set[str] = set()
    for v in violations:
        counts[v.finding.code] += 1
        if v.edits:
            fixable.add(v.finding.code)
    width = max((len(str(n)) for n in counts.values()), default=1)
    return "".join(
        f"{n:>{width}}  {code}  {'[*] ' if code in fixable else ''}{CATALOG[code].name}\n"
        for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    )


def format_json(
    violations: Iterable[Violation], skipped: Sequence[SkippedFile] = (), files: int = 0
) -> str:
    """A JSON document (see the module docstring); each finding also says whether it is `fixable`."""
    from stepguard import __version__

    findings = [
        {**v.finding.to_dict(), "fixable": bool(v.edits), **_activity(v)}
        for v in sorted_violations(violations)
    ]
    doc = {
        "tool": "stepguard",
        "version": __version__,
        "files": files,
        "findings": findings,
        "skipped": [{"path": p, "reason": r} for p, r in skipped],
    }
    return json.dumps(doc, indent=2) + "\n"


def _artifact(path: str) -> dict[str, str]:
    """A SARIF artifactLocation for `path`.

    Code scanning maps results to files by a URI relative to the checkout root, so a path under the
    working directory becomes a relative, percent-encoded URI with ``uriBaseId: %SRCROOT%``;
    anything else becomes an absolute ``file://`` URI with no base id (a base id on an absolute
    URI would resolve to a different file).
    """
    rel = path
    if os.path.isabs(path):
        try:
            rel = os.path.relpath(path)
        except ValueError:  # another drive on Windows
            return {"uri": PurePath(path).as_uri()}
    posix = PurePath(rel).as_posix()
    if posix == ".." or posix.startswith("../"):
        return {"uri": PurePath(os.path.abspath(path)).as_uri()}
    return {"uri": quote(posix), "uriBaseId": "%SRCROOT%"}


def _rule_descriptor(code: str) -> dict[str, Any]:
    rule = CATALOG[code]
    assert rule.severity is not None
    return {
        "id": code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.why},
        "help": {"text": f"Fix: {rule.fix}", "markdown": rule.markdown()},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {"tags": ["correctness", "pytorch"], "autofix": rule.autofix},
    }


def format_sarif(
    violations: Iterable[Violation],
    skipped: Sequence[SkippedFile] = (),
    rules: Sequence[str] | None = None,
) -> str:
    """A SARIF 2.1.0 log (see the module docstring).

    `rules` lists the codes described in the driver (default: the codes that have findings, in
    catalog order); codes of findings are always included so every result's ruleIndex resolves.
    """
    from stepguard import __version__

    ordered = sorted_violations(violations)
    wanted = set(rules or ()) | {v.finding.code for v in ordered}
    codes = [c for c in CATALOG if c in wanted]
    index = {code: i for i, code in enumerate(codes)}
    results = []
    for v in ordered:
        f = v.finding
        assert f.severity is not None
        region: dict[str, int] = {"startLine": max(1, f.line or 1)}
        if f.col:
            region["startColumn"] = max(1, f.col)
        results.append(
            {
                "ruleId": f.code,
                "ruleIndex": index[f.code],
                "level": _LEVEL[f.severity],
                "message": {"text": f"{f.message} Fix: {f.fix}"},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": _artifact(f.path or "<string>"),
                            "region": region,
                        }
                    }
                ],
                "properties": {"fixable": bool(v.edits), **_activity(v)},
            }
        )
    notifications = [
        {
            "level": "warning",
            "message": {"text": f"skipped: {reason}"},
            "locations": [{"physicalLocation": {"artifactLocation": _artifact(path)}}],
        }
        for path, reason in skipped
    ]
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "stepguard",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [_rule_descriptor(c) for c in codes],
                    }
                },
                "invocations": [
                    {"executionSuccessful": True, "toolExecutionNotifications": notifications}
                ],
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"

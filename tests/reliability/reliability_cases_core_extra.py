"""Reliability cases for the report types (`Finding`, `Report`, `Severity`, `rule`), written by
the safety helper: what a user passes when building or filtering reports by hand."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import torch
from reliability_harness import Case

from stepguard import Finding, FindingsError, Report, Severity, rule


def E(name: str, run: Callable[[], Any], match: str, **kw: Any) -> Case:
    return Case("core", name, run, match=match, **kw)


def OK(name: str, run: Callable[[], Any], check: Callable[[Any], bool | str] | None = None) -> Case:
    return Case("core", name, run, expect="ok", check=check)


def _raises_findings_error() -> bool | str:
    try:
        Report([Finding("SG101", "x")]).raise_on("warning")
    except FindingsError as exc:
        return "SG101" in str(exc) or str(exc)
    return "no FindingsError"


CASES = [
    E(
        "Finding('SG999', 'x')",
        lambda: Finding("SG999", "x"),
        r"unknown rule 'SG999'",
        errors=(KeyError,),
    ),
    E(
        "Finding(None, 'x')",
        lambda: Finding(None, "x"),
        r"a rule code is a string such as 'SG101', got None",
    ),
    E("Finding('SG101', None)", lambda: Finding("SG101", None), r"message must be a str"),
    E(
        "Finding('SG101', 'x', severity='fatal')",
        lambda: Finding("SG101", "x", severity="fatal"),
        r"unknown severity 'fatal'",
    ),
    OK(
        "Finding('SG101', 'x', severity='info'): the name becomes a Severity",
        lambda: Finding("SG101", "x", severity="info"),
        lambda f: (f.severity is Severity.INFO and Report([f]).at_least("info") == [f]) or f,
    ),
    OK(
        "Finding('sg101', 'x') (lower case)",
        lambda: Finding("sg101", "x").name,
        lambda n: n == "coupled-weight-decay" or n,
    ),
    E("Report(None)", lambda: Report(None), r"findings must be a list of Finding"),
    E("Report([1, 2])", lambda: Report([1, 2]), r"must be Finding objects, got int"),
    E("Report('SG101')", lambda: Report("SG101"), r"findings must be a list of Finding"),
    E(
        "Report(Finding(...)): one finding, not a list",
        lambda: Report(Finding("SG101", "x")),
        r"findings must be a list of Finding",
    ),
    E("Report(summary=[1])", lambda: Report([], summary=[1]), r"summary must be a dict"),
    OK(
        "Report(generator of findings)",
        lambda: len(Report(Finding("SG101", str(i)) for i in range(3))),
        lambda n: n == 3,
    ),
    E(
        "Report().raise_on(None)",
        lambda: Report().raise_on(None),
        r"a severity is one of: info, warning, error; got None",
    ),
    E(
        "Report().raise_on('fatal')",
        lambda: Report().raise_on("fatal"),
        r"unknown severity 'fatal'",
    ),
    E("Report().at_least(5)", lambda: Report().at_least(5), r"unknown severity 5"),
    OK(
        "Report(findings).raise_on('warning') raises FindingsError naming them",
        _raises_findings_error,
        lambda v: v,
    ),
    OK("Report().by_code('bogus') is empty", lambda: Report().by_code("bogus"), lambda v: v == []),
    OK(
        "Report.to_json with tensors, NaN and inf in data",
        lambda: json.loads(
            Report(
                [Finding("SG101", "x", data={"t": torch.tensor(1.5), "n": math.nan, "i": math.inf})]
            ).to_json()
        ),
        lambda d: d["findings"][0]["data"]["t"] == 1.5 or d,
    ),
    E("Severity.parse(None)", lambda: Severity.parse(None), r"a severity is one of"),
    E("Severity.parse(1)", lambda: Severity.parse(1), r"unknown severity 1"),
    E("Severity.parse(True)", lambda: Severity.parse(True), r"a severity is one of"),
    OK(
        "Severity.parse(' Warning ')",
        lambda: Severity.parse(" Warning "),
        lambda s: s is Severity.WARNING,
    ),
    OK("Severity.parse(30)", lambda: Severity.parse(30), lambda s: s is Severity.ERROR),
    E("rule(None)", lambda: rule(None), r"a rule code is a string such as 'SG101', got None"),
    E("rule(101)", lambda: rule(101), r"got 101"),
    E("rule('')", lambda: rule(""), r"unknown rule ''", errors=(KeyError,)),
    OK("rule(' sg205 ')", lambda: rule(" sg205 ").code, lambda c: c == "SG205"),
]

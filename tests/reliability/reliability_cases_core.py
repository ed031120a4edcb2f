"""Reliability cases for the catalog, the report types and the top-level command line."""

from __future__ import annotations

from reliability_harness import Case, cli, cli_error

from stepguard import Report, Severity, rule

CASES = [
    Case(
        "core",
        "rule('SG999')",
        lambda: rule("SG999"),
        match=r"unknown rule 'SG999'.*SG101",
        errors=(KeyError,),
    ),
    Case(
        "core",
        "Severity.parse('fatal')",
        lambda: Severity.parse("fatal"),
        match=r"info, warning, error",
    ),
    Case("core", "Report().raise_on('bogus')", lambda: Report().raise_on("bogus"), match="bogus"),
    Case(
        "core",
        "stepguard rule SG999",
        lambda: cli("rule", "SG999"),
        expect="ok",
        check=lambda p: cli_error(p, r"unknown rule"),
    ),
    Case(
        "core",
        "stepguard frobnicate",
        lambda: cli("frobnicate"),
        expect="ok",
        check=lambda p: cli_error(p, r"frobnicate"),
    ),
]

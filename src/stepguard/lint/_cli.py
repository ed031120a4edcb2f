"""`stepguard lint`: the command line of the static linter.

Exit codes: 0 no findings, 1 findings (or, with ``--diff``, changes a fix would make), 2 a usage
or configuration error. Findings go to stdout in the chosen format; files that are skipped (too
large, not UTF-8, do not parse) are reported on stderr, one ``path: skipped: <reason>`` line each.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from stepguard.lint._config import (
    ConfigError,
    LintConfig,
    find_pyproject,
    load_config,
    parse_selectors,
)
from stepguard.lint._files import discover
from stepguard.lint._formats import (
    FORMATS,
    format_json,
    format_sarif,
    format_statistics,
    format_text,
)

if TYPE_CHECKING:
    from stepguard.lint._rules import Violation

__all__ = ["build_parser", "main"]

_EPILOG = """\
exit codes: 0 clean, 1 findings (with --diff: changes to make), 2 usage or configuration error.
selectors are code prefixes: SG selects every rule, SG2 every SG2xx, SG202 one rule.
configuration: [tool.stepguard] in the nearest pyproject.toml (see docs/lint.md).
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `stepguard lint`."""
    p = argparse.ArgumentParser(
        prog="stepguard lint",
        description="Statically check PyTorch training scripts for optimizer-step pitfalls.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "paths", nargs="*", default=["."], metavar="PATH", help="files and directories (default: .)"
    )
    p.add_argument(
        "--format", choices=FORMATS, default="text", help="output format (default: text)"
    )
    p.add_argument(
        "--select",
        action="append",
        metavar="CODES",
        help="only these rules (comma-separated prefixes)",
    )
    p.add_argument(
        "--ignore", action="append", default=[], metavar="CODES", help="skip these rules"
    )
    p.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="skip matching paths (repeatable)",
    )
    p.add_argument(
        "--fix", action="store_true", help="apply safe fixes in place; report what remains"
    )
    p.add_argument(
        "--diff", action="store_true", help="print the fixes as a unified diff; write nothing"
    )
    p.add_argument(
        "--statistics", action="store_true", help="print a count per rule instead of each finding"
    )
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    p.add_argument(
        "--active-only",
        action="store_true",
        help="only findings that bite with the settings the project ships (see docs/lint.md)",
    )
    p.add_argument(
        "--max-file-size", type=int, metavar="BYTES", help="skip larger files (default: 1 MiB)"
    )
    p.add_argument("--config", metavar="PYPROJECT", help="read [tool.stepguard] from this file")
    p.add_argument("--isolated", action="store_true", help="ignore pyproject.toml configuration")
    p.add_argument(
        "-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout"
    )
    p.add_argument(
        "-q", "--quiet", action="store_true", help="no summary line and no skipped-file lines"
    )
    return p


def _config(args: argparse.Namespace) -> LintConfig:
    if args.isolated:
        base = LintConfig()
    elif args.config:
        path = Path(args.config)
        if not path.is_file():
            raise ConfigError(f"--config {args.config}: no such file")
        base = load_config(path)
    else:
        start = Path(args.paths[0]) if args.paths else Path.cwd()
        base = load_config(find_pyproject(start if start.exists() else Path.cwd()))
    if args.max_file_size is not None and args.max_file_size <= 0:
        raise ConfigError("--max-file-size must be a positive number of bytes")
    return base.with_overrides(
        select=None if args.select is None else parse_selectors(args.select, "--select"),
        ignore=parse_selectors(args.ignore, "--ignore"),
        exclude=args.exclude,
        max_file_size=args.max_file_size,
    )


def _diff(path: str, before: str, after: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{path}", f"b/{path}"
    )
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )


def _write(path: str, text: str) -> str | None:
    try:
        with open(path, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    except OSError as exc:
        return f"cannot write: {exc.strerror or exc}"
    return None


def main(argv: Sequence[str]) -> int:
    """Run `stepguard lint` with `argv` (without the program name); return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exc:  # --help (0) or a usage error (2), already printed by argparse
        return 0 if exc.code in (0, None) else 2
    err: TextIO = sys.stderr
    try:
        config = _config(args)
    except ConfigError as exc:
        print(f"stepguard lint: {exc}", file=err)
        return 2
    found = discover(args.paths, config.exclude, config.root)
    if found.missing:
        for raw in found.missing:
            print(f"stepguard lint: {raw}: no such file or directory", file=err)
        return 2

    from stepguard.lint._engine import lint_file  # the rules load only once arguments are valid
    from stepguard.lint._project import Project

    fixing = args.fix or args.diff
    # Project mode: the files are linted as one tree (imports, configs and launch scripts).
    project = Project.of_paths(args.paths, found.files, config.max_file_size)
    with project.linting():
        results = [lint_file(path, config, fix=fixing, project=project) for path in found.files]
    skipped = [(r.path, r.skipped) for r in results if r.skipped is not None]
    violations = [v for r in results for v in r.violations]
    if args.active_only:
        violations = [v for v in violations if v.finding.data.get("activity") == "active"]
    fixed = sum(r.fixed_count for r in results)

    chunks: list[str] = []
    write_errors = 0
    if args.diff:
        chunks = [
            _diff(r.path, r.source, r.fixed) for r in results if r.changed and r.source and r.fixed
        ]
    else:
        if args.fix:
            for r in results:
                if r.changed and r.fixed is not None:
                    problem = _write(r.path, r.fixed)
                    if problem:
                        write_errors += 1
                        print(f"{r.path}: {problem}", file=err)
        if args.statistics:
            chunks.append(format_statistics(violations))
        elif args.format == "json":
            chunks.append(format_json(violations, skipped, files=len(results)))
        elif args.format == "sarif":
            chunks.append(format_sarif(violations, skipped, rules=_described(config)))
        else:
            chunks.append(format_text(violations))
    if not args.quiet:
        for path, reason in skipped:
            print(f"{path}: skipped: {reason}", file=err)
    report = "".join(chunks)
    if args.output:
        problem = _write(args.output, report)
        if problem:
            print(f"stepguard lint: {args.output}: {problem}", file=err)
            return 2
    else:
        try:
            sys.stdout.write(report)
            sys.stdout.flush()
        except BrokenPipeError:
            # `stepguard lint . | head`: the reader left; stop writing, keep the exit code.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if not args.quiet and (args.format == "text" or args.diff or args.statistics):
        print(_summary(len(results), len(skipped), violations, fixed, args), file=err)
    if args.diff:
        return 0 if args.exit_zero or not chunks else 1
    if write_errors:
        return 2
    return 0 if args.exit_zero or not violations else 1


def _described(config: LintConfig) -> list[str]:
    """The implemented rules that this configuration runs (described in SARIF even when clean)."""
    from stepguard.lint._rules import IMPLEMENTED

    return [code for code in IMPLEMENTED if config.enabled(code)]


def _summary(
    files: int, skipped: int, violations: Sequence[Violation], fixed: int, args: argparse.Namespace
) -> str:
    n = len(violations)
    fixable = sum(1 for v in violations if v.edits)
    what = f"{files} file{'s' if files != 1 else ''}"
    if skipped:
        what += f", {skipped} skipped"
    if args.diff:
        return f"stepguard: {fixed} fix(es) to apply in {what}; {n} finding(s) would remain"
    parts = [f"stepguard: {n} finding{'s' if n != 1 else ''} in {what}"]
    if n:
        parts.append(
            f"{sum(v.finding.data.get('activity') == 'active' for v in violations)} active"
        )
    if args.fix:
        parts.append(f"{fixed} fixed")
    elif fixable:
        parts.append(f"{fixable} fixable with --fix")
    return "; ".join(parts) if n or fixed else f"stepguard: all checks passed ({what})"

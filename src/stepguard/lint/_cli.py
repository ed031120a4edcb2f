"""`stepguard lint`: the command line of the static linter.

Exit codes: 0 no findings, 1 findings (or, with ``--diff``, changes a fix would make), 2 a usage
or configuration error. Findings go to stdout in the chosen format; files that are skipped (too
large, not UTF-8, do not parse) are reported on stderr, one ``path: skipped: <reason>`` line each.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from stepguard._files import atomic_write
from stepguard.lint._config import (
    ConfigError,
    LintConfig,
    find_pyproject,
    load_config,
    parse_select,
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


class CommandParser(argparse.ArgumentParser):
    """`argparse.ArgumentParser` whose usage errors are one line on stderr (exit 2); every
    `stepguard` subcommand parses with it."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `stepguard lint`."""
    p = CommandParser(
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
        select=None if args.select is None else parse_select(args.select, "--select"),
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


def _write(path: str, text: str, expected: str | None = None) -> str | None:
    """Write `text` to `path` atomically; the reason it failed (the file is then unchanged), or
    None. With `expected`, the file must still hold that text (it was not edited meanwhile)."""
    try:
        if expected is not None:
            with open(path, "rb") as handle:
                if handle.read() != expected.encode("utf-8"):
                    return "changed on disk while being linted; not fixed"
        atomic_write(path, text.encode("utf-8"))
    except OSError as exc:
        return f"cannot write ({exc.strerror or exc}); the file is unchanged"
    return None


class _Stderr:
    """Lines for stderr that never raise: a closed or full stderr must not turn into a traceback."""

    def __call__(self, line: str) -> None:
        stream = sys.stderr
        if stream is None:
            return
        with contextlib.suppress(OSError, ValueError):
            print(line, file=stream, flush=True)


def _write_stdout(report: str) -> str | None:
    """Write the report to stdout; the reason it failed, or None (a reader that left early, as in
    ``stepguard lint . | head``, is not a failure)."""
    stream = sys.stdout
    if stream is None:
        return "stdout is closed"
    try:
        stream.write(report)
        stream.flush()
    except BrokenPipeError:
        _silence_stdout()
    except (OSError, ValueError) as exc:
        _silence_stdout()
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return reason or type(exc).__name__
    return None


def _silence_stdout() -> None:
    """Point stdout at the null device, so the interpreter's final flush of what is still
    buffered does not fail a second time (and print its own error)."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def main(argv: Sequence[str]) -> int:
    """Run `stepguard lint` with `argv` (without the program name); return the exit code.

    Every failure is one line on stderr and exit code 2, never a traceback.
    """
    say = _Stderr()
    try:
        return _main(argv, say)
    except KeyboardInterrupt:
        say("stepguard lint: interrupted")
        return 130
    except Exception as exc:  # a bug in stepguard: one line, not a traceback
        say(f"stepguard lint: internal error (please report it): {type(exc).__name__}: {exc}")
        return 2


def _main(argv: Sequence[str], say: _Stderr) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exc:  # --help (0) or a usage error (2), already printed by argparse
        return 0 if exc.code in (0, None) else 2
    try:
        config = _config(args)
    except ConfigError as exc:
        say(f"stepguard lint: {exc}")
        return 2
    found = discover(args.paths, config.exclude, config.root)
    if found.missing:
        for raw in found.missing:
            say(f"stepguard lint: {raw}: no such file or directory")
        return 2

    # The rules load only once the arguments are valid.
    from stepguard.lint._engine import FileResult, lint_file, lint_source
    from stepguard.lint._project import Project

    fixing = args.fix or args.diff
    # Project mode: the files are linted as one tree (imports, configs and launch scripts).
    project = Project.of_paths(args.paths, found.files, config.max_file_size)
    with project.linting():
        results = [lint_file(path, config, fix=fixing, project=project) for path in found.files]

    chunks: list[str] = []
    write_errors = 0
    if args.fix and not args.diff:
        for i, r in enumerate(results):
            if r.changed and r.fixed is not None and r.source is not None:
                problem = _write(r.path, r.fixed, expected=r.source)
                if problem:
                    write_errors += 1
                    say(f"{r.path}: {problem}")
                    # Not fixed: report what the file on disk still has.
                    left = tuple(lint_source(r.source, r.path, config, project=project))
                    results[i] = FileResult(r.path, left, None, r.source, r.source, 0)
    skipped = [(r.path, r.skipped) for r in results if r.skipped is not None]
    violations = [v for r in results for v in r.violations]
    if args.active_only:
        violations = [v for v in violations if v.finding.data.get("activity") == "active"]
    fixed = sum(r.fixed_count for r in results)
    if args.diff:
        chunks = [
            _diff(r.path, r.source, r.fixed) for r in results if r.changed and r.source and r.fixed
        ]
    elif args.statistics:
        chunks.append(format_statistics(violations))
    elif args.format == "json":
        chunks.append(format_json(violations, skipped, files=len(results)))
    elif args.format == "sarif":
        chunks.append(format_sarif(violations, skipped, rules=_described(config)))
    else:
        chunks.append(format_text(violations))
    if not args.quiet:
        for path, reason in skipped:
            say(f"{path}: skipped: {reason}")
    report = "".join(chunks)
    if args.output:
        problem = _write(args.output, report)
        if problem:
            say(f"stepguard lint: {args.output}: {problem}")
            return 2
    else:
        problem = _write_stdout(report)
        if problem:
            say(f"stepguard lint: cannot write the report to stdout: {problem}")
            return 2
    if not args.quiet and (args.format == "text" or args.diff or args.statistics):
        say(_summary(len(results), len(skipped), violations, fixed, args))
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

"""The `stepguard` command line: a thin dispatcher to each subcommand's own module.

Subcommands import their module only when used, so `stepguard rule` stays instant and an optional
extra that is missing only matters to the subcommand that needs it.
"""

from __future__ import annotations

import errno
import importlib
import os
import re
import sys
from collections.abc import Callable, Sequence

from stepguard import __version__
from stepguard.catalog import CATALOG, rule, rule_markdown

# name -> (module, function taking argv and returning an exit code, one-line help)
_SUBCOMMANDS: dict[str, tuple[str, str, str]] = {
    "demo": (
        "stepguard.experiments._cli",
        "main",
        "run the bug-vs-fix experiments; writes a report with plots",
    ),
    "lint": (
        "stepguard.lint._cli",
        "main",
        "statically check training scripts for the catalog's pitfalls",
    ),
    "rule": (
        "stepguard.cli",
        "rule_main",
        "print one rule's documentation (e.g. `stepguard rule SG101`)",
    ),
}


def rule_main(argv: Sequence[str]) -> int:
    """`stepguard rule CODE | --all | --markdown`: print catalog documentation."""
    # argparse, with a usage error as one line on stderr (shared with `stepguard demo`)
    from stepguard.lint._cli import CommandParser

    parser = CommandParser(prog="stepguard rule", description=rule_main.__doc__)
    parser.add_argument("code", nargs="?", help="a catalog code such as SG101")
    parser.add_argument("--all", action="store_true", help="list every rule, one line each")
    parser.add_argument(
        "--markdown", action="store_true", help="the rule index (docs/rules/index.md)"
    )
    args = parser.parse_args(list(argv))
    if args.markdown:
        print(rule_markdown(), end="")
        return 0
    if args.code is not None and not args.code.strip():
        parser.error("the rule code is empty; give one such as SG101, or --all")
    if args.all or not args.code:
        for r in CATALOG.values():
            print(f"{r.code}  {r.name:<36} {r.severity!s:<8} {r.summary}")
        return 0
    try:
        # The page's links point into the docs site; a terminal shows their text.
        print(re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", rule(args.code).markdown()), end="")
    except KeyError as exc:
        print(f"stepguard rule: {exc.args[0]}", file=sys.stderr)
        return 2
    return 0


def _usage() -> str:
    width = max(len(n) for n in _SUBCOMMANDS)
    lines = [f"stepguard {__version__}: correct optimizer steps for PyTorch", "", "commands:"]
    lines += [f"  {name:<{width}}  {help_}" for name, (_, _, help_) in _SUBCOMMANDS.items()]
    lines += ["", "`stepguard COMMAND --help` for a command's options."]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `stepguard` console script and of `python -m stepguard`."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(_usage())
        return 0
    if args[0] == "--version":
        print(__version__)
        return 0
    name, rest = args[0], args[1:]
    if name not in _SUBCOMMANDS:
        known = ", ".join(_SUBCOMMANDS)
        print(
            f"stepguard: unknown command {name!r}; use one of: {known} (`stepguard --help`)",
            file=sys.stderr,
        )
        return 2
    if sys.stdout is None:  # started with standard output closed (`stepguard ... >&-`)
        print(
            "stepguard: standard output is closed, so nothing could be printed; redirect it to "
            "a file or to /dev/null instead",
            file=sys.stderr,
        )
        return 2
    module_name, func_name, _ = _SUBCOMMANDS[name]
    func: Callable[[Sequence[str]], int] = getattr(importlib.import_module(module_name), func_name)
    try:
        code = int(func(rest) or 0)
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away (`stepguard rule --all | head -1`): stop quietly
        _silence_stdout()
        return 141  # what a process killed by SIGPIPE reports
    except OSError as exc:
        if exc.errno not in _OUTPUT_ERRORS:
            raise
        _silence_stdout()
        print(f"stepguard: cannot write the output: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return code


# write errors that mean "stdout cannot take the output" (disk full, quota, I/O error, closed)
_OUTPUT_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EBADF}


def _silence_stdout() -> None:
    # Point stdout at /dev/null so the interpreter's final flush does not fail a second time.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass

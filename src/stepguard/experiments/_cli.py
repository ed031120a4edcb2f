"""`stepguard demo [weight-decay|accumulation|all] [--out DIR] [--quick|--full] [--seeds N]`.

Runs the bug-vs-fix experiments with a progress bar per run, prints the result tables and writes
DIR (default ./stepguard-report) with report.md, results.json and PNG plots.

Failing early and stopping cleanly: the options and DIR are checked before any experiment runs
(a bad one is one line on stderr, exit 2). Ctrl-C (or SIGTERM) cancels the pending runs, stops
the worker processes at once, writes what finished as a report marked PARTIAL and exits with
130 (143 for SIGTERM); the workers also exit by themselves if the main process is killed.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from stepguard.experiments._progress import DemoExtraMissing, require_demo_extras
from stepguard.lint._cli import CommandParser

__all__ = ["DemoInterrupted", "Terminated", "main", "run_demo"]

_START = time.perf_counter()  # import time of the command: the total includes imports and plots


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread by the command's handler (stops like Ctrl-C)."""


class DemoInterrupted(KeyboardInterrupt):
    """`run_demo` was interrupted; `results` holds what finished (``results["partial"]`` says
    what), ready for `write_report`. A KeyboardInterrupt, so callers that do not look for it
    stop as they would on Ctrl-C."""

    def __init__(self, results: dict[str, Any], reason: str) -> None:
        super().__init__(reason)
        self.results = results
        self.reason = reason


def run_demo(
    which: str = "all",
    preset: str = "default",
    seeds: int | None = None,
    threads: int = 1,
    workers: int = 1,
    progress: bool = False,
    command: str = "stepguard demo",
) -> dict[str, Any]:
    """Run the experiments (``which``: "weight-decay", "accumulation" or "all") at `preset`
    ("quick", "default", "full"), the training runs spread over `workers` processes; return the
    results dict that `report.write_report` writes (identical numbers for any `workers`).

    On KeyboardInterrupt (or `Terminated`) the pending runs are cancelled, the workers stopped,
    and `DemoInterrupted` is raised carrying the complete experiments and, under
    ``results["partial"]``, the runs of the interrupted one that had finished.
    """
    import torch

    from stepguard.experiments._parallel import Runner
    from stepguard.experiments._progress import Bars
    from stepguard.experiments._suite import PRESETS, run_accumulation, run_weight_decay

    if which not in ("weight-decay", "accumulation", "all"):
        raise ValueError(f"which must be weight-decay, accumulation or all, got {which!r}")
    if preset not in PRESETS:
        raise ValueError(f"preset must be one of {', '.join(PRESETS)}, got {preset!r}")
    if seeds is not None and (isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1):
        raise ValueError(f"seeds must be an int >= 1, got {seeds!r}")
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads must be an int >= 1, got {threads!r}")
    runner = Runner(workers, threads)  # checks `workers`
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    start, cpu_start = time.perf_counter(), _cpu_seconds()
    bars = Bars(enabled=progress)
    results: dict[str, Any] = {}
    experiments = (
        ("weight-decay", "weight_decay", run_weight_decay),
        ("accumulation", "accumulation", run_accumulation),
    )
    current: str | None = None
    stopped: KeyboardInterrupt | None = None
    try:
        for name, key, run in experiments:
            if which in (name, "all"):
                current = key
                runner.reset()
                results[key] = run(PRESETS[preset], seeds, bars, runner)
        current = None
    except KeyboardInterrupt as exc:
        runner.cancel()
        stopped = exc
    finally:
        runner.close()
        torch.set_num_threads(previous)
    results["meta"] = {
        "command": command,
        "preset": preset,
        "which": which,
        "torch": torch.__version__.split("+")[0],
        "threads": threads,
        "workers": workers,
        "seconds": time.perf_counter() - start,
        "cpu_seconds": _cpu_seconds() - cpu_start,
    }
    if stopped is not None:
        reason = "terminated (SIGTERM)" if isinstance(stopped, Terminated) else "interrupted"
        results["meta"]["partial"] = True
        results["partial"] = {
            "reason": reason,
            "complete": [key for _, key, _ in experiments if key in results],
            "interrupted": current,
            "finished_runs": runner.finished if current is not None else [],
        }
        raise DemoInterrupted(results, reason) from None
    return results


def _main_is_spawn_safe() -> bool:
    """Whether spawned workers can import the __main__ module without re-running the command.

    A spawned worker imports the parent's __main__ (as ``__mp_main__``); a main module that
    calls the CLI without an ``if __name__ == "__main__":`` guard would run it again there.
    """
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if path is None:
        return True
    try:
        source = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return "__name__ ==" in source or "__name__==" in source


def _cpu_seconds() -> float:
    # this process plus its finished children (the worker processes, once shut down)
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _print_tables(results: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    from stepguard.experiments._format import fmt, pm
    from stepguard.experiments._report import headline_rows
    from stepguard.experiments._weight_decay import CONFIGS

    console = Console()
    wd = results.get("weight_decay")
    if wd:
        for task in ("transformer", "digits"):
            table = Table(title=f"weight decay · {task}: final val acc (norm-layer mean |w|)")
            table.add_column("wd")
            for c in CONFIGS:
                table.add_column(c)
            for w in wd["weight_decays"]:
                rows = {r["config"]: r for r in wd[task]["summary"] if r["weight_decay"] == w}
                table.add_row(
                    fmt(w),
                    *(
                        f"{pm(rows[c]['val_acc'])} ({fmt(rows[c]['norm_w_abs']['mean'])})"
                        for c in CONFIGS
                    ),
                )
            console.print(table)
    acc = results.get("accumulation")
    if acc:
        updates = acc["settings"]["updates"]
        table = Table(title=f"accumulation · seed 003 MLP, k = 8, {updates} updates")
        for col in ("loop", "schedule", "sched. steps", "Σ lr", "clip rate", "held-out acc"):
            table.add_column(col)
        for s in acc["summary"]:
            table.add_row(
                s["loop"],
                "clamped" if s["clamped"] else "unclamped",
                fmt(s["scheduler_steps"]),
                pm(s["lr_sum"]),
                pm(s["clip_rate"]),
                pm(s["heldout_acc"]),
            )
        console.print(table)
    table = Table(title="headline: BUG vs FIX")
    for col in ("measurement", "BUG", "FIX"):
        table.add_column(col)
    for row in headline_rows(results):
        table.add_row(*(cell.replace("\\|", "|") for cell in row))
    console.print(table)


def _usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def _parser() -> CommandParser:
    parser = CommandParser(
        prog="stepguard demo",
        description="Run the seeds' experiments, bug vs fix, and write a report with plots.",
    )
    parser.add_argument(
        "which",
        nargs="?",
        default="all",
        choices=("weight-decay", "accumulation", "all"),
        help="which experiments to run (default: all)",
    )
    parser.add_argument(
        "--out", default="stepguard-report", help="report directory (default: ./stepguard-report)"
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="smallest run: 1 seed, fewer epochs")
    size.add_argument(
        "--full",
        action="store_true",
        help="3 seeds, 5 weight decays, the seed's own settings (slow)",
    )
    parser.add_argument(
        "--seeds", type=int, default=None, help="seeds per configuration (overrides the preset's)"
    )
    parser.add_argument("--threads", type=int, default=1, help="torch threads per process")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="processes running the training runs in parallel (default: 1 with --quick, "
        "where starting workers costs more than it saves, else min(2, CPUs))",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    return parser


@contextmanager
def _sigterm_stops() -> Iterator[None]:
    """While running: SIGTERM raises `Terminated` in the main thread (the Ctrl-C path)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        raise Terminated("SIGTERM")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _fail(message: str, code: int = 2) -> int:
    print(f"stepguard demo: {message}", file=sys.stderr)
    return code


def main(argv: Sequence[str]) -> int:
    """Entry point of `stepguard demo`; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(list(argv))
    cpus = _usable_cpus()
    if args.seeds is not None and args.seeds < 1:
        parser.error(f"--seeds must be >= 1, got {args.seeds}")
    for option, value, why in (
        ("--threads", args.threads, "more threads than CPUs only slow each other down"),
        ("--workers", args.workers, "each worker is a process holding its own torch"),
    ):
        if value is not None and not 1 <= value <= cpus:
            parser.error(
                f"{option} must be between 1 and the {cpus} CPU(s) this process may use, got "
                f"{value} ({why})"
            )
    from stepguard.experiments._out_dir import prepare_out_dir

    try:
        with _sigterm_stops():
            try:
                out = prepare_out_dir(args.out, "--out")
                require_demo_extras()
            except (ValueError, TypeError, DemoExtraMissing) as exc:
                return _fail(str(exc))
            return _run(args, argv, out)
    except KeyboardInterrupt as exc:  # before the experiments started, or a second Ctrl-C
        code = 143 if isinstance(exc, Terminated) else 130
        return _fail("interrupted; no report written", code)


def _run(args: argparse.Namespace, argv: Sequence[str], out: Path) -> int:
    from stepguard.experiments._report import write_report

    workers = args.workers
    if workers is None:
        workers = 1 if args.quick else min(2, _usable_cpus())
    if workers > 1 and not _main_is_spawn_safe():
        print(
            "stepguard demo: running the training runs in one process (this entry point would "
            "run again in each spawned worker); use the `stepguard` command for 2 workers",
            file=sys.stderr,
        )
        workers = 1
    preset = "quick" if args.quick else "full" if args.full else "default"
    command = "stepguard demo " + " ".join(argv) if argv else "stepguard demo"
    try:
        results = run_demo(
            args.which,
            preset,
            args.seeds,
            args.threads,
            workers,
            progress=not args.no_progress and sys.stdout.isatty(),
            command=command.strip(),
        )
    except DemoInterrupted as stop:
        code = 143 if stop.reason.startswith("terminated") else 130
        partial = stop.results["partial"]
        try:
            paths = write_report(stop.results, out)
        except (OSError, ValueError) as exc:
            return _fail(f"{stop.reason}; the partial report could not be written: {exc}", code)
        done = ", ".join(partial["complete"]) or "no experiment"
        return _fail(
            f"{stop.reason} after {stop.results['meta']['seconds']:.1f} s; wrote a PARTIAL "
            f"report ({done} complete, {len(partial['finished_runs'])} run(s) of the "
            f"interrupted experiment): {paths['markdown']}",
            code,
        )
    try:
        paths = write_report(results, out)
    except (OSError, ValueError) as exc:
        return _fail(f"the report could not be written to {str(out)!r}: {exc}")
    _print_tables(results)
    meta = results["meta"]
    print(
        f"report: {paths['markdown']}  ·  numbers: {paths['json']}  ·  experiments: "
        f"{meta['seconds']:.1f} s wall, {meta['cpu_seconds']:.1f} s CPU ({preset}); total "
        f"{time.perf_counter() - _START:.1f} s"
    )
    return 0

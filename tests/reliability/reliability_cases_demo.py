"""Reliability cases for `stepguard demo`, the experiments' Python entry points, `stepguard rule`
and the top-level command: bad options fail in one line before anything runs, an interrupted run
keeps what finished, no worker process outlives the command, report files are written atomically.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reliability_harness import Case, cli, cli_error
from reliability_models import alive, one_line, proc_children, pyrun, stdout_closed, tmpdir

from stepguard.experiments import exactness, run_demo, variable_length, write_report

_META = {
    "command": "stepguard demo",
    "preset": "quick",
    "which": "all",
    "torch": "2",
    "threads": 1,
    "workers": 1,
    "seconds": 1.0,
    "cpu_seconds": 1.0,
}


def _partial(runs: int = 1) -> dict[str, Any]:
    finished = [
        {
            "stage": "weight decay · digits",
            "label": f"fix wd=0.1 seed={i}",
            "result": {"epochs": [{"epoch": 3, "val_acc": 0.9, "norm_w_abs": 1.0}]},
        }
        for i in range(runs)
    ]
    return {
        "meta": {**_META, "partial": True},
        "partial": {
            "reason": "interrupted",
            "complete": [],
            "interrupted": "weight_decay",
            "finished_runs": finished,
        },
    }


def E(name: str, run: Callable[[], Any], match: str, **kw: Any) -> Case:
    return Case("demo", name, run, match=match, **kw)


def CLI(name: str, args: tuple[str, ...], match: str, **kw: Any) -> Case:
    """A command that must fail as one line on stderr with exit 2."""
    return Case(
        "demo", name, lambda: cli(*args, **kw), expect="ok", check=lambda p: cli_error(p, match)
    )


def _a_file() -> str:
    path = tmpdir() / "a_file"
    path.write_text("keep")
    return str(path)


def _dir_holding(name: str) -> str:
    d = tmpdir()
    (d / name).mkdir()
    return str(d)


def _demo_out(out: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return cli("demo", "--quick", "--out", out, *extra, timeout=60)


def _bad_out_is_quick(out_factory: Callable[[], str], match: str) -> Callable[[], bool | str]:
    """`--out` is checked before any experiment: one line, exit 2, no torch import, file kept."""

    def run() -> bool | str:
        out = out_factory()
        before = Path(out).read_bytes() if Path(out).is_file() else None
        code = (
            "import sys; from stepguard.cli import main; "
            f"rc = main(['demo', '--out', {out!r}]); "
            "print('torch' in sys.modules); sys.exit(rc)"
        )
        proc = pyrun(code, timeout=60)
        verdict = cli_error(proc, match)
        if verdict is not True:
            return verdict
        if proc.stdout.strip() != "False":
            return "torch was imported before --out was checked"
        if before is not None and Path(out).read_bytes() != before:
            return "the file given as --out was changed"
        return True

    return run


def _report_write_fails_cleanly() -> bool | str:
    """A failed write (file-size limit) leaves the previous report byte-identical."""
    out = tmpdir()
    (out / "results.json").write_text('{"old": true}\n')
    (out / "report.md").write_text("# old\n")
    code = f"""
import resource, signal
from stepguard.experiments import write_report
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))
import reliability_cases_demo as d
try:
    write_report(d._partial(300), {str(out)!r})
except OSError as exc:
    print('failed', exc.errno)
"""
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent)},
    )
    if "failed 27" not in proc.stdout:
        return f"the write did not fail as expected: {proc.stdout + proc.stderr[-300:]!r}"
    if (out / "results.json").read_text() != '{"old": true}\n' or (
        out / "report.md"
    ).read_text() != "# old\n":
        return "the previous report was damaged"
    if sorted(os.listdir(out)) != ["report.md", "results.json"]:
        return f"left behind: {sorted(os.listdir(out))}"
    return True


def _interrupt(sig: signal.Signals, code: int, reason: str) -> Callable[[], bool | str]:
    """Start the default demo (2 workers), signal it once both workers run: it must stop within
    the timeout, say so in one line, write a PARTIAL report, and leave no worker behind."""

    def run() -> bool | str:
        out = tmpdir() / "report"
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "stepguard",
                "demo",
                "--workers",
                "2",
                "--no-progress",
                "--out",
                str(out),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        workers: list[int] = []
        deadline = time.monotonic() + 120
        try:
            while time.monotonic() < deadline:
                workers = [p for p, cmd in proc_children(proc.pid).items() if "spawn_main" in cmd]
                if len(workers) == 2 and all(
                    "libtorch" in Path(f"/proc/{p}/maps").read_text() for p in workers if alive(p)
                ):
                    break
                if proc.poll() is not None:
                    return f"the demo ended early: {proc.communicate()}"
                time.sleep(0.2)
            else:
                return "the workers did not start"
            if sig == signal.SIGINT:
                os.killpg(proc.pid, sig)  # Ctrl-C in a terminal reaches the process group
            else:
                os.kill(proc.pid, sig)
            _, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
        if sig != signal.SIGKILL:
            if proc.returncode != code:
                return f"exit {proc.returncode}: {err[-300:]!r}"
            verdict = one_line(
                err, rf"^stepguard demo: {re.escape(reason)} after .* PARTIAL report"
            )
            if verdict is not True:
                return verdict
            report = (out / "report.md").read_text()
            if not report.startswith("# stepguard demo report (PARTIAL)"):
                return "report.md is not marked PARTIAL"
            if json.loads((out / "results.json").read_text())["partial"]["reason"] != reason:
                return "results.json does not say why it is partial"
        until = time.monotonic() + 20
        while any(alive(p) for p in workers) and time.monotonic() < until:
            time.sleep(0.1)
        left = [p for p in workers if alive(p)]
        for p in left:
            os.kill(p, signal.SIGKILL)
        return True if not left else f"{len(left)} worker process(es) outlived the demo"

    return run


def _to_dev_full(*args: str) -> subprocess.CompletedProcess[str]:
    with open("/dev/full", "w") as full:
        return subprocess.run(
            [sys.executable, "-m", "stepguard", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )


def _reader_gone() -> tuple[int, str]:
    """The reader of stdout exits before the command writes (`stepguard ... | head -0`)."""
    read, write = os.pipe()
    os.close(read)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "stepguard", "rule", "--all"],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(write)
    return proc.returncode, proc.stderr


CASES = [
    # --- defect 8: --out is checked before the first experiment
    Case(
        "demo",
        "stepguard demo --out ''",
        _bad_out_is_quick(lambda: "", r"--out must name a directory"),
        expect="ok",
        check=lambda v: v,
    ),
    Case(
        "demo",
        "stepguard demo --out <a file>",
        _bad_out_is_quick(_a_file, r"is a file, not a directory"),
        expect="ok",
        check=lambda v: v,
    ),
    Case(
        "demo",
        "stepguard demo --out <a file>/sub",
        _bad_out_is_quick(lambda: _a_file() + "/sub", r"cannot be written \(Not a directory\)"),
        expect="ok",
        check=lambda v: v,
    ),
    Case(
        "demo",
        "stepguard demo --out /proc/<unwritable>",
        _bad_out_is_quick(lambda: "/proc/stepguard-report", r"cannot be written"),
        expect="ok",
        check=lambda v: v,
    ),
    Case(
        "demo",
        "stepguard demo --out <dir holding a report.md directory>",
        _bad_out_is_quick(
            lambda: _dir_holding("report.md"), r"holds a directory named 'report.md'"
        ),
        expect="ok",
        check=lambda v: v,
    ),
    CLI("stepguard demo --out '   '", ("demo", "--out", "   "), r"--out must name a directory"),
    CLI(
        "stepguard demo --out (no value)",
        ("demo", "--out"),
        r"argument --out: expected one argument",
    ),
    # --- the other options
    CLI("stepguard demo --seeds 0", ("demo", "--seeds", "0"), r"--seeds must be >= 1"),
    CLI("stepguard demo --seeds -3", ("demo", "--seeds", "-3"), r"--seeds must be >= 1"),
    CLI("stepguard demo --seeds two", ("demo", "--seeds", "two"), r"invalid int value: 'two'"),
    CLI("stepguard demo --seeds 1.5", ("demo", "--seeds", "1.5"), r"invalid int value: '1.5'"),
    CLI(
        "stepguard demo --workers 0", ("demo", "--workers", "0"), r"--workers must be between 1 and"
    ),
    CLI(
        "stepguard demo --workers 10000",
        ("demo", "--workers", "10000"),
        r"--workers must be between 1 and the \d+ CPU",
    ),
    CLI("stepguard demo --threads 0", ("demo", "--threads", "0"), r"--threads must be between 1"),
    CLI(
        "stepguard demo --threads 4096",
        ("demo", "--threads", "4096"),
        r"--threads must be between 1",
    ),
    CLI(
        "stepguard demo --quick --full", ("demo", "--quick", "--full"), r"not allowed with argument"
    ),
    CLI("stepguard demo everything", ("demo", "everything"), r"invalid choice: 'everything'"),
    CLI("stepguard demo --bogus", ("demo", "--bogus"), r"unrecognized arguments: --bogus"),
    Case(
        "demo",
        "stepguard demo --help",
        lambda: cli("demo", "--help"),
        expect="ok",
        check=lambda p: (p.returncode == 0 and "--out" in p.stdout) or p,
    ),
    # --- defect 8: stopping
    Case(
        "demo",
        "Ctrl-C during the default demo (2 workers)",
        _interrupt(signal.SIGINT, 130, "interrupted"),
        expect="ok",
        check=lambda v: v,
        kind="data",
        timeout=240,
    ),
    Case(
        "demo",
        "SIGTERM to the demo's main process",
        _interrupt(signal.SIGTERM, 143, "terminated (SIGTERM)"),
        expect="ok",
        check=lambda v: v,
        kind="data",
        timeout=240,
    ),
    Case(
        "demo",
        "SIGKILL to the demo's main process: workers exit too",
        _interrupt(signal.SIGKILL, -9, ""),
        expect="ok",
        check=lambda v: v,
        timeout=240,
    ),
    Case(
        "demo",
        "write_report under a file-size limit keeps the old report",
        _report_write_fails_cleanly,
        expect="ok",
        check=lambda v: v,
        kind="data",
    ),
    # --- the Python entry points
    E(
        "run_demo(which='everything')",
        lambda: run_demo("everything"),
        r"which must be weight-decay, accumulation or all",
    ),
    E(
        "run_demo(preset='huge')",
        lambda: run_demo(preset="huge"),
        r"preset must be one of quick, default, full",
    ),
    E("run_demo(seeds=0)", lambda: run_demo(seeds=0), r"seeds must be an int >= 1, got 0"),
    E("run_demo(seeds=1.5)", lambda: run_demo(seeds=1.5), r"seeds must be an int >= 1, got 1\.5"),
    E("run_demo(workers=0)", lambda: run_demo(workers=0), r"workers must be an int >= 1, got 0"),
    E("run_demo(threads=0)", lambda: run_demo(threads=0), r"threads must be an int >= 1"),
    E(
        "run_demo(threads='2')",
        lambda: run_demo(threads="2"),
        r"threads must be an int >= 1, got '2'",
    ),
    E(
        "write_report(results, '')",
        lambda: write_report(_partial(), ""),
        r"out_dir must name a directory",
    ),
    E(
        "write_report(results, None)",
        lambda: write_report(_partial(), None),
        r"out_dir must be a directory path",
    ),
    E(
        "write_report(results, <a file>)",
        lambda: write_report(_partial(), _a_file()),
        r"is a file, not a directory",
    ),
    E(
        "write_report(None, dir)",
        lambda: write_report(None, tmpdir()),
        r"results must be the dict run_demo\(\) returned",
    ),
    E("write_report({}, dir)", lambda: write_report({}, tmpdir()), r"without 'meta'"),
    Case(
        "demo",
        "write_report(partial results): PARTIAL banner, runs listed, no plots",
        lambda: write_report(_partial(2), tmpdir())["markdown"].read_text(),
        expect="ok",
        check=lambda text: (
            (
                text.startswith("# stepguard demo report (PARTIAL)")
                and "fix wd=0.1 seed=1" in text
                and "No plots were drawn" in text
            )
            or text[:300]
        ),
    ),
    E(
        "exactness('adam')",
        lambda: exactness("adam", updates=1),
        r"optimizer must be 'adamw' or 'sgd', got 'adam'",
    ),
    E("exactness(updates=0)", lambda: exactness(updates=0), r"updates must be an int >= 1, got 0"),
    E(
        "exactness(dtype='float64')",
        lambda: exactness(updates=1, dtype="float64"),
        r"dtype must be a floating torch\.dtype",
    ),
    E(
        "variable_length(windows=0)",
        lambda: variable_length(windows=0),
        r"windows must be an int >= 1, got 0",
    ),
    E(
        "variable_length(per_micro=-1)",
        lambda: variable_length(per_micro=-1),
        r"per_micro must be an int >= 1",
    ),
    # --- stepguard rule and the top-level command
    CLI("stepguard rule --bogus", ("rule", "--bogus"), r"unrecognized arguments: --bogus"),
    CLI("stepguard rule SG101 SG102", ("rule", "SG101", "SG102"), r"unrecognized arguments: SG102"),
    CLI("stepguard rule ''", ("rule", ""), r"the rule code is empty"),
    CLI("stepguard rule 101", ("rule", "101"), r"unknown rule '101'"),
    Case(
        "demo",
        "stepguard rule sg101 (lower case)",
        lambda: cli("rule", "sg101"),
        expect="ok",
        check=lambda p: (p.returncode == 0 and p.stdout.startswith("# SG101")) or p,
    ),
    Case(
        "demo",
        "stepguard (no command): usage, exit 0",
        lambda: cli(),
        expect="ok",
        check=lambda p: (p.returncode == 0 and "commands:" in p.stdout) or p,
    ),
    Case(
        "demo",
        "stepguard --version",
        lambda: cli("--version"),
        expect="ok",
        check=lambda p: (p.returncode == 0 and p.stdout.strip()[0].isdigit()) or p,
    ),
    Case(
        "demo",
        "stepguard rule SG101 > /dev/full",
        lambda: _to_dev_full("rule", "SG101"),
        expect="ok",
        check=lambda p: cli_error(p, r"cannot write the output: No space left on device"),
    ),
    Case(
        "demo",
        "stepguard rule --all >&- (stdout closed)",
        lambda: stdout_closed("rule", "--all"),
        expect="ok",
        check=lambda p: cli_error(p, r"standard output is closed"),
    ),
    Case(
        "demo",
        "stepguard rule --all | <reader already gone>",
        _reader_gone,
        expect="ok",
        check=lambda p: (p[0] == 141 and p[1] == "") or p,
    ),
]

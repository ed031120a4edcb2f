"""How fast is `stepguard lint`? Measured on the installed transformers package.

1. The whole source tree: stepguard (`lint_file`: read, pre-filter, parse, rules, noqa) against a
   bare `ast.parse` of the same files (also read from disk), alternating in one process, median of
   `--reps` repetitions. stepguard's time is its full cost; its pre-filter lets it skip parsing
   the files that contain no optimizer or training code, and the output says how many it skipped.
   The files the pre-filter passes (those stepguard parses and analyses) are also timed on their
   own (median over the repetitions of each tool's sum over them). And the same tree linted in
   project mode, as ``stepguard lint TREE`` does (one `Project` of the whole tree, built fresh each
   repetition: names resolved across files, settings read): its time over the file-by-file time
   is ``project_ratio`` (the target is at most 2: project mode keeps at least half the
   throughput).
2. stepguard against TorchFix (its flake8 checker, `torchfix.torchfix.TorchChecker`, which parses
   with libcst) on a fixed sample of 50 transformers files that import torch (seed 0), both from
   source text in memory, alternating, median of `--reps` (this gives torchfix_ratio). Then the
   worst case for stepguard, also reported: up to 50 files that import torch and pass the
   pre-filter, so stepguard parses and analyses every one.

The last line is ``lint_files_per_s=<v> torchfix_ratio=<stepguard speed / TorchFix speed>
parse_ratio=<stepguard time / ast.parse time> analysed_ratio=<the same on the files it analyses>
project_ratio=<project mode time / file-by-file time>``. Targets: torchfix_ratio >= 25,
parse_ratio <= 2 and analysed_ratio <= 2, project_ratio <= 2.
Run: ``.venv/bin/python benchmarks/bench_lint.py [--reps 3]`` (TorchFix: ``pip install torchfix``,
the ``bench`` extra).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import gc
import importlib.metadata
import importlib.util
import os
import random
import re
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from stepguard.lint._engine import lint_file, lint_source
from stepguard.lint._project import Project
from stepguard.lint._rules import might_contain_training_code

SEED = 0
SAMPLE = 50
_IMPORTS_TORCH = re.compile(r"^\s*(import torch\b|from torch(\.\w+)* import )", re.M)


def tree_files(package: str) -> list[str]:
    spec = importlib.util.find_spec(package)  # locates the package without importing it
    if spec is None or spec.origin is None:
        sys.exit(f"{package} is not installed")
    out = []
    for folder, dirs, files in os.walk(os.path.dirname(spec.origin)):
        dirs.sort()
        out += [os.path.join(folder, f) for f in sorted(files) if f.endswith(".py")]
    return out


def parse_file(path: str) -> None:
    with open(path, "rb") as handle:
        data = handle.read()
    with contextlib.suppress(SyntaxError):
        ast.parse(data, filename=path)


def timed(fn: Callable[[str], object], items: list[str]) -> tuple[float, list[float]]:
    """Total seconds and per-item seconds of fn over items."""
    per = []
    clock = time.perf_counter
    for item in items:
        t0 = clock()
        fn(item)
        per.append(clock() - t0)
    return sum(per), per


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reps", type=int, default=3, help="repetitions (median reported)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # SyntaxWarnings from parsing library code

    files = tree_files("transformers")
    version = importlib.metadata.version("transformers")
    sizes = sum(os.path.getsize(f) for f in files)
    sources = {f: Path(f).read_text(encoding="utf-8") for f in files}
    passed = [f for f in files if might_contain_training_code(sources[f])]
    print(f"transformers {version}: {len(files)} files, {sizes / 1e6:.1f} MB")
    print(
        f"stepguard's pre-filter passes {len(passed)} files; it never parses the other {len(files) - len(passed)}"
    )

    # 1. Whole tree: stepguard vs bare ast.parse, both reading from disk, alternating order; and
    # the same tree in project mode.
    root = os.path.dirname(files[0])
    sg_runs, parse_runs, project_runs = [], [], []
    sub_sg: list[float] = []
    sub_parse: list[float] = []
    counts: list[int] = []
    index = {f: i for i, f in enumerate(files)}

    def lint_counting(path: str) -> None:
        counts.append(len(lint_file(path).violations))

    def lint_project() -> int:
        project = Project.of_paths([root], files)
        with project.linting():
            return sum(len(lint_file(path, project=project).violations) for path in files)

    project_findings = 0
    for rep in range(args.reps):
        order = ["sg", "parse", "project"]
        for which in order[rep % 3 :] + order[: rep % 3]:
            gc.collect()  # the previous run's garbage (a whole project's trees) is freed untimed
            if which == "sg":
                counts.clear()
                total, per = timed(lint_counting, files)
                sg_runs.append(total)
                sub_sg.append(sum(per[index[f]] for f in passed))
            elif which == "parse":
                total, per = timed(parse_file, files)
                parse_runs.append(total)
                sub_parse.append(sum(per[index[f]] for f in passed))
            else:
                t0 = time.perf_counter()
                project_findings = lint_project()
                project_runs.append(time.perf_counter() - t0)
        print(
            f"  rep {rep + 1}: stepguard {sg_runs[-1]:.2f} s, ast.parse {parse_runs[-1]:.2f} s, "
            f"project mode {project_runs[-1]:.2f} s",
            flush=True,
        )
    findings = sum(counts)
    sg_time, parse_time = statistics.median(sg_runs), statistics.median(parse_runs)
    project_time = statistics.median(project_runs)
    files_per_s = len(files) / sg_time
    parse_ratio = sg_time / parse_time
    analysed_sg, analysed_parse = statistics.median(sub_sg), statistics.median(sub_parse)
    analysed_ratio = analysed_sg / max(analysed_parse, 1e-9)
    project_ratio = project_time / sg_time
    print(
        f"whole tree (median of {args.reps}, file reading included): stepguard {sg_time:.2f} s "
        f"= {files_per_s:.0f} files/s ({findings} findings); bare ast.parse {parse_time:.2f} s "
        f"= {len(files) / parse_time:.0f} files/s; ratio {parse_ratio:.2f}"
    )
    print(
        f"  on the {len(passed)} files the pre-filter passes (median of {args.reps}): stepguard "
        f"{analysed_sg:.2f} s vs ast.parse {analysed_parse:.2f} s (ratio {analysed_ratio:.2f}: "
        "parse + analysis)"
    )
    print(
        f"  project mode (one Project of the tree, as `stepguard lint TREE`): {project_time:.2f} s "
        f"= {len(files) / project_time:.0f} files/s ({project_findings} findings); "
        f"{project_ratio:.2f} x the file-by-file time"
    )

    # 2. stepguard vs TorchFix on a fixed sample of files that import torch.
    candidates = [f for f in files if _IMPORTS_TORCH.search(sources[f])]
    sample = random.Random(SEED).sample(candidates, SAMPLE)
    analysed = sum(might_contain_training_code(sources[f]) for f in sample)
    try:
        from torchfix.torchfix import TorchChecker
    except ImportError:
        print(
            "TorchFix is not installed (pip install torchfix, the `bench` extra): torchfix_ratio=nan"
        )
        print(
            f"lint_files_per_s={files_per_s:.1f} torchfix_ratio=nan parse_ratio={parse_ratio:.2f}"
            f" analysed_ratio={analysed_ratio:.2f} project_ratio={project_ratio:.2f}"
        )
        return

    def run_torchfix(path: str) -> object:
        return list(TorchChecker(None, sources[path].splitlines(keepends=True)).run())

    def run_stepguard(path: str) -> object:
        return lint_source(sources[path], path)

    def versus(files: list[str], label: str) -> float:
        """Median seconds of stepguard and TorchFix over `files`, alternating; prints; returns
        TorchFix time / stepguard time."""
        runs: dict[str, list[float]] = {"sg": [], "tf": []}
        for rep in range(args.reps):
            order = (("sg", run_stepguard), ("tf", run_torchfix))
            for key, fn in order if rep % 2 == 0 else order[::-1]:
                runs[key].append(timed(fn, files)[0])
            print(
                f"  rep {rep + 1}: stepguard {runs['sg'][-1]:.3f} s, TorchFix {runs['tf'][-1]:.2f} s",
                flush=True,
            )
        sg, tf = statistics.median(runs["sg"]), statistics.median(runs["tf"])
        print(
            f"{label} (median of {args.reps}): stepguard {sg:.3f} s, TorchFix {tf_version} {tf:.2f} s "
            f"({tf / len(files):.2f} s/file); ratio {tf / sg:.1f}"
        )
        return tf / sg  # speed ratio = inverse time ratio on the same files

    tf_version = importlib.metadata.version("torchfix")
    torchfix_ratio = versus(
        sample,
        f"{SAMPLE} files importing torch (seed {SEED}, of {len(candidates)}; the pre-filter passes {analysed})",
    )
    # The worst case for stepguard: files that import torch AND pass the pre-filter, so stepguard
    # parses and analyses every one of them.
    hard = [f for f in candidates if might_contain_training_code(sources[f])]
    hard = random.Random(SEED).sample(hard, min(SAMPLE, len(hard)))
    if hard:
        versus(
            hard,
            f"{len(hard)} files importing torch that stepguard parses and analyses (seed {SEED})",
        )
    print(
        f"lint_files_per_s={files_per_s:.1f} torchfix_ratio={torchfix_ratio:.1f} "
        f"parse_ratio={parse_ratio:.2f} analysed_ratio={analysed_ratio:.2f} "
        f"project_ratio={project_ratio:.2f}"
    )


if __name__ == "__main__":
    main()

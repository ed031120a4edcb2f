"""Reliability cases for the static linter: `stepguard lint` (and `--fix`) and its Python API.

One case per linter defect of issue 11 (4, 5, 6, 7 and `lint_source(None)` / `lint_source(b"...")`
of 11), plus edge inputs of our own. File cases work in a fresh temporary directory each and check
the user's file afterwards (``kind="data"``: a damaged file is data loss).
"""

from __future__ import annotations

import atexit
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reliability_harness import Case, cli, cli_error

from stepguard.lint import fix_source, lint_paths, lint_source
from stepguard.lint._config import LintConfig

ADAM = "opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-2)\n"
BAD = "import torch\n\nmodel = torch.nn.Linear(4, 2)\n" + ADAM
HEADER = "import torch\nmodel = torch.nn.Linear(4, 2)\nparams = list(model.parameters())\n"


_TEMP_DIRS: list[Path] = []


@atexit.register
def _cleanup() -> None:
    for root in _TEMP_DIRS:
        shutil.rmtree(root, ignore_errors=True)


def _project(files: dict[str, str]) -> Path:
    root = Path(tempfile.mkdtemp(prefix="sg-rel-lint-"))
    _TEMP_DIRS.append(root)
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8", newline="")
    return root


def _compiles(text: str) -> bool:
    try:
        compile(text, "<fixed>", "exec", dont_inherit=True)
    except SyntaxError:
        return False
    return True


def _fix_file(source: str, *extra: str, name: str = "train.py") -> dict[str, Any]:
    """Run ``stepguard lint --fix`` twice on a file holding `source`; the texts and processes."""
    root = _project({name: source})
    first = cli("lint", "--fix", "--isolated", *extra, name, cwd=root)
    once = (root / name).read_bytes().decode("utf-8")  # newlines as they are on disk
    second = cli("lint", "--fix", "--isolated", *extra, name, cwd=root)
    twice = (root / name).read_bytes().decode("utf-8")
    return {"root": root, "first": first, "second": second, "once": once, "twice": twice}


def _fixed_and_builds(want: str) -> Callable[[dict[str, Any]], bool | str]:
    """The fixed file compiles, a second --fix changes nothing, contains `want`, and its optimizer
    constructs under the installed torch with decoupled decay."""

    def check(r: dict[str, Any]) -> bool | str:
        if not _compiles(r["once"]):
            return f"fixed file does not compile:\n{r['once']}"
        if r["twice"] != r["once"]:
            return "a second --fix changed the file again (not idempotent)"
        if want not in r["once"]:
            return f"expected {want!r} in:\n{r['once']}"
        namespace: dict[str, Any] = {}
        try:
            exec(compile(r["once"], "<fixed>", "exec"), namespace)
        except Exception as exc:
            return f"the fixed code raises {type(exc).__name__}: {exc}"
        import torch

        opt = namespace["opt"]
        if not isinstance(opt, torch.optim.AdamW) and not all(
            g.get("decoupled_weight_decay") for g in opt.param_groups
        ):
            return "the fixed optimizer still couples its decay"
        return True

    return check


def _no_unused_import(r: dict[str, Any]) -> bool | str:
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "F401", "--no-cache"],
        cwd=r["root"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if proc.returncode != 0:
        return f"unused import after --fix: {proc.stdout.strip()[:300]}"
    return True if "AdamW" in r["once"] else f"not fixed:\n{r['once']}"


def _limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))


def _fix_under_file_size_limit() -> dict[str, Any]:
    padding = "".join(
        f"x_{i} = {i}  # a line of padding to make the file large\n" for i in range(3000)
    )
    root = _project({"train.py": BAD + padding})
    before = (root / "train.py").read_bytes()
    proc = subprocess.run(
        [sys.executable, "-m", "stepguard", "lint", "--fix", "--isolated", "-q", "train.py"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_limit_file_size,
    )
    return {"root": root, "proc": proc, "before": before}


def _unchanged_after_failed_write(r: dict[str, Any]) -> bool | str:
    after = (r["root"] / "train.py").read_bytes()
    if after != r["before"]:
        return f"file changed: {len(r['before'])} -> {len(after)} bytes"
    leftovers = sorted(p.name for p in r["root"].iterdir() if p.name != "train.py")
    if leftovers:
        return f"temporary files left: {leftovers}"
    return cli_error(
        r["proc"], r"train\.py: cannot write \(File too large\); the file is unchanged"
    )


def _fix_read_only() -> dict[str, Any]:
    root = _project({"train.py": BAD})
    (root / "train.py").chmod(0o444)
    proc = cli("lint", "--fix", "--isolated", "train.py", cwd=root)
    return {"root": root, "proc": proc}


def _read_only_untouched(r: dict[str, Any]) -> bool | str:
    proc = r["proc"]
    if (r["root"] / "train.py").read_text() != BAD:
        return "the read-only file was changed"
    if proc.returncode != 2 or "Traceback" in proc.stderr:
        return f"exit {proc.returncode}: {proc.stderr[-300:]}"
    if "1 fixed" in proc.stderr or "0 fixed" not in proc.stderr:
        return f"summary claims a fix: {proc.stderr!r}"
    if "SG101" not in proc.stdout:
        return "the finding that was not fixed is not reported"
    return True if "read-only file" in proc.stderr else f"no reason given: {proc.stderr!r}"


def _symlink_cycle() -> subprocess.CompletedProcess[str]:
    root = _project({"sub/train.py": BAD})
    (root / "sub" / "loop").symlink_to("..", target_is_directory=True)
    (root / "subalias").symlink_to("sub", target_is_directory=True)
    return cli("lint", "--isolated", "--select", "SG101", ".", cwd=root, timeout=60)


def _one_finding_in(path: str) -> Callable[[subprocess.CompletedProcess[str]], bool | str]:
    def check(proc: subprocess.CompletedProcess[str]) -> bool | str:
        lines = [ln for ln in proc.stdout.splitlines() if "SG101" in ln]
        if proc.returncode != 1 or len(lines) != 1 or not lines[0].startswith(path):
            return f"exit {proc.returncode}, findings {lines}, stderr {proc.stderr[-200:]!r}"
        return True

    return check


def _shell(command: str, files: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run `command` (``$SG`` is ``python -m stepguard``) in a shell, in a fresh project."""
    root = _project(files)
    env = {**os.environ, "SG": f"{sys.executable} -m stepguard"}
    return subprocess.run(
        ["sh", "-c", command], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )


def _lint_paths_one_str() -> Any:
    root = _project({"train.py": BAD})
    return lint_paths(str(root / "train.py"))


def _symlinked_file_fixed() -> dict[str, Any]:
    root = _project({"shared/train.py": BAD})
    (root / "train.py").symlink_to(root / "shared" / "train.py")
    proc = cli("lint", "--fix", "--isolated", "--select", "SG101", "train.py", cwd=root)
    return {"root": root, "proc": proc}


def _link_kept(r: dict[str, Any]) -> bool | str:
    link, real = r["root"] / "train.py", r["root"] / "shared" / "train.py"
    if not link.is_symlink():
        return "the symlink was replaced by a regular file"
    if "AdamW" not in real.read_text():
        return "the file behind the link was not fixed"
    return True if r["proc"].returncode == 0 else f"exit {r['proc'].returncode}"


def _unchanged(name: str, source: str) -> Callable[[dict[str, Any]], bool | str]:
    def check(r: dict[str, Any]) -> bool | str:
        if r["once"] != source:
            return f"{name} was changed:\n{r['once']}"
        return True

    return check


CRLF = BAD.replace("\n", "\r\n")
NOT_COMPILING = "import torch\n\nreturn 0\n" + ADAM

CASES = [
    # -- defect 4: a repeated keyword, once per fix round ----------------------------------------
    Case(
        "lint",
        "--fix NAdam(..., weight_decay=0.1, decoupled_weight_decay=False)",
        lambda: _fix_file(
            HEADER
            + "opt = torch.optim.NAdam(params, weight_decay=0.1, decoupled_weight_decay=False)\n"
        ),
        expect="ok",
        check=_fixed_and_builds("decoupled_weight_decay=True)"),
        kind="data",
    ),
    Case(
        "lint",
        "--fix RAdam(params, 1e-3, (0.9, 0.999), 1e-8, 0.1, False) (flag positional)",
        lambda: _fix_file(
            HEADER + "opt = torch.optim.RAdam(params, 1e-3, (0.9, 0.999), 1e-8, 0.1, False)\n"
        ),
        expect="ok",
        check=_fixed_and_builds("0.1, True)"),
        kind="data",
    ),
    # -- defect 5: a failed write must not truncate the file --------------------------------------
    Case(
        "lint",
        "--fix a 178 KB file under a 64 KiB file-size limit",
        _fix_under_file_size_limit,
        expect="ok",
        check=_unchanged_after_failed_write,
        kind="data",
    ),
    # -- defect 6: AdamW has no decoupled_weight_decay; the unused import; read-only files ---------
    Case(
        "lint",
        "--fix Adam(..., weight_decay=0.1, decoupled_weight_decay=False)",
        lambda: _fix_file(
            HEADER
            + "opt = torch.optim.Adam(params, weight_decay=0.1, decoupled_weight_decay=False)\n"
        ),
        expect="ok",
        check=_fixed_and_builds("decoupled_weight_decay=True)"),
        kind="data",
    ),
    Case(
        "lint",
        "--fix `from torch.optim import Adam` leaves no unused import (ruff F401)",
        lambda: _fix_file(
            "from torch.optim import Adam\n\n\ndef build(model):\n"
            "    return Adam(model.parameters(), weight_decay=0.1)\n"
        ),
        expect="ok",
        check=_no_unused_import,
        kind="data",
    ),
    Case(
        "lint",
        "--fix on a read-only file",
        _fix_read_only,
        expect="ok",
        check=_read_only_untouched,
        kind="data",
    ),
    # -- defect 7: walking, strings for lists, closed or full stdout, config typos ----------------
    Case(
        "lint",
        "lint a tree with symlink cycles (sub/loop -> .., subalias -> sub)",
        _symlink_cycle,
        expect="ok",
        check=_one_finding_in("sub/train.py"),
        timeout=90,
    ),
    Case(
        "lint",
        "lint_paths('/abs/path.py') (a str, not a list)",
        _lint_paths_one_str,
        expect="ok",
        check=lambda rep: (
            (rep.summary["files"] == 1 and rep.codes == ["SG101", "SG102"]) or str(rep.summary)
        ),
    ),
    Case(
        "lint",
        "stepguard lint dir >&- (stdout closed)",
        lambda: _shell("$SG lint --isolated . >&-", {"train.py": BAD}),
        expect="ok",
        check=lambda p: cli_error(p, r"standard output is closed"),
    ),
    Case(
        "lint",
        "stepguard lint dir >/dev/full",
        lambda: _shell("$SG lint --isolated . >/dev/full", {"train.py": BAD}),
        expect="ok",
        check=lambda p: cli_error(p, r"cannot write the report to stdout: No space left on device"),
    ),
    Case(
        "lint",
        "[tool.stepguard] ignores = [...] (a typo)",
        lambda: cli(
            "lint",
            "train.py",
            cwd=_project(
                {"train.py": BAD, "pyproject.toml": '[tool.stepguard]\nignores = ["SG102"]\n'}
            ),
        ),
        expect="ok",
        check=lambda p: cli_error(
            p, r"unknown key 'ignores' in \[tool\.stepguard\]; did you mean 'ignore'"
        ),
    ),
    Case(
        "lint",
        'stepguard lint --select ""',
        lambda: cli(
            "lint", "--isolated", "--select", "", "train.py", cwd=_project({"train.py": BAD})
        ),
        expect="ok",
        check=lambda p: cli_error(p, r"--select '' names no rule"),
    ),
    # -- defect 11 (linter part): raw errors that do not name the argument ------------------------
    Case(
        "lint",
        "lint_source(None)",
        lambda: lint_source(None),
        match=r"lint_source: source must be a str",
        errors=(TypeError,),
    ),  # type: ignore[arg-type]
    Case(
        "lint",
        'lint_source(b"...")',
        lambda: lint_source(b"opt.step()\n"),  # type: ignore[arg-type]
        match=r"source must be a str.*got bytes; decode it first",
        errors=(TypeError,),
    ),
    # -- our own edge inputs ------------------------------------------------------------------------
    Case(
        "lint",
        "fix_source(None)",
        lambda: fix_source(None),
        match=r"fix_source: source must be a str",
        errors=(TypeError,),
    ),  # type: ignore[arg-type]
    Case(
        "lint",
        "lint_source(src, config={'select': ...})",
        lambda: lint_source("x = 1\n", config={"select": ["SG1"]}),  # type: ignore[arg-type]
        match=r"config must be a LintConfig",
        errors=(TypeError,),
    ),
    Case(
        "lint",
        "lint_paths(None)",
        lambda: lint_paths(None),
        match=r"paths must be a path or a list of paths",
        errors=(TypeError,),
    ),  # type: ignore[arg-type]
    Case(
        "lint",
        "lint_paths(['train.py', None])",
        lambda: lint_paths(["train.py", None]),  # type: ignore[list-item]
        match=r"holding NoneType",
        errors=(TypeError,),
    ),
    Case(
        "lint",
        "lint_paths(b'train.py')",
        lambda: lint_paths(b"train.py"),
        match=r"got bytes",
        errors=(TypeError,),
    ),  # type: ignore[arg-type]
    Case(
        "lint",
        "lint_paths('.', select='')",
        lambda: lint_paths(".", select=""),
        match=r"select '' names no rule",
    ),
    Case(
        "lint",
        "lint_paths(path, select='SG1') (a str selector)",
        lambda: lint_paths(str(_project({"t.py": BAD}) / "t.py"), select="SG1"),
        expect="ok",
        check=lambda rep: rep.codes == ["SG101", "SG102"] or str(rep.codes),
    ),
    Case(
        "lint",
        "lint_paths('missing.py')",
        lambda: lint_paths("definitely-missing-file.py"),
        match=r"no such file or directory: definitely-missing-file\.py",
        errors=(FileNotFoundError,),
    ),
    Case(
        "lint",
        "--fix through a symlinked file",
        _symlinked_file_fixed,
        expect="ok",
        check=_link_kept,
        kind="data",
    ),
    Case(
        "lint",
        "--fix a file that parses but does not compile (`return` at module level)",
        lambda: _fix_file(NOT_COMPILING),
        expect="ok",
        check=_unchanged("a file that does not compile", NOT_COMPILING),
        kind="data",
    ),
    Case(
        "lint",
        "--fix a CRLF file",
        lambda: _fix_file(CRLF, "--select", "SG101"),
        expect="ok",
        check=lambda r: (
            (r["once"] == CRLF.replace("optim.Adam(", "optim.AdamW(") and r["twice"] == r["once"])
            or repr(r["once"])
        ),
        kind="data",
    ),
    Case(
        "lint",
        "--fix a file with a byte-order mark",
        lambda: _fix_file("\ufeff" + BAD, "--select", "SG101"),
        expect="ok",
        check=lambda r: (
            r["once"] == "\ufeff" + BAD.replace("optim.Adam(", "optim.AdamW(")
            or repr(r["once"][:60])
        ),
        kind="data",
    ),
    Case(
        "lint",
        "--diff together with --fix writes nothing",
        lambda: _fix_file(BAD, "--diff"),
        expect="ok",
        check=_unchanged("the file", BAD),
        kind="data",
    ),
    Case(
        "lint",
        "-o into a missing directory",
        lambda: cli(
            "lint",
            "--isolated",
            "-o",
            "no/such/dir/report.txt",
            "train.py",
            cwd=_project({"train.py": BAD}),
        ),
        expect="ok",
        check=lambda p: cli_error(
            p, r"no/such/dir/report\.txt: cannot write \(No such file or directory\)"
        ),
    ),
    Case(
        "lint",
        "pyproject.toml that is not UTF-8",
        lambda: _shell(
            "printf '[tool.stepguard]\\nselect = [\"\\377\"]\\n' > pyproject.toml && $SG lint train.py",
            {"train.py": BAD},
        ),
        expect="ok",
        check=lambda p: cli_error(p, r"pyproject\.toml: cannot read it .*--isolated"),
    ),
    Case(
        "lint",
        "[tool.stepguard] select = []",
        lambda: cli(
            "lint",
            "train.py",
            cwd=_project({"train.py": BAD, "pyproject.toml": "[tool.stepguard]\nselect = []\n"}),
        ),
        expect="ok",
        check=lambda p: cli_error(p, r"select is empty, so no rule would run"),
    ),
    Case(
        "lint",
        "stepguard lint dir 2>&- (stderr closed)",
        lambda: _shell("$SG lint --isolated . 2>&-", {"train.py": BAD}),
        expect="ok",
        check=lambda p: (p.returncode == 1 and "SG101" in p.stdout) or f"exit {p.returncode}",
    ),
    Case(
        "lint",
        "lint_source on a file deeper than the parser's nesting limit",
        lambda: lint_source("loss.backward(" + "(" * 500 + ")" * 501 + "\n"),
        match=r"cannot parse|too many nested parentheses",
        errors=(SyntaxError,),
    ),
    Case(
        "lint",
        "fix_source with every rule deselected by ignore",
        lambda: fix_source(BAD, config=LintConfig(ignore=("SG",))),
        expect="ok",
        check=lambda r: (r[0] == BAD and r[1] == [] and r[2] == 0) or repr(r),
    ),
    # Round-4 window shapes (tests/test_lint_window4.py): odd inputs around them.
    Case(
        "lint",
        "window length from a tuple unpacking with unequal sides (B, T = 16)",
        lambda: lint_source(_WINDOW.format(sizes="B, T = 16")),
        expect="ok",
        check=lambda r: _latent_sg210(r),
    ),
    Case(
        "lint",
        "window length from a starred unpacking (B, *T = 16, 1024, 3)",
        lambda: lint_source(_WINDOW.format(sizes="B, *T = 16, 1024, 3")),
        expect="ok",
        check=lambda r: _latent_sg210(r),
    ),
    Case(
        "lint",
        "torch.device given a name that is not a device ('tpu0').type",
        lambda: lint_source(_AMP_DEVICE),
        expect="ok",
        check=lambda r: (
            ([v.finding.code for v in r] == ["SG211"] and v_latent(r[0]))
            or [v.finding.message for v in r]
        ),
    ),
    Case(
        "lint",
        "project wrapping two models in DDP around a trainer handed one of them",
        lambda: _two_ddp_models(),
        expect="ok",
        check=lambda r: [f.code for f in r] == [] or [f.message for f in r],
    ),
    # Round-5 window shapes (tests/test_lint_window5.py): odd inputs around them.
    Case(
        "lint",
        "GradScaler(enabled=<dict of a dtype and a str>[key] == 'float16'): not certainly off",
        lambda: lint_source(_SCALER.format(dtype='{"a": torch.float16, "b": "float16"}[key]')),
        expect="ok",
        check=lambda r: [v.finding.code for v in r] == ["SG211"] or repr(r),
    ),
    Case(
        "lint",
        "GradScaler(enabled={}[key] == 'float16'): an empty dict is no dtype",
        lambda: lint_source(_SCALER.format(dtype="{}[key]")),
        expect="ok",
        check=lambda r: [v.finding.code for v in r] == ["SG211"] or repr(r),
    ),
    Case(
        "lint",
        "GradScaler(enabled=dt == 'float16') with dt bound to itself",
        lambda: lint_source(
            _SCALER.format(dtype="dt").replace("    for x", "    dt = dt\n    for x")
        ),
        expect="ok",
        check=lambda r: [v.finding.code for v in r] == ["SG211"] or repr(r),
    ),
    Case(
        "lint",
        "a scheduler helper that calls itself (SG205 reads helper-built lengths)",
        lambda: lint_source(_SELF_SCHED),
        expect="ok",
        check=lambda r: isinstance(r, list) or repr(r),
    ),
    Case(
        "lint",
        "for i, s in enumerate(schedulers): s.step() before scaler.step (tuple target)",
        lambda: lint_source(_TUPLE_SCHED),
        expect="ok",
        check=lambda r: isinstance(r, list) or repr(r),
    ),
    Case(
        "lint",
        "parse_with_config(parser) with --config required=<not a constant>",
        lambda: lint_source(_CONFIG_READER),
        expect="ok",
        check=lambda r: (
            (
                [v.finding.code for v in r] == ["SG201"]
                and r[0].finding.data.get("activity") == "active"
            )
            or repr([v.finding.message for v in r])
        ),
    ),
]

_SCALER = (
    "import torch\ndef f(model, loader, optimizer, sched, key):\n"
    "    scaler = torch.cuda.amp.GradScaler(enabled={dtype} == 'float16')\n"
    "    for x in loader:\n        scaler.scale(model(x)).backward()\n"
    "        scaler.step(optimizer)\n        scaler.update()\n        sched.step()\n"
)
_SELF_SCHED = (
    "import torch\ndef get_scheduler(opt, n):\n    return get_scheduler(opt, n)\n"
    "def train(model, loader, k=4):\n    opt = torch.optim.SGD(model.parameters(), lr=0.1)\n"
    "    sched = get_scheduler(opt, len(loader))\n    for i, x in enumerate(loader):\n"
    "        (model(x) / k).backward()\n        if (i + 1) % k == 0:\n"
    "            opt.step()\n            sched.step()\n            opt.zero_grad()\n"
)
_TUPLE_SCHED = (
    "import torch\ndef f(model, loader, optimizer, schedulers):\n"
    "    scaler = torch.cuda.amp.GradScaler()\n    for x in loader:\n"
    "        scaler.scale(model(x)).backward()\n"
    "        for i, s in enumerate(schedulers):\n            s.step()\n"
    "        scaler.step(optimizer)\n        scaler.update()\n"
)
_CONFIG_READER = (
    "import argparse\nimport torch\nfrom utils import parse_with_config, REQ\n"
    "def main(opts, model, loader):\n"
    "    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
    "    for step, x in enumerate(loader):\n        loss = criterion(model(x), x)\n"
    "        loss.backward()\n        if (step + 1) % opts.accum == 0:\n"
    "            optimizer.step()\n            optimizer.zero_grad()\n"
    "if __name__ == '__main__':\n    parser = argparse.ArgumentParser()\n"
    "    parser.add_argument('--accum', type=int, default=4)\n"
    "    parser.add_argument('--config', required=REQ)\n"
    "    main(parse_with_config(parser), None, None)\n"
)

_WINDOW = (
    "import torch\n{sizes}\nk = 524288 // (B * 1024)\nfor step in range(10):\n"
    "    for micro in range(k):\n        optimizer.zero_grad()\n"
    "        loss = model(x) / k\n        loss.backward()\n    optimizer.step()\n"
)
_AMP_DEVICE = (
    "import torch\ndevice = torch.device('tpu0')\n"
    "scaler = torch.cuda.amp.GradScaler(enabled=device.type == 'cuda')\n"
    "for x in loader:\n    scaler.scale(model(x)).backward()\n    scaler.step(optimizer)\n"
    "    scaler.update()\n    scheduler.step()\n"
)
_FIT = (
    "def fit(model, loader, optimizer, k=4):\n    for i, x in enumerate(loader):\n"
    "        (model(x) / k).backward()\n        if (i + 1) % k == 0:\n"
    "            optimizer.step()\n            optimizer.zero_grad()\n"
)


def _two_ddp_models() -> list[Any]:
    launch = (
        "from torch.nn.parallel import DistributedDataParallel as D\n"
        "from pkg.t import fit\n"
        "a = D(net_a)\nb = D(net_b)\nfit(a, loader, opt)\n"
    )
    return list(lint_paths([_project({"launch.py": launch, "t.py": _FIT})]).findings)


def v_latent(v: Any) -> bool:
    return bool(v.finding.data.get("activity") == "latent")


def _latent_sg210(r: Any) -> bool | str:
    codes = [v.finding.code for v in r]
    if codes != ["SG210"] or not v_latent(r[0]):
        return repr([v.finding.message for v in r])
    return True

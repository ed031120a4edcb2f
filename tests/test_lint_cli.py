"""`stepguard lint` on the command line: output, exit codes, selection, noqa, config, fix and diff."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from stepguard.lint._cli import main
from stepguard.lint._engine import lint_paths

ADAM = "opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-2)\n"
BAD = "import torch\n\n" + ADAM
GOOD = "import torch\n\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\n"
LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>SG\d{3}) \S")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def codes(out: str) -> list[str]:
    return [m["code"] for m in map(LINE.match, out.splitlines()) if m]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.py").write_text(BAD)
    (tmp_path / "good.py").write_text(GOOD)
    return tmp_path


def test_findings_print_path_line_col_code_and_exit_1(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "bad.py", "--select", "SG101")
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 1
    m = LINE.match(lines[0])
    assert (
        m
        and m["path"] == "bad.py"
        and m["line"] == "3"
        and m["col"] == "7"
        and m["code"] == "SG101"
    )
    assert "1 finding in 1 file" in err


def test_clean_file_exits_0_with_empty_stdout(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "good.py")
    assert (code, out) == (0, "")
    assert "all checks passed (1 file)" in err


def test_directory_argument_lints_every_python_file(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, ".", "--select", "SG101")
    assert code == 1
    assert [LINE.match(x)["path"] for x in out.splitlines()] == ["bad.py"]  # type: ignore[index]


@pytest.mark.parametrize(
    "argv",
    [
        ["--no-such-option", "bad.py"],
        ["--select", "XX1", "bad.py"],
        ["--ignore", "SG9", "bad.py"],
        ["missing.py"],
        ["--format", "xml", "bad.py"],
        ["--max-file-size", "0", "bad.py"],
        ["--config", "nowhere.toml", "bad.py"],
    ],
)
def test_usage_errors_exit_2(
    project: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.strip()


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], ["SG101", "SG102"]),
        (["--select", "SG1"], ["SG101", "SG102"]),
        (["--select", "SG2"], []),
        (["--select", "SG101"], ["SG101"]),
        (["--select", "SG101,SG102"], ["SG101", "SG102"]),
        (["--ignore", "SG101"], ["SG102"]),
        (["--select", "SG1", "--ignore", "SG10"], []),
        (["--select", "SG101", "--ignore", "SG1"], ["SG101"]),  # the more specific selector wins
        (["--select", "ALL", "--ignore", "sg102"], ["SG101"]),
    ],
)
def test_select_and_ignore_match_code_prefixes(
    project: Path, capsys: pytest.CaptureFixture[str], argv: list[str], expected: list[str]
) -> None:
    code, out, _ = run(capsys, "bad.py", *argv)
    assert codes(out) == expected
    assert code == (1 if expected else 0)


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        ("", ["SG101", "SG102"]),
        ("  # noqa", []),
        ("  # noqa: SG101", ["SG102"]),
        ("  # noqa:SG101,SG102", []),
        ("  # NOQA: SG101 SG102", []),
        ("  # noqa: SG202", ["SG101", "SG102"]),
        ("  # noqa: SG1", []),
    ],
)
def test_noqa_suppresses_blanket_or_listed_codes(
    project: Path, capsys: pytest.CaptureFixture[str], comment: str, expected: list[str]
) -> None:
    (project / "bad.py").write_text(BAD.rstrip("\n") + comment + "\n")
    code, out, _ = run(capsys, "bad.py")
    assert codes(out) == expected
    assert code == (1 if expected else 0)


def test_noqa_inside_a_string_does_not_suppress(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = 'import torch\n\nopt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-2, name="# noqa")\n'
    (project / "bad.py").write_text(src)
    assert codes(run(capsys, "bad.py", "--select", "SG101")[1]) == ["SG101"]


def test_pyproject_config_selects_ignores_and_excludes(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "legacy").mkdir()
    (project / "legacy" / "old.py").write_text(BAD)
    (project / "tests").mkdir()
    (project / "tests" / "t.py").write_text(BAD)
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.stepguard]\nignore = ["SG102"]\nexclude = ["legacy"]\n\n'
        '[tool.stepguard.per-file-ignores]\n"tests/*" = ["SG1"]\n'
    )
    code, out, _ = run(capsys, ".")
    assert code == 1
    assert [(m["path"], m["code"]) for m in map(LINE.match, out.splitlines()) if m] == [
        ("bad.py", "SG101")
    ]
    # --isolated ignores the file; --select on the command line replaces the file's selection.
    code, out, _ = run(capsys, ".", "--isolated")
    assert sorted(set(codes(out))) == ["SG101", "SG102"] and len(codes(out)) == 6
    code, out, _ = run(capsys, "bad.py", "--select", "SG102")
    assert codes(out) == []  # still ignored by the file: ignore of equal specificity wins


def test_config_found_from_a_subdirectory_and_read_from_lint_subtable(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pyproject.toml").write_text('[tool.stepguard.lint]\nselect = ["SG102"]\n')
    sub = project / "pkg"
    sub.mkdir()
    (sub / "train.py").write_text(BAD)
    assert codes(run(capsys, "pkg")[1]) == ["SG102"]


def test_invalid_config_is_a_usage_error_naming_the_key(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pyproject.toml").write_text('[tool.stepguard]\nselect = ["SG999"]\n')
    code, _, err = run(capsys, "bad.py")
    assert code == 2 and "SG999" in err
    (project / "pyproject.toml").write_text("[tool.stepguard]\nselect = [\n")
    code, _, err = run(capsys, "bad.py")
    assert code == 2 and "invalid TOML" in err
    (project / "pyproject.toml").write_text('[tool.stepguard.lint]\nselct = ["SG1"]\n')
    code, _, err = run(capsys, "bad.py")
    assert code == 2 and "selct" in err


def test_default_skips_virtualenvs_build_hidden_and_caches(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for folder in [
        ".venv",
        "venv",
        "myenv",
        "build",
        "dist",
        ".hidden",
        "__pycache__",
        "site-packages",
        "x.egg-info",
    ]:
        (project / folder).mkdir()
        (project / folder / "train.py").write_text(BAD)
    (project / "myenv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (project / "src").mkdir()
    (project / "src" / "train.py").write_text(BAD)
    code, out, _ = run(capsys, ".", "--format", "json", "--select", "SG101")
    doc = json.loads(out)
    assert code == 1
    assert doc["files"] == 3  # bad.py, good.py, src/train.py
    assert sorted(f["path"] for f in doc["findings"]) == ["bad.py", "src/train.py"]
    # A skipped folder named explicitly is linted; --exclude removes files and folders by glob.
    assert codes(run(capsys, ".venv", "--select", "SG101")[1]) == ["SG101"]
    assert (
        codes(run(capsys, ".", "--select", "SG101", "--exclude", "src", "--exclude", "bad.py")[1])
        == []
    )


def test_unreadable_files_are_skipped_with_one_stderr_line_each(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "broken.py").write_text(
        "opt = torch.optim.Adam(model.parameters(), weight_decay=0.1\n"
    )
    (project / "latin1.py").write_bytes("# caf\xe9\nopt.step()\n".encode("latin-1"))
    (project / "nul.py").write_bytes(b"loss.backward()\x00\n")
    (project / "huge.py").write_text("x = 1\n" * 100 + "opt.step()\n")
    code, out, err = run(capsys, ".", "--max-file-size", "500", "--select", "SG101")
    assert code == 1 and codes(out) == ["SG101"]
    skipped = dict(
        line.split(": skipped: ", 1) for line in err.splitlines() if ": skipped: " in line
    )
    assert set(skipped) == {"broken.py", "latin1.py", "nul.py", "huge.py"}
    assert skipped["broken.py"].startswith("does not parse")
    assert skipped["latin1.py"].startswith("not UTF-8 (byte 0xe9")
    assert skipped["nul.py"].startswith("does not parse")
    assert skipped["huge.py"].startswith("larger than the size limit (611 > 500 bytes")
    # Skipped files alone do not fail the run.
    code, out, err = run(capsys, "broken.py", "latin1.py")
    assert (code, out) == (0, "") and err.count(": skipped: ") == 2
    assert "all checks passed (2 files, 2 skipped)" in err


def test_fix_rewrites_adam_to_adamw_keeping_comments_then_lints_clean(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = (
        "from torch.optim import Adam  # optimizers\n\n\n"
        "def build(model):\n    # keep this comment\n"
        "    return Adam(model.parameters(), lr=1e-3, weight_decay=1e-2)  # tuned\n"
    )
    (project / "bad.py").write_text(src)
    code, out, err = run(capsys, "bad.py", "--fix", "--select", "SG101")
    assert (code, out) == (0, "")
    assert "1 fixed" in err
    fixed = (project / "bad.py").read_text()
    # The import names AdamW instead of the Adam it no longer uses (no unused import is left).
    assert fixed == src.replace("import Adam ", "import AdamW ").replace(
        "return Adam(", "return AdamW("
    )
    assert run(capsys, "bad.py", "--select", "SG101")[0] == 0


def test_fix_reports_what_remains_and_leaves_noqa_lines_alone(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = BAD + ADAM.rstrip("\n") + "  # noqa: SG101\n"
    (project / "bad.py").write_text(src)
    code, out, err = run(capsys, "bad.py", "--fix")
    assert code == 1 and "1 fixed" in err
    assert codes(out) == ["SG102", "SG102"]  # SG102 has no safe fix
    text = (project / "bad.py").read_text()
    assert text.count("torch.optim.AdamW(") == 1 and text.count("torch.optim.Adam(") == 1


def test_diff_prints_the_fix_without_writing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "bad.py", "--diff")
    assert code == 1
    assert out.splitlines()[:2] == ["--- a/bad.py", "+++ b/bad.py"]
    assert "-" + ADAM.rstrip("\n") in out.splitlines()
    assert "+" + ADAM.rstrip("\n").replace("Adam(", "AdamW(") in out.splitlines()
    assert (project / "bad.py").read_text() == BAD
    assert run(capsys, "good.py", "--diff")[:2] == (0, "")


def test_json_format_lists_findings_with_fixability(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, ".", "--format", "json")
    doc = json.loads(out)
    assert code == 1 and doc["files"] == 2 and doc["skipped"] == []
    assert [(f["code"], f["line"], f["col"], f["fixable"]) for f in doc["findings"]] == [
        ("SG101", 3, 7, True),
        ("SG102", 3, 7, False),
    ]


def test_sarif_format_and_output_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, ".", "--format", "sarif", "-o", "out.sarif")
    assert (code, out) == (1, "")
    log = json.loads((project / "out.sarif").read_text())
    run_ = log["runs"][0]
    assert log["version"] == "2.1.0"
    assert [r["ruleId"] for r in run_["results"]] == ["SG101", "SG102"]
    assert (
        run_["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        == "bad.py"
    )
    # The rules that ran are described even when nothing is found.
    code, out, _ = run(capsys, "good.py", "--format", "sarif")
    assert code == 0
    assert {"SG101", "SG102"} <= {
        r["id"] for r in json.loads(out)["runs"][0]["tool"]["driver"]["rules"]
    }


def test_statistics_counts_per_code(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "two.py").write_text(BAD + ADAM)
    code, out, _ = run(capsys, ".", "--statistics")
    assert code == 1
    assert out.splitlines() == [
        "3  SG101  [*] coupled-weight-decay",
        "3  SG102  decay-on-no-decay-param",
    ]


def test_exit_zero_and_quiet(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "bad.py", "--exit-zero", "--quiet")
    assert code == 0 and len(codes(out)) == 2 and err == ""


def test_lint_paths_returns_a_report(project: Path) -> None:
    report = lint_paths([project / "bad.py", "good.py"], select=["SG1"], ignore=["SG102"])
    assert report.codes == ["SG101"]
    assert report.summary == {"files": 2, "skipped": {}, "active": 1}
    with pytest.raises(FileNotFoundError, match=r"nope\.py"):
        lint_paths(["nope.py"])


def test_console_script_dispatches_to_lint(project: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "stepguard", "lint", "bad.py", "--select", "SG101"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert codes(proc.stdout) == ["SG101"]


def test_importing_the_linter_does_not_import_torch() -> None:
    # The flake8 plugin is loaded on every flake8 run; torch would add seconds to each.
    code = (
        "import sys, stepguard.lint, stepguard.lint._cli, stepguard.lint.flake8_plugin, stepguard.lint._engine\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'numpy', 'transformers'))\n"
        "print(bad)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"


FIXTURES = Path(__file__).resolve().parent / "lint_fixtures"
FIXED = sorted(FIXTURES.glob("*/*.fixed"))


@pytest.mark.parametrize("expected", FIXED, ids=[f"{p.parent.name}/{p.stem}" for p in FIXED])
def test_fix_and_diff_on_every_fixture_with_a_safe_fix(
    expected: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = expected.parent.name
    original = expected.with_suffix(".py").read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    Path("train.py").write_text(original, encoding="utf-8")
    status, out, _ = run(capsys, "train.py", "--diff", "--select", code, "--isolated")
    assert status == 1 and out.startswith("--- a/train.py\n+++ b/train.py\n")
    assert Path("train.py").read_text(encoding="utf-8") == original  # --diff writes nothing
    status, out, _ = run(
        capsys, "train.py", "--fix", "--select", code, "--isolated", "--format", "json"
    )
    assert Path("train.py").read_text(encoding="utf-8") == expected.read_text(encoding="utf-8")
    left = json.loads(out)["findings"]
    assert status == (1 if left else 0)
    assert not any(f["fixable"] for f in left)  # fixed point: what remains has no safe fix
    # Linting the fixed file reports exactly what --fix said remains, and --diff has nothing to add.
    assert codes(run(capsys, "train.py", "--select", code, "--isolated")[1]) == [
        f["code"] for f in left
    ]
    assert run(capsys, "train.py", "--diff", "--select", code, "--isolated")[:2] == (0, "")


# -- file safety: atomic writes, read-only files, failed writes ----------------------------------


def _stepguard(
    *args: str, cwd: Path, preexec: object = None, **kw: object
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stepguard", "lint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=preexec,  # type: ignore[arg-type]
        check=False,
        **kw,  # type: ignore[arg-type]
    )


def _limit_file_size() -> None:
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file-size limits")
def test_fix_that_cannot_be_written_leaves_the_file_byte_identical(tmp_path: Path) -> None:
    # 178 KB, larger than the 64 KiB file-size limit: writing the fixed text fails midway.
    padding = "".join(
        f"x_{i} = {i}  # a line of padding to make the file large\n" for i in range(3000)
    )
    big = tmp_path / "train.py"
    big.write_text(BAD + padding)
    before = big.read_bytes()
    assert len(before) > 170_000
    proc = _stepguard(
        "--fix", "--isolated", "-q", "train.py", cwd=tmp_path, preexec=_limit_file_size
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == "train.py: cannot write (File too large); the file is unchanged"
    assert big.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["train.py"]  # no temporary file left
    # The findings of the file as it is on disk are reported, the fixable one included.
    assert codes(proc.stdout) == ["SG101", "SG102"]


def test_read_only_file_is_not_fixed_and_its_findings_remain(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = project / "bad.py"
    bad.chmod(0o444)
    try:
        status, out, err = run(capsys, "bad.py", "good.py", "--fix")
        assert bad.read_text() == BAD and (bad.stat().st_mode & 0o777) == 0o444
    finally:
        bad.chmod(0o644)
    assert status == 2
    assert "bad.py: cannot write (read-only file); the file is unchanged" in err
    assert "0 fixed" in err and "1 fixed" not in err
    assert codes(out) == ["SG101", "SG102"]


def test_fix_keeps_the_mode_and_writes_through_a_symlink(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = project / "shared" / "train.py"
    real.parent.mkdir()
    real.write_text(BAD)
    real.chmod(0o750)
    link = project / "train.py"
    link.symlink_to(real)
    status, _, err = run(capsys, "train.py", "--fix", "--select", "SG101")
    assert (status, "1 fixed" in err) == (0, True)
    assert link.is_symlink() and "AdamW" in real.read_text()
    assert (real.stat().st_mode & 0o777) == 0o750


def test_file_edited_while_being_linted_is_not_overwritten(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from stepguard.lint import _engine

    real_lint_file = _engine.lint_file

    def lint_then_edit(path: str, *args: object, **kw: object) -> object:
        result = real_lint_file(path, *args, **kw)  # type: ignore[arg-type]
        Path(path).write_text(BAD + "# edited meanwhile\n")
        return result

    monkeypatch.setattr(_engine, "lint_file", lint_then_edit)
    status, _, err = run(capsys, "bad.py", "--fix")
    assert status == 2 and "changed on disk while being linted; not fixed" in err
    assert (project / "bad.py").read_text() == BAD + "# edited meanwhile\n"


# -- walking, output streams, configuration ------------------------------------------------------


def test_symlink_cycles_terminate(project: Path) -> None:
    sub = project / "sub"
    sub.mkdir()
    (sub / "train.py").write_text(BAD)
    (sub / "loop").symlink_to("..", target_is_directory=True)
    (project / "subalias").symlink_to("sub", target_is_directory=True)
    proc = _stepguard(".", "--isolated", "--select", "SG101", cwd=project)
    assert proc.returncode == 1, proc.stderr
    # Each file once, however many links lead to it.
    assert sorted(m["path"] for m in map(LINE.match, proc.stdout.splitlines()) if m) == [
        "bad.py",
        "sub/train.py",
    ]


def test_lint_paths_accepts_one_path_and_rejects_what_is_not_a_path(project: Path) -> None:
    one = lint_paths(str(project / "bad.py"), select="SG101")
    assert one.codes == ["SG101"] and one.summary["files"] == 1
    assert lint_paths(project / "bad.py").summary["files"] == 1
    for bad in (None, b"bad.py", 3, ["bad.py", None], {"bad.py": 1}):
        with pytest.raises(TypeError, match=r"lint_paths: paths must be a path or a list of paths"):
            lint_paths(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"select '' names no rule"):
        lint_paths("bad.py", select="")


# A full disk is simulated with Linux's /dev/full (every write fails with ENOSPC); the case is
# collected only where that device exists, so it never shows up as a skip.
_OUTPUTS = [
    pytest.param({"stdout": subprocess.DEVNULL}, None, id="devnull"),
    pytest.param("closed", "stdout is closed", id="closed"),
]
if Path("/dev/full").exists():
    _OUTPUTS.append(pytest.param("full", "No space left on device", id="full"))


@pytest.mark.parametrize(("redirect", "reason"), _OUTPUTS)
def test_an_unwritable_stdout_is_one_line_on_stderr_and_exit_2(
    project: Path, redirect: object, reason: str | None
) -> None:
    cmd = [sys.executable, "-m", "stepguard", "lint", "--isolated", "."]
    if redirect == "closed":
        proc = subprocess.run(
            ["sh", "-c", '"$@" >&-', "sh", *cmd],
            cwd=project,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    elif redirect == "full":
        with open("/dev/full", "w") as full:
            proc = subprocess.run(
                cmd, cwd=project, stdout=full, stderr=subprocess.PIPE, text=True, timeout=120
            )
    else:
        proc = subprocess.run(
            cmd, cwd=project, stderr=subprocess.PIPE, text=True, timeout=120, **redirect
        )  # type: ignore[arg-type]
    if reason is None:
        assert proc.returncode == 1  # findings, written to the null device
        return
    assert (
        proc.returncode == 2 and "Traceback" not in proc.stderr and "Exception" not in proc.stderr
    )
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    if redirect == "closed":  # caught by `stepguard` itself, before any subcommand runs
        assert "standard output is closed" in lines[0]
    else:
        assert lines[0] == f"stepguard lint: cannot write the report to stdout: {reason}"


def test_empty_select_is_an_error_not_all_checks_passed(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for value in ("", ",", " "):
        status, out, err = run(capsys, "bad.py", "--select", value)
        assert (status, out) == (2, "")
        assert (
            "names no rule, so nothing would be checked" in err and "all checks passed" not in err
        )


def test_unknown_config_key_is_an_error_naming_it_and_the_valid_keys(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pyproject.toml").write_text('[tool.stepguard]\nignores = ["SG102"]\n')
    status, out, err = run(capsys, "bad.py")
    assert (status, out) == (2, "")
    assert err.strip() == (
        f"stepguard lint: {project / 'pyproject.toml'}: unknown key 'ignores' in [tool.stepguard]; "
        "did you mean 'ignore'? valid keys: select, ignore, exclude, per-file-ignores, "
        "max-file-size, lint"
    )

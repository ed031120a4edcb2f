"""Rule selection, `[tool.stepguard]` configuration and file discovery of `stepguard lint`."""

from __future__ import annotations

from pathlib import Path

import pytest

from stepguard.catalog import CATALOG
from stepguard.lint import _config as config_module
from stepguard.lint._config import (
    ConfigError,
    LintConfig,
    find_pyproject,
    is_selected,
    load_config,
    parse_selectors,
)
from stepguard.lint._files import discover


@pytest.mark.parametrize(
    ("select", "ignore", "selected"),
    [
        (["SG"], [], 18),
        (["SG2"], [], 12),
        (["SG20"], [], 9),
        (["SG2"], ["SG202"], 11),
        (["SG202"], ["SG2"], 1),
        (["SG2"], ["SG2"], 0),
        (["SG1", "SG211"], ["SG10"], 1),
    ],
)
def test_longest_prefix_wins_between_select_and_ignore(
    select: list[str], ignore: list[str], selected: int
) -> None:
    assert sum(is_selected(code, select, ignore) for code in CATALOG) == selected


def test_selectors_are_normalised_and_checked() -> None:
    assert parse_selectors(["sg2, SG101", "ALL"]) == ("SG2", "SG101", "SG")
    with pytest.raises(ConfigError, match="unknown select 'E501'"):
        parse_selectors(["E501"], "select")
    with pytest.raises(ConfigError, match="not a string"):
        parse_selectors([3], "select")  # type: ignore[list-item]


def test_per_file_ignores_apply_to_matching_paths_only(tmp_path: Path) -> None:
    cfg = LintConfig(
        per_file_ignores=(("tests/*", ("SG2",)), ("*_legacy.py", ("SG101",))), root=tmp_path
    )
    assert not cfg.enabled("SG202", str(tmp_path / "tests" / "test_x.py"))
    assert cfg.enabled("SG101", str(tmp_path / "tests" / "test_x.py"))
    assert cfg.enabled("SG202", str(tmp_path / "src" / "train.py"))
    assert not cfg.enabled("SG101", str(tmp_path / "src" / "old_legacy.py"))


def test_nearest_pyproject_with_a_stepguard_table_is_used(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.stepguard]\nignore = ["SG205"]\nmax-file-size = 2048\n'
    )
    inner = tmp_path / "pkg" / "sub"
    inner.mkdir(parents=True)
    (tmp_path / "pkg" / "pyproject.toml").write_text(
        "[tool.ruff]\nline-length = 99\n"
    )  # no stepguard table
    found = find_pyproject(inner)
    assert found == tmp_path / "pyproject.toml"
    cfg = load_config(found)
    assert cfg.ignore == ("SG205",) and cfg.max_file_size == 2048 and cfg.root == tmp_path.resolve()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[tool.stepguard]\nselect = "SG9"\n', "unknown select 'SG9'"),
        ("[tool.stepguard]\nselect = [1]\n", "list of strings"),
        ("[tool.stepguard]\nmax-file-size = -1\n", "positive integer"),
        ("[tool.stepguard]\nper-file-ignores = 3\n", "must map globs"),
        ('[tool.stepguard.lint]\nignores = ["SG1"]\n', "unknown key 'ignores'"),
        (
            '[tool.stepguard]\nignores = ["SG1"]\n',
            r"unknown key 'ignores' in \[tool.stepguard\]; did you mean 'ignore'\? valid keys: "
            "select, ignore, exclude, per-file-ignores, max-file-size, lint",
        ),
        ('[tool.stepguard]\nexclud = ["x"]\n', "unknown key 'exclud'.*did you mean 'exclude'"),
        ("[tool.stepguard]\nselect = []\n", "select is empty, so no rule would run"),
        ('[tool.stepguard]\nselect = [","]\n', "select is empty"),
        ("[tool.stepguard\n", "invalid TOML"),
    ],
)
def test_invalid_configuration_names_the_problem(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(body)
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_without_a_toml_parser_the_message_says_to_install_tomli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Python 3.10 has no tomllib; stepguard then needs the `tomli` backport.
    monkeypatch.setattr(config_module, "_toml_module", lambda: None)
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.stepguard]\nignore = ["SG205"]\n')
    with pytest.raises(ConfigError, match="pip install tomli"):
        load_config(path)
    # A pyproject.toml that cannot configure stepguard does not need a parser at all.
    path.write_text('[project]\nname = "x"\n')
    assert load_config(path).ignore == ()


def test_discovery_walks_sorted_and_skips_environments(tmp_path: Path) -> None:
    for rel in [
        "b.py",
        "a.py",
        "notes.txt",
        "pkg/mod.py",
        "pkg/.cache/x.py",
        "env/agent.py",  # an RL project's `env` package is code, not a virtualenv
        "conda/conda-meta/x.py",
        "conda/lib/y.py",
        "tools/venv2/lib/z.py",
        "node_modules/m.py",
    ]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x = 1\n")
    (tmp_path / "tools" / "venv2" / "pyvenv.cfg").write_text("")
    found = discover([str(tmp_path)], root=tmp_path)
    rel = [Path(f).relative_to(tmp_path).as_posix() for f in found.files]
    assert rel == ["a.py", "b.py", "env/agent.py", "pkg/mod.py"]
    assert found.missing == ()


def test_discovery_excludes_by_glob_reports_missing_and_dedupes(tmp_path: Path) -> None:
    for rel in ["src/train.py", "src/gen_pb2.py", "tests/fixtures/bad.py", "tests/test_x.py"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x = 1\n")
    src = str(tmp_path / "src")
    found = discover(
        [str(tmp_path), src + "/train.py", "nope.py"],
        exclude=["*_pb2.py", "tests/fixtures"],
        root=tmp_path,
    )
    rel = [Path(f).relative_to(tmp_path).as_posix() for f in found.files]
    assert rel == ["src/train.py", "tests/test_x.py"]
    assert found.missing == ("nope.py",)


def test_discovery_visits_each_real_folder_once(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "t.py").write_text("x = 1\n")
    (sub / "loop").symlink_to("..", target_is_directory=True)  # a cycle
    (tmp_path / "subalias").symlink_to("sub", target_is_directory=True)
    (tmp_path / "z.py").write_text("x = 1\n")
    rel = [Path(f).relative_to(tmp_path).as_posix() for f in discover([str(tmp_path)]).files]
    assert rel == ["a.py", "sub/t.py", "z.py"]  # name order, depth first, each file once

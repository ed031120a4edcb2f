"""Which rules run where: rule selection (Ruff-style prefixes) and `[tool.stepguard]` in pyproject.toml.

A selector is a code prefix: ``SG`` (every rule), ``SG2`` (SG2xx), ``SG20`` (SG200-SG209) or a full
code such as ``SG202``; ``ALL`` means ``SG``. When a code matches both `select` and `ignore`, the
longer (more specific) selector wins and a tie ignores it, so ``select = ["SG2"], ignore =
["SG202"]`` runs every SG2xx rule but SG202, and ``select = ["SG202"], ignore = ["SG2"]`` runs SG202.

Configuration lives in the nearest ``pyproject.toml`` (searching upward) that has a
``[tool.stepguard]`` table; keys may also sit in a ``[tool.stepguard.lint]`` sub-table, which wins::

    [tool.stepguard]
    select = ["SG"]
    ignore = ["SG205"]
    exclude = ["legacy/*", "notebooks"]
    max-file-size = 1048576

    [tool.stepguard.per-file-ignores]
    "tests/*" = ["SG2"]
"""

from __future__ import annotations

import difflib
import fnmatch
import importlib
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Any

from stepguard.catalog import CATALOG

__all__ = [
    "DEFAULT_MAX_FILE_SIZE",
    "ConfigError",
    "LintConfig",
    "find_pyproject",
    "is_selected",
    "load_config",
    "parse_select",
    "parse_selectors",
]

DEFAULT_MAX_FILE_SIZE = 1024 * 1024  # bytes; generated or data-like files beyond this are skipped

# Keys of the lint configuration; the TOML spelling with dashes or underscores is accepted.
_KEYS = ("select", "ignore", "exclude", "per-file-ignores", "max-file-size")


class ConfigError(ValueError):
    """A configuration or a selector is invalid; the message names the problem and the fix."""


@dataclass(frozen=True)
class LintConfig:
    """Effective lint settings: rule selection, excluded paths and the file-size limit.

    `root` is the directory relative paths (exclude and per-file-ignores globs) are matched
    against: the directory of the pyproject.toml it came from, else the working directory.
    """

    select: tuple[str, ...] = ("SG",)
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    root: Path = field(default_factory=Path.cwd)
    source: Path | None = None  # the pyproject.toml this came from, if any

    def enabled(self, code: str, path: str | None = None) -> bool:
        """True when rule `code` is selected, not ignored, and not ignored for `path`."""
        ignore = self.ignore
        if path is not None and self.per_file_ignores:
            extra = [
                c
                for pat, codes in self.per_file_ignores
                if _path_matches(path, pat, self.root)
                for c in codes
            ]
            if extra:
                ignore = (*ignore, *extra)
        return is_selected(code, self.select, ignore)

    def with_overrides(
        self,
        select: Sequence[str] | None = None,
        ignore: Sequence[str] = (),
        exclude: Sequence[str] = (),
        max_file_size: int | None = None,
    ) -> LintConfig:
        """Command-line options on top of the file: `select` replaces, `ignore`/`exclude` extend."""
        return replace(
            self,
            select=tuple(select) if select is not None else self.select,
            ignore=(*self.ignore, *ignore),
            exclude=(*self.exclude, *exclude),
            max_file_size=self.max_file_size if max_file_size is None else max_file_size,
        )


def _match_len(code: str, selectors: Iterable[str]) -> int:
    """Length of the longest selector that is a prefix of `code` (0 when none is)."""
    return max((len(s) for s in selectors if code.startswith(s)), default=0)


def is_selected(code: str, select: Sequence[str], ignore: Sequence[str]) -> bool:
    """Ruff's rule: `code` runs when its longest matching `select` prefix is strictly longer than
    its longest matching `ignore` prefix."""
    chosen = _match_len(code, select)
    return chosen > 0 and chosen > _match_len(code, ignore)


def parse_selectors(values: Iterable[str], what: str = "selector") -> tuple[str, ...]:
    """Normalise selectors (comma- or space-separated strings allowed) and check each one.

    Returns upper-case prefixes, ``ALL`` mapped to ``SG`` (a single string is one value, not a
    sequence of characters). Raises `ConfigError` for a selector that matches no catalog code,
    naming the known codes. An empty result is returned as is; callers that select decide whether
    that is an error.
    """
    out: list[str] = []
    if isinstance(values, str):
        values = [values]  # "SG1,SG2": one string, not its characters
    for value in values:
        if not isinstance(value, str):
            raise ConfigError(f'{what} {value!r} is not a string; write codes such as "SG202"')
        for part in value.replace(",", " ").split():
            sel = "SG" if part.upper() == "ALL" else part.strip().upper()
            if not any(code.startswith(sel) for code in CATALOG):
                known = ", ".join(CATALOG)
                raise ConfigError(
                    f"unknown {what} {part!r}: no rule code starts with it (known: {known})"
                )
            out.append(sel)
    return tuple(out)


def parse_select(values: Iterable[str], what: str = "select") -> tuple[str, ...]:
    """`parse_selectors` for a selection: an empty one (``--select ""``) is a `ConfigError`, since
    it would run no rule and report "all checks passed" on any code."""
    out = parse_selectors(values, what)
    if not out:
        given = values if isinstance(values, str) else " ".join(str(v) for v in values)
        raise ConfigError(
            f"{what} {given!r} names no rule, so nothing would be checked; give codes such as "
            "SG (every rule), SG2 or SG202, or leave it out to run every rule"
        )
    return out


def _path_matches(path: str, pattern: str, root: Path) -> bool:
    """Whether `path` (or any of its parent directories) matches the glob `pattern`.

    A pattern matches a file or directory's name (``"build"``, ``"*_pb2.py"``) or its path relative
    to `root` (``"tests/fixtures/*"``); ``**/`` at the start also matches at the top.
    """
    p = Path(path)
    try:
        rel = p.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        rel = p.as_posix()
    pats = [pattern.rstrip("/")]
    if pattern.startswith("**/"):
        pats.append(pattern[3:].rstrip("/"))
    parts = rel.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(fnmatch.fnmatchcase(name, pat) for pat in pats for name in (*parts, *prefixes))


def _toml_module() -> ModuleType | None:
    """`tomllib` on Python 3.11+, else `tomli` when installed, else None."""
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib
    try:
        return importlib.import_module("tomli")  # the backport of tomllib, if installed
    except ImportError:
        return None


def _read_toml(path: Path) -> Mapping[str, Any] | None:
    """Parse `path`; None when it cannot hold stepguard settings (checked before needing a parser)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(
            f"{path}: cannot read it ({reason}); fix the file or pass --isolated to ignore it"
        ) from None
    if "tool.stepguard" not in text and "[tool]" not in text:
        return None
    toml = _toml_module()
    if toml is None:
        raise ConfigError(
            f"{path} may configure stepguard, but reading TOML on Python "
            f"{sys.version_info.major}.{sys.version_info.minor} needs `tomli`: "
            "`pip install tomli` (or pass --isolated to ignore pyproject.toml)"
        )
    try:
        data: Mapping[str, Any] = toml.loads(text)
    except Exception as exc:  # tomllib.TOMLDecodeError; tomli's has the same name
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    return data


def _table(data: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    tool = (data or {}).get("tool", {})
    table = tool.get("stepguard") if isinstance(tool, Mapping) else None
    return table if isinstance(table, Mapping) else None


def find_pyproject(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` at or above `start` that has a ``[tool.stepguard]`` table."""
    here = start.resolve()
    if here.is_file():
        here = here.parent
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and _table(_read_toml(candidate)) is not None:
            return candidate
    return None


def _known_key(key: str, table: str, where: Path, known: Sequence[str]) -> str:
    """`key` normalised to its dashed spelling; `ConfigError` naming it and the valid keys when it
    is not one of `known` (a typo such as ``ignores`` must not be ignored silently)."""
    norm = str(key).replace("_", "-")
    if norm in known:
        return norm
    close = difflib.get_close_matches(norm, known, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise ConfigError(
        f"{where}: unknown key {key!r} in {table}; {hint}valid keys: {', '.join(known)}"
    )


def _strings(value: Any, key: str, where: Path) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ConfigError(f'{where}: [tool.stepguard] {key} must be a list of strings, e.g. ["SG2"]')


def load_config(pyproject: Path | None) -> LintConfig:
    """Read the lint settings of `pyproject` (None: the defaults, rooted at the working directory).

    Raises `ConfigError` for invalid TOML, wrongly typed values, unknown rule selectors, an empty
    ``select``, or unknown keys in ``[tool.stepguard]`` and ``[tool.stepguard.lint]`` (naming
    the key and the valid ones).
    """
    if pyproject is None:
        return LintConfig()
    table = _table(_read_toml(pyproject))
    if table is None:
        return LintConfig(root=pyproject.resolve().parent, source=pyproject)
    merged: dict[str, Any] = {}
    for key, value in table.items():
        if key != "lint":
            merged[_known_key(key, "[tool.stepguard]", pyproject, (*_KEYS, "lint"))] = value
    sub = table.get("lint", {})
    if not isinstance(sub, Mapping):
        raise ConfigError(f"{pyproject}: [tool.stepguard] lint must be a table")
    for key, value in sub.items():
        merged[_known_key(key, "[tool.stepguard.lint]", pyproject, _KEYS)] = value
    cfg = LintConfig(root=pyproject.resolve().parent, source=pyproject)
    if "select" in merged:
        strings = _strings(merged["select"], "select", pyproject)
        if not parse_selectors(strings, "select"):
            raise ConfigError(
                f"{pyproject}: [tool.stepguard] select is empty, so no rule would run; list codes "
                'such as ["SG"] (every rule) or ["SG2"], or remove the key'
            )
        cfg = replace(cfg, select=parse_selectors(strings, "select"))
    if "ignore" in merged:
        cfg = replace(
            cfg, ignore=parse_selectors(_strings(merged["ignore"], "ignore", pyproject), "ignore")
        )
    if "exclude" in merged:
        cfg = replace(cfg, exclude=tuple(_strings(merged["exclude"], "exclude", pyproject)))
    if "max-file-size" in merged:
        size = merged["max-file-size"]
        if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
            raise ConfigError(
                f"{pyproject}: [tool.stepguard] max-file-size must be a positive integer (bytes)"
            )
        cfg = replace(cfg, max_file_size=size)
    if "per-file-ignores" in merged:
        pfi = merged["per-file-ignores"]
        if not isinstance(pfi, Mapping):
            raise ConfigError(
                f'{pyproject}: [tool.stepguard.per-file-ignores] must map globs to codes, e.g. "tests/*" = ["SG2"]'
            )
        cfg = replace(
            cfg,
            per_file_ignores=tuple(
                (
                    str(pat),
                    parse_selectors(
                        _strings(codes, f"per-file-ignores {pat!r}", pyproject), "ignore"
                    ),
                )
                for pat, codes in pfi.items()
            ),
        )
    return cfg

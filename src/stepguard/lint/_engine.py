"""Lint and fix files: read them safely, run the rules, apply selection and `# noqa`, apply fixes.

This is the layer between the rules (`stepguard.lint._rules.check_source`, which sees one source
string) and the front ends (the CLI, `lint_paths`, the benchmark). It never imports or runs the
code it reads, and never raises for a bad file: a file that is too large, not UTF-8 or does not
parse is returned as skipped, with the reason.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from stepguard.findings import Report
from stepguard.lint._autofix import apply_edits
from stepguard.lint._config import LintConfig
from stepguard.lint._files import discover
from stepguard.lint._noqa import parse_suppressions
from stepguard.lint._project import Project
from stepguard.lint._rules import Edit, Violation, check_source

__all__ = [
    "MAX_FIX_PASSES",
    "FileResult",
    "fix_source",
    "lint_file",
    "lint_paths",
    "lint_source",
    "read_source",
]

# A bound on fix rounds; each round removes at least one finding, so files with fewer fixable
# findings than this always reach the fixed point (a fix can expose another: Adam -> AdamW, then
# its import).
MAX_FIX_PASSES = 100
_BOM = "\ufeff"


@dataclass(frozen=True)
class FileResult:
    """What linting one file gave.

    `violations` are the findings left (after fixing, when fixing); `skipped` is the reason the file
    was not analysed (None when it was); `source` is the text read and `fixed` the text after the
    fixes (equal to `source` when nothing was fixed); `fixed_count` is how many fixes were applied.
    """

    path: str
    violations: tuple[Violation, ...] = ()
    skipped: str | None = None
    source: str | None = None
    fixed: str | None = None
    fixed_count: int = 0

    @property
    def changed(self) -> bool:
        """True when fixing changed the text."""
        return self.fixed is not None and self.fixed != self.source


def read_source(path: str, max_bytes: int) -> tuple[str | None, str | None]:
    """``(text, None)`` for a readable UTF-8 file of at most `max_bytes`, else ``(None, reason)``.

    A UTF-8 byte-order mark is kept in the text (it is stripped before analysis).
    """
    try:
        size = os.stat(path).st_size
        if size > max_bytes:
            return (
                None,
                f"larger than the size limit ({size} > {max_bytes} bytes; raise max-file-size)",
            )
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        return None, f"cannot read: {exc.strerror or exc}"
    if len(data) > max_bytes:
        return None, f"larger than the size limit (> {max_bytes} bytes; raise max-file-size)"
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"


def _syntax_reason(exc: Exception) -> str:
    if isinstance(exc, SyntaxError):
        where = f" (line {exc.lineno})" if exc.lineno else ""
        return f"does not parse: {exc.msg}{where}"
    if isinstance(exc, (RecursionError, MemoryError)):
        # CPython's parser gives up on extremely deep nesting with one of these.
        return "does not parse: nested too deeply for the parser"
    return f"does not parse: {exc}"  # ValueError: source code string cannot contain null bytes


def lint_source(
    source: str,
    path: str = "<string>",
    config: LintConfig | None = None,
    tree: ast.Module | None = None,
    project: Project | None = None,
) -> list[Violation]:
    """The findings of the selected rules in `source`, minus those suppressed by `# noqa`.

    Files the cheap pre-filter (`might_contain_training_code`) rules out are not parsed. With a
    `project` (the linted tree), names resolve across its files and settings come from its
    configs and launch scripts; without one, `source` is read on its own.

    Args:
        source: the text of a Python file (a UTF-8 byte-order mark is ignored).
        path: its path, for the findings and for per-file ignores.
        config: rule selection (default: every rule).
        tree: the parsed `source`, when the caller has it (it is not parsed again).
        project: the linted tree `source` belongs to (`stepguard.lint._project.Project`), or
            None to read `source` on its own.

    Returns:
        The violations, sorted by line, column and code.

    Raises:
        SyntaxError: `source` does not parse (also for NUL bytes or nesting beyond the parser's
            limit).
        TypeError: `source` is not a str (bytes: decode them first), or `config` not a
            `LintConfig`.
    """
    _require_text(source, "lint_source")
    _require_config(config, "lint_source")
    cfg = LintConfig() if config is None else config
    if source.startswith(_BOM):
        source = source[1:]
    violations = [
        v
        for v in check_source(source, path, tree=tree, project=project)
        if cfg.enabled(v.finding.code, path)
    ]
    if violations:
        noqa = parse_suppressions(source)
        violations = [v for v in violations if not noqa.suppresses(v.finding.code, v.finding.line)]
    return violations


def _disjoint(edits: Sequence[Edit], taken: Sequence[Edit]) -> bool:
    """True when no edit of `edits` intersects, or starts where, an edit already taken starts.

    Stricter than `apply_edits` needs (it rejects two edits at one position), so a round never
    fails; the edits left out are applied in the next round, on re-linted text.
    """
    return not any(
        (e.start < t.end and t.start < e.end) or e.start == t.start for e in edits for t in taken
    )


def _compiles(tree: ast.Module, path: str) -> bool:
    """`compile()` accepts the tree (``ast.parse`` alone accepts a repeated keyword argument,
    ``return`` outside a function, ... which `compile` rejects)."""
    try:
        compile(tree, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, TypeError, RecursionError, MemoryError, OverflowError):
        return False
    return True


def _attempt(
    text: str,
    edits: Sequence[Edit],
    path: str,
    config: LintConfig | None,
    at_most: int,
    project: Project | None,
) -> tuple[str, list[Violation]] | None:
    """``(new text, its findings)`` when applying `edits` gives code that compiles and has at most
    `at_most` findings (each fix removed its own); None otherwise (the edits are not applied)."""
    try:
        candidate = apply_edits(text, edits)
        tree = ast.parse(candidate, filename=path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if not _compiles(tree, path):
        return None
    after = lint_source(candidate, path, config, tree=tree, project=project)
    if len(after) > at_most:
        return None  # a fix did not remove its finding (or made a new one): not a safe fix
    return candidate, after


def fix_source(
    source: str,
    path: str = "<string>",
    config: LintConfig | None = None,
    project: Project | None = None,
) -> tuple[str, list[Violation], int]:
    """Apply the safe fixes of the selected, unsuppressed findings, in rounds, until none is left.

    Each round lints the current text and applies together every fix whose edits do not touch a
    fix already taken this round (`stepguard.lint._autofix.apply_edits`). A round is kept only when
    its result passes `compile()` (not only `ast.parse`) and each of its fixes removed its finding
    without adding one; otherwise the round's fixes are tried one at a time and the first that
    passes is kept. Fixing stops when no fix passes, so the result is a fixed point:
    ``fix_source(fix_source(x)[0])[0] == fix_source(x)[0]``. A source that does not compile is
    never changed. Findings suppressed by `# noqa` or not selected are never fixed.

    Args:
        source: the text of a Python file.
        path: its path, for the findings and for per-file ignores.
        config: rule selection (default: every rule).
        project: the linted tree `source` belongs to, or None to read `source` on its own.

    Returns:
        ``(fixed_text, remaining_findings, fixes_applied)``.

    Raises:
        SyntaxError: `source` does not parse.
        TypeError: `source` is not a str, or `config` not a `LintConfig`.
    """
    _require_text(source, "fix_source")
    _require_config(config, "fix_source")
    bom = _BOM if source.startswith(_BOM) else ""
    text = source[len(bom) :]
    current = lint_source(text, path, config, project=project)
    if not any(v.edits for v in current) or not _compiles(_parse(text, path), path):
        return source, current, 0
    applied = 0
    for _ in range(MAX_FIX_PASSES):
        fixable = [v for v in current if v.edits]
        if not fixable:
            break
        taken: list[Edit] = []
        count = 0
        for v in fixable:
            if _disjoint(v.edits, taken):
                taken.extend(v.edits)
                count += 1
        result = _attempt(text, taken, path, config, len(current) - count, project)
        if result is None and count > 1:
            count = 1
            for v in fixable:
                result = _attempt(text, v.edits, path, config, len(current) - 1, project)
                if result is not None:
                    break
        if result is None:
            break
        text, current = result
        applied += count
    return bom + text, current, applied


def _parse(text: str, path: str) -> ast.Module:
    try:
        return ast.parse(text, filename=path)
    except (RecursionError, MemoryError, ValueError) as exc:
        raise SyntaxError(f"{path}: cannot parse: {exc}") from exc


def _require_config(config: object, func: str) -> None:
    if config is not None and not isinstance(config, LintConfig):
        raise TypeError(
            f"{func}: config must be a LintConfig or None (the defaults), got "
            f"{type(config).__name__}; use LintConfig(select=(...,)) or lint_paths(select=...)"
        )


def _require_text(source: object, func: str) -> None:
    if not isinstance(source, str):
        hint = (
            "decode it first: data.decode('utf-8')"
            if isinstance(source, (bytes, bytearray))
            else "pass the text of a Python file, e.g. Path('train.py').read_text()"
        )
        raise TypeError(
            f"{func}: source must be a str (the text of a Python file), "
            f"got {type(source).__name__}; {hint}"
        )


def lint_file(
    path: str, config: LintConfig | None = None, fix: bool = False, project: Project | None = None
) -> FileResult:
    """Lint one file (and compute its fixes when `fix`), in `project` when given; never raises for
    a bad file."""
    cfg = LintConfig() if config is None else config
    source, reason = read_source(path, cfg.max_file_size)
    if source is None:
        return FileResult(path, skipped=reason)
    try:
        if fix:
            fixed, remaining, removed = fix_source(source, path, cfg, project)
            return FileResult(path, tuple(remaining), None, source, fixed, removed)
        found = lint_source(source, path, cfg, project=project)
        return FileResult(path, tuple(found), None, source, source)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return FileResult(path, skipped=_syntax_reason(exc), source=source)
    except Exception as exc:  # a bug in a rule must not stop the other files from being linted
        reason = f"internal error in stepguard (please report it): {type(exc).__name__}: {exc}"
        return FileResult(path, skipped=reason, source=source)


def lint_paths(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    select: str | Sequence[str] | None = None,
    ignore: str | Sequence[str] = (),
    exclude: str | Sequence[str] = (),
) -> Report:
    """Lint files and directories as one project (no configuration file is read); a `Report`.

    The files found form one project (`stepguard.lint._project`): names resolve across them, and
    the configs and launch scripts under the directories given decide which findings are active.
    Active findings come first.

    Args:
        paths: a file or directory, or a sequence of them (``"train.py"``, ``["src", "train.py"]``).
        select: rule-code prefixes to run (``"SG2"``, ``["SG101", "SG2"]``; default: every rule).
        ignore: rule-code prefixes to skip.
        exclude: globs of paths to skip (``"legacy/*"``).

    Returns:
        The findings, active ones first; the report's summary holds ``files`` (how many were
        read), ``skipped`` ({path: reason}) and ``active`` (how many findings are active).

    Raises:
        FileNotFoundError: a path does not exist (all of them are named).
        TypeError: `paths` is not a path or a sequence of paths.
        ConfigError: a selector matches no rule, or `select` is empty (a `ValueError`).
    """
    from stepguard.lint._config import parse_select, parse_selectors

    items = _path_list(paths)
    cfg = LintConfig().with_overrides(
        select=None if select is None else parse_select(select, "select"),
        ignore=parse_selectors(ignore, "ignore"),
        exclude=[exclude] if isinstance(exclude, str) else exclude,
    )
    found = discover(items, cfg.exclude, Path.cwd())
    if found.missing:
        raise FileNotFoundError(f"no such file or directory: {', '.join(found.missing)}")
    project = Project.of_paths(items, found.files, cfg.max_file_size)
    with project.linting():
        results = [lint_file(p, cfg, project=project) for p in found.files]
    findings = [v.finding for r in results for v in r.violations]
    findings.sort(key=lambda f: f.data.get("activity") != "active")
    skipped = {r.path: r.skipped for r in results if r.skipped}
    active = sum(f.data.get("activity") == "active" for f in findings)
    summary = {"files": len(results), "skipped": skipped, "active": active}
    return Report(findings, summary=summary, title="stepguard lint")


def _path_list(paths: object) -> list[str]:
    """`paths` as a list of str paths: one path (str or `os.PathLike`) or a sequence of them."""
    if isinstance(paths, (str, os.PathLike)):
        return [os.fspath(paths)]
    ok = isinstance(paths, Iterable) and not isinstance(paths, (bytes, bytearray, Mapping))
    items: list[object] = list(paths) if ok else []  # type: ignore[call-overload]
    wrong = [p for p in items if not isinstance(p, (str, os.PathLike))]
    if not ok or wrong:
        what = type(paths).__name__
        if wrong:
            what += f" holding {type(wrong[0]).__name__} {wrong[0]!r:.40}"
        raise TypeError(
            f"lint_paths: paths must be a path or a list of paths (str or pathlib.Path), got "
            f"{what}; e.g. lint_paths('train.py') or lint_paths(['src', 'train.py'])"
        )
    return [os.fspath(p) for p in items]  # type: ignore[call-overload]

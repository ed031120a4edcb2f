"""Lint and fix files: read them safely, run the rules, apply selection and `# noqa`, apply fixes.

This is the layer between the rules (`stepguard.lint._rules.check_source`, which sees one source
string) and the front ends (the CLI, `lint_paths`, the benchmark). It never imports or runs the
code it reads, and never raises for a bad file: a file that is too large, not UTF-8 or does not
parse is returned as skipped, with the reason.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Sequence
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

MAX_FIX_PASSES = 5  # a fix can expose another (e.g. Adam -> AdamW, then its import); stop early
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
    Raises `SyntaxError` (or `ValueError` for null bytes) when `source` does not parse.
    """
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


def fix_source(
    source: str,
    path: str = "<string>",
    config: LintConfig | None = None,
    project: Project | None = None,
) -> tuple[str, list[Violation], int]:
    """Apply the safe fixes of the selected, unsuppressed findings, in rounds, until none is left.

    Each round lints the current text, takes the fixes whose edits do not touch a fix already
    taken this round (the others wait for the next round, on re-linted text), and applies them
    with `stepguard.lint._autofix.apply_edits`. Findings suppressed by `# noqa` or not selected are
    never fixed. At most `MAX_FIX_PASSES` rounds; a round whose result would not parse is dropped
    (the text of the previous round is kept). Returns ``(fixed_text, remaining_findings,
    fixes_applied)``. Raises `SyntaxError` when `source` itself does not parse.
    """
    bom = _BOM if source.startswith(_BOM) else ""
    text = source[len(bom) :]
    current = lint_source(text, path, config, project=project)
    applied = 0
    for _ in range(MAX_FIX_PASSES):
        taken: list[Edit] = []
        count = 0
        for v in current:
            if v.edits and _disjoint(v.edits, taken):
                taken.extend(v.edits)
                count += 1
        if not count:
            break
        try:
            candidate = apply_edits(text, taken)
            after = lint_source(candidate, path, config, tree=ast.parse(candidate), project=project)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            break  # edits that conflict, or code that would not parse: keep the last good text
        text, current = candidate, after
        applied += count
    return bom + text, current, applied


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
    paths: Sequence[str | os.PathLike[str]],
    select: Sequence[str] | None = None,
    ignore: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> Report:
    """Lint files and directories as one project (no configuration file is read); a `Report`.

    `select`/`ignore` are rule-code prefixes (default: every rule); `exclude` are globs. The
    files found form one project (`stepguard.lint._project`): names resolve across them, and the
    configs and launch scripts under the directories given decide which findings are active.
    Active findings come first. The report's summary holds ``files`` (how many were read),
    ``skipped`` ({path: reason}) and ``active`` (how many findings are active).
    Raises `FileNotFoundError` naming any path that does not exist.
    """
    from stepguard.lint._config import parse_selectors

    cfg = LintConfig().with_overrides(
        select=None if select is None else parse_selectors(select, "select"),
        ignore=parse_selectors(ignore, "ignore"),
        exclude=exclude,
    )
    found = discover([os.fspath(p) for p in paths], cfg.exclude, Path.cwd())
    if found.missing:
        raise FileNotFoundError(f"no such file or directory: {', '.join(found.missing)}")
    raw = [os.fspath(p) for p in paths]
    project = Project.of_paths(raw, found.files, cfg.max_file_size)
    with project.linting():
        results = [lint_file(p, cfg, project=project) for p in found.files]
    findings = [v.finding for r in results for v in r.violations]
    findings.sort(key=lambda f: f.data.get("activity") != "active")
    skipped = {r.path: r.skipped for r in results if r.skipped}
    active = sum(f.data.get("activity") == "active" for f in findings)
    summary = {"files": len(results), "skipped": skipped, "active": active}
    return Report(findings, summary=summary, title="stepguard lint")

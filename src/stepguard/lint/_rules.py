"""The linter's entry point: `check_source` runs every implemented rule over one file.

The linter never imports or executes the code it reads: it parses it with `ast` and reasons
about the tree (`stepguard.lint._scan`). Rules live by concept in `rules_decay` (SG101-SG103) and
`rules_loop` (accumulation windows: SG201-SG203, SG205, SG208, SG210) and `rules_sync`
(statement order around GradScaler and DDP: SG204, SG211, SG212); `rules_frameworks` adds, to
SG202-SG204, SG208, SG210 and SG211, the shapes of framework-style code (trainer classes, hooks,
callbacks, accelerate's prepared objects). Precision comes
first: a value or structure the file does not show is treated as unknown and not reported.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import gc
import threading
from collections.abc import Callable, Iterator

from stepguard.lint import _rules_accelerate as rules_accelerate
from stepguard.lint import _rules_amp as rules_amp
from stepguard.lint import _rules_decay as rules_decay
from stepguard.lint import _rules_frameworks as rules_frameworks
from stepguard.lint import _rules_gate as rules_gate
from stepguard.lint import _rules_groups as rules_groups
from stepguard.lint import _rules_loop as rules_loop
from stepguard.lint import _rules_loss as rules_loss
from stepguard.lint import _rules_penalty as rules_penalty
from stepguard.lint import _rules_prepared as rules_prepared
from stepguard.lint import _rules_schedule as rules_schedule
from stepguard.lint import _rules_sync as rules_sync
from stepguard.lint._activity import annotate
from stepguard.lint._base import Edit, Violation
from stepguard.lint._evaluate import settings_of
from stepguard.lint._flow import reachable
from stepguard.lint._project import Project
from stepguard.lint._scan import Facts, might_contain_training_code, scan

__all__ = ["IMPLEMENTED", "Edit", "Violation", "check_source", "might_contain_training_code"]

_RULES: dict[str, Callable[[Facts], list[Violation]]] = {
    "SG101": rules_decay.check_sg101,
    "SG102": rules_groups.check_sg102,
    "SG103": rules_penalty.check_sg103,
    "SG201": rules_loss.check_sg201,
    "SG202": rules_frameworks.adding(
        rules_loop.check_sg202,
        rules_frameworks.window_helper_schedulers,
        rules_prepared.unprepared_handed_schedulers,
        rules_gate.gate_schedulers,
    ),
    "SG203": rules_frameworks.adding(rules_loop.check_sg203, rules_frameworks.window_helper_clips),
    "SG204": rules_frameworks.adding(
        rules_sync.check_sg204, rules_frameworks.helper_clips, rules_accelerate.accelerate_clips
    ),
    "SG205": rules_schedule.check_sg205,
    "SG208": rules_frameworks.adding(
        rules_sync.check_sg208,
        rules_frameworks.class_ddp_windows,
        rules_frameworks.accumulate_wrapper,
        rules_frameworks.lightning_manual_ddp,
    ),
    "SG210": rules_frameworks.adding(
        rules_loop.check_sg210,
        rules_frameworks.accumulate_zero_first,
        rules_frameworks.window_helper_zero,
        rules_gate.gate_zero_grads,
    ),
    "SG211": rules_frameworks.adding(
        rules_sync.check_sg211,
        rules_frameworks.accelerate_skipped_steps,
        rules_frameworks.hook_schedulers,
        rules_amp.wrapped_scaler_steps,
        rules_amp.fabric_skipped_steps,
        rules_amp.lightning_step_schedulers,
        rules_amp.model_class_schedulers,
    ),
    "SG212": rules_sync.check_sg212,
}

IMPLEMENTED: tuple[str, ...] = tuple(_RULES)

# True: an exception inside a rule propagates (the linter's tests); False: the rule is skipped
# for that file, so one odd file never stops a run over a whole tree.
STRICT = False


_gc_lock = threading.Lock()
_gc_depth = 0
_gc_was_enabled = False


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while one file is parsed and analysed.

    A parsed file is tens of thousands of AST nodes plus the tables built over them, all alive
    until its rules have run: every collection the allocations trigger walks them again for
    nothing (they hold no reference cycles to free), which cost about a sixth of the time of the
    analysis on the installed transformers package. Reference counting still frees everything;
    the collector resumes when the outermost caller (any thread) leaves, and stays off if it was
    off before.
    """
    global _gc_depth, _gc_was_enabled
    with _gc_lock:
        if _gc_depth == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_depth += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_depth -= 1
            if _gc_depth == 0 and _gc_was_enabled:
                gc.enable()


def check_source(
    source: str,
    path: str = "<string>",
    tree: ast.Module | None = None,
    project: Project | None = None,
) -> list[Violation]:
    """Run every implemented rule on `source`; violations sorted by (line, col, code).

    Each violation's `Finding` has `path`, 1-based `line` and 1-based character `col` set; its
    `edits` are non-empty only when a safe fix exists. Raises SyntaxError when `source` does not
    parse (also for nesting beyond the parser's limit and NUL bytes) and no `tree` is given.
    Never raises on parsable code: a rule that meets an unexpected shape (or code nested deeper
    than the recursion limit) is skipped for that file.
    """
    if not might_contain_training_code(source):
        return []
    with _no_cycle_collection():
        return _check_source(source, path, tree, project)


def _check_source(
    source: str, path: str, tree: ast.Module | None, project: Project | None
) -> list[Violation]:
    if tree is None:
        try:
            tree = ast.parse(source, filename=path)
        except (RecursionError, MemoryError, ValueError) as exc:
            # Nesting deeper than the parser's limit, or NUL bytes: unparsable, like a syntax error.
            raise SyntaxError(f"{path}: cannot parse: {exc}") from exc
    if project is not None:
        settings_of(project)  # the rules may ask what the project's configs set
    try:
        facts = scan(source, tree, path=path, project=project)
    except Exception:
        if STRICT:
            raise
        return []
    found: list[Violation] = []
    for check in _RULES.values():
        try:
            found.extend(check(facts))
        except Exception:
            # An unexpected shape (or nesting beyond the recursion limit): skip this rule for this
            # file rather than crash the run. The linter's own tests set STRICT to see such bugs.
            if STRICT:
                raise
            continue
    found = [v for v in found if v.node is None or reachable(facts, v.node)]
    try:
        if project is None and found:
            # A file read on its own still has its own defaults (argparse, dataclasses, ...).
            project = Project([path])
            project.adopt(path, facts)
        found = annotate(found, facts, project) if project is not None else found
    except Exception:
        if STRICT:
            raise
        found = [dataclasses.replace(v, conditions=(), node=None, context=None) for v in found]
    out = [dataclasses.replace(v, finding=dataclasses.replace(v.finding, path=path)) for v in found]
    out.sort(key=lambda v: (v.finding.line or 0, v.finding.col or 0, v.finding.code))
    return _dedupe(out)


def _dedupe(violations: list[Violation]) -> list[Violation]:
    seen: set[tuple[int | None, int | None, str]] = set()
    out = []
    for v in violations:
        key = (v.finding.line, v.finding.col, v.finding.code)
        if key not in seen:
            seen.add(key)
            out.append(v)
    return out

"""The linted tree as one program: its modules, and names resolved across files (project mode).

`stepguard lint PATH` lints every file with the `Project` of everything it was given. A name
imported from another file of the tree (``from .optim import create_optimizer``, ``from
runners.base import BaseRunner``) then resolves to its definition there, so

- an optimizer, scheduler, GradScaler, DDP model or Accelerator returned by a function of another
  module keeps its kind where it is used (``optimizer = create_optimizer(args, model)``);
- a helper of another module that steps an optimizer, runs a backward, unscales gradients or
  returns a loss counts as such in the loop that calls it, and so does a method inherited from a
  base class defined in another module;
- a parameter's value can come from the calls other modules make (``configure_optimizers(wd)``).

Other files are read, parsed and scanned only when a rule asks about one of their names, each at
most once, and only if their text can hold training code (the rules' textual pre-filter): a tree
of thousands of files costs little more than linting them one by one. Nothing is imported or run.
The settings a project ships (argparse defaults, configs, launch scripts) are read on top of this
by `stepguard.lint._settings`.
"""

from __future__ import annotations

import ast
import contextlib
import gc
import os
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from stepguard.lint._config import DEFAULT_MAX_FILE_SIZE

if TYPE_CHECKING:
    from stepguard.lint._scan import Facts

__all__ = ["Project", "Symbol"]

# (the file's facts, the definition): a FunctionDef, AsyncFunctionDef, ClassDef, or the value
# expression of a module-level assignment.
Symbol = tuple["Facts", ast.AST]

_MAX_FOLLOW = 6  # re-exports followed through package __init__ files, base classes walked


def _norm(path: str) -> str:
    return os.path.normpath(path)


class Project:
    """Every file of one `stepguard lint` run, resolvable by module name (see the module docstring).

    `files` are the Python files being linted; `roots` the directories named on the command line
    (their configs and launch scripts are read for settings). Paths are kept as given, so the
    sources named in messages look like the paths of the findings.
    """

    def __init__(
        self,
        files: Iterable[str],
        roots: Sequence[str] = (),
        max_bytes: int = DEFAULT_MAX_FILE_SIZE,
    ) -> None:
        self.files: tuple[str, ...] = tuple(files)
        self.roots: tuple[str, ...] = tuple(r for r in roots if os.path.isdir(r))
        self.max_bytes = max_bytes
        self._known = {_norm(f): f for f in self.files}
        self._texts: dict[str, str | None] = {}
        self._facts: dict[str, Facts | None] = {}
        self._trees: dict[str, ast.Module | None] = {}
        self._modules: dict[str, list[str]] | None = None
        self._roots: set[str] | None = None
        self.settings: Any = None  # stepguard.lint._settings.Settings, made on first use
        self._busy: set[str] = set()
        self.cache: dict[Any, Any] = {}  # cross-file answers shared by rules

    @classmethod
    def of_paths(
        cls, paths: Sequence[str], files: Iterable[str], max_bytes: int = DEFAULT_MAX_FILE_SIZE
    ) -> Project:
        """The project of a run over `paths` (files and directories) that lints `files`."""
        return cls(files, [p for p in paths if os.path.isdir(p)], max_bytes)

    @contextlib.contextmanager
    def linting(self) -> Iterator[Project]:
        """Pause Python's cyclic garbage collector while the tree is linted.

        The project keeps the trees it parsed alive on purpose (other files ask about them), and
        full collections over millions of live AST nodes would cost about a fifth of a run over a
        large tree; linting makes almost no cyclic garbage. The collector is switched back on at
        every exit path, and left alone when it was already off.
        """
        was_enabled = gc.isenabled()
        if was_enabled:
            gc.disable()
        try:
            yield self
        finally:
            if was_enabled:
                gc.enable()

    # -- files ---------------------------------------------------------------------------------
    def contains(self, path: str) -> bool:
        """True when `path` is one of the project's Python files."""
        return _norm(path) in self._known

    def text(self, path: str) -> str | None:
        """The UTF-8 text of a file of the tree (None when unreadable or too large); cached."""
        key = _norm(path)
        if key in self._texts:
            return self._texts[key]
        adopted = self._facts.get(key)
        if adopted is not None:
            return adopted.source
        text: str | None = None
        try:
            if os.path.getsize(path) <= self.max_bytes:
                with open(path, "rb") as handle:
                    text = handle.read().decode("utf-8")
                if text.startswith("\ufeff"):
                    text = text[1:]
        except (OSError, UnicodeDecodeError):
            text = None
        self._texts[key] = text
        return text

    def tree(self, path: str) -> ast.Module | None:
        """The syntax tree of a Python file of the tree (None when it does not parse); cached."""
        key = _norm(path)
        if key in self._trees:
            return self._trees[key]
        facts = self._facts.get(key)
        tree: ast.Module | None = facts.tree if facts is not None else None
        if tree is None:
            text = self.text(path)
            if text is not None:
                try:
                    tree = ast.parse(text, filename=path)
                except (SyntaxError, ValueError, RecursionError, MemoryError):
                    tree = None
        self._trees[key] = tree
        return tree

    def adopt(self, path: str, facts: Facts) -> None:
        """Share the facts the linter computed for `path` with the rest of the project."""
        key = _norm(path)
        self._facts[key] = facts
        self._trees[key] = facts.tree

    def facts(self, path: str) -> Facts | None:
        """The scanned facts of another file, or None when it cannot hold training code, does not
        parse, or is being scanned already (an import cycle)."""
        key = _norm(path)
        if key in self._facts:
            return self._facts[key]
        if key in self._busy:
            return None
        self._busy.add(key)
        try:
            facts = self._scan(path)
        finally:
            self._busy.discard(key)
        self._facts[key] = facts
        return facts

    def definitions(self, path: str) -> Facts | None:
        """Like `facts`, but for a file looked up for its definitions (a model class, a config
        dataclass): scanned even when the training-code pre-filter would skip it."""
        key = _norm(path)
        found = self._facts.get(key)
        if found is not None:
            return found
        if key in self._busy:
            return None
        self._busy.add(key)
        try:
            facts = self._scan(path, any_text=True)
        finally:
            self._busy.discard(key)
        if facts is not None:
            self._facts[key] = facts
        return facts

    def _scan(self, path: str, any_text: bool = False) -> Facts | None:
        from stepguard.lint._scan import might_contain_training_code, scan

        text = self.text(path)
        if text is None or (not any_text and not might_contain_training_code(text)):
            return None
        tree = self.tree(path)
        if tree is None:
            return None
        try:
            return scan(text, tree, path=self._known.get(_norm(path), path), project=self)
        except Exception:  # an odd file must not stop the one being linted
            return None

    # -- modules -------------------------------------------------------------------------------
    def _module_index(self) -> dict[str, list[str]]:
        if self._modules is None:
            index: dict[str, list[str]] = {}
            for f in self.files:
                if not f.endswith(".py"):
                    continue
                parts = _norm(f)[:-3].split(os.sep)
                if parts[-1] == "__init__":
                    parts.pop()
                parts = [p for p in parts if p not in ("", ".", "..")]
                for i in range(len(parts)):
                    index.setdefault(".".join(parts[i:]), []).append(f)
            self._modules = index
        return self._modules

    def may_hold(self, qualified: str) -> bool:
        """Cheap test: `qualified` (a name from an import) can only be in the tree when it is
        relative or its first part names a folder or module of the tree."""
        if qualified.startswith("."):
            return True
        if self._roots is None:
            self._roots = {k.split(".")[-1] for k in self._module_index()} | {
                part for k in self._module_index() for part in k.split(".")
            }
        return qualified.partition(".")[0] in self._roots

    def module_file(self, module: str, importer: str) -> str | None:
        """The file of the tree that `import module` means in `importer`, or None.

        `module` may be relative (leading dots, as in ``from ..utils import x``). An absolute name
        matches any file whose path ends with it (``runners.base`` -> ``src/runners/base.py``);
        when several do, the one nearest to the importer wins.
        """
        if module.startswith("."):
            level = len(module) - len(module.lstrip("."))
            rest = module[level:]
            base = os.path.dirname(_norm(importer))
            for _ in range(level - 1):
                base = os.path.dirname(base)
            stem = os.path.join(base, *rest.split(".")) if rest else base
            for candidate in (stem + ".py", os.path.join(stem, "__init__.py")):
                if _norm(candidate) in self._known:
                    return self._known[_norm(candidate)]
            return None
        found = self._module_index().get(module)
        if not found:
            return None
        if len(found) == 1:
            return found[0]
        here = _norm(importer).split(os.sep)

        def shared(f: str) -> int:
            n = 0
            for a, b in zip(here, _norm(f).split(os.sep), strict=False):
                if a != b:
                    break
                n += 1
            return n

        return max(found, key=shared)

    def lookup(
        self, facts: Facts, qualified: str, depth: int = 0, training: bool = False
    ) -> Symbol | None:
        """The definition a qualified name of `facts`'s file (``models.gpt.GPT``,
        ``..utils.build``) refers to in the tree, following re-exports; None outside the tree.
        With `training`, only files that can hold training code (the rules' pre-filter) are
        parsed to find it: enough for helpers that step, run a backward or build an optimizer,
        and far cheaper on large trees."""
        if depth > _MAX_FOLLOW or not qualified or not self.may_hold(qualified):
            return None
        dots = len(qualified) - len(qualified.lstrip("."))
        parts = qualified[dots:].split(".")
        for cut in range(len(parts) - 1, -1, -1):
            module = "." * dots + ".".join(parts[:cut])
            if module in ("", "." * dots) and not dots:
                continue
            path = self.module_file(module, facts.path)
            if path is None:
                continue
            names = parts[cut:]
            if not names:
                return None
            target = self.facts(path) if training else self.definitions(path)
            if target is None:
                return None
            return self.symbol(target, names, depth + 1, training)
        return None

    def symbol(
        self, facts: Facts, names: list[str], depth: int = 0, training: bool = False
    ) -> Symbol | None:
        """The module-level definition ``names[0]`` of `facts`'s file (a class's method when
        ``names`` has two parts), following ``from x import name`` re-exports."""
        if depth > _MAX_FOLLOW:
            return None
        head = names[0]
        for node in facts.tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == head:
                return (facts, node) if len(names) == 1 else None
            if isinstance(node, ast.ClassDef) and node.name == head:
                if len(names) == 1:
                    return facts, node
                method = self.method(facts, node, names[1], training=training)
                return method if len(names) == 2 else None
        for node in facts.tree.body:
            if (
                isinstance(node, ast.Assign)
                and len(names) == 1
                and any(isinstance(t, ast.Name) and t.id == head for t in node.targets)
            ):
                return facts, node.value
        alias = facts.aliases.get(head)
        if alias is not None:
            rest = ".".join(names[1:])
            return self.lookup(facts, f"{alias}.{rest}" if rest else alias, depth + 1, training)
        return None

    def method(
        self,
        facts: Facts,
        cls: ast.ClassDef,
        name: str,
        depth: int = 0,
        training: bool = False,
    ) -> Symbol | None:
        """Method `name` of class `cls` (of `facts`'s file) or of its bases, wherever they are
        defined in the tree."""
        for stmt in cls.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == name:
                return facts, stmt
        if depth > _MAX_FOLLOW:
            return None
        for base_facts, base in self.bases(facts, cls, training):
            found = self.method(base_facts, base, name, depth + 1, training)
            if found is not None:
                return found
        return None

    def bases(
        self, facts: Facts, cls: ast.ClassDef, training: bool = False
    ) -> list[tuple[Facts, ast.ClassDef]]:
        """The base classes of `cls` that are defined in the tree (same file or another)."""
        out: list[tuple[Facts, ast.ClassDef]] = []
        for base in cls.bases:
            if isinstance(base, ast.Name):
                local = [c for c in facts.classes.get(base.id, []) if c is not cls]
                if local:
                    out.append((facts, local[0]))
                    continue
            q = _qualified(facts, base)
            if q is None:
                continue
            found = self.lookup(facts, q, training=training)
            if found is not None and isinstance(found[1], ast.ClassDef):
                out.append((found[0], found[1]))
        return out


def _qualified(facts: Facts, node: ast.AST) -> str | None:
    """The qualified name of a Name/Attribute through the file's imports (relative ones too)."""
    from stepguard.lint._nodes import dotted

    d = dotted(node)
    if d is None:
        return None
    head, _, rest = d.partition(".")
    alias = facts.aliases.get(head)
    if alias is None:
        return None
    return f"{alias}.{rest}" if rest else alias

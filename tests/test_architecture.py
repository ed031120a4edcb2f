"""The package's shape: no import cycles, arrows only downwards, a small top level.

Every import statement in `src/stepguard` counts (module level, inside functions, under
``TYPE_CHECKING``), read from the syntax tree without importing anything. The layers are those of
`docs/architecture.md` (and `../shared/DESIGN.md`): a module may import from its own layer or
below, never from above.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PKG = SRC / "stepguard"

# Lowest first. A module belongs to the longest prefix listed. The face (`stepguard/__init__`)
# imports only `catalog` and `findings` at run time and everything else lazily by
# name, so it sits just above the types; its TYPE_CHECKING imports are for type checkers only
# and are exempt from the layering (not from the cycle check).
LAYERS: list[tuple[str, ...]] = [
    ("stepguard._files", "stepguard._optimizers", "stepguard._unwrap", "stepguard.catalog"),
    ("stepguard.findings",),
    ("stepguard",),
    ("stepguard.groups",),
    ("stepguard.auditing", "stepguard.accumulation"),
    ("stepguard.monitoring",),
    ("stepguard.integrations", "stepguard.lint", "stepguard.experiments"),
    ("stepguard.cli", "stepguard.__main__"),
]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def _layer(module: str) -> int:
    best, level = -1, -1
    for i, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, level = len(prefix), i
    return level


def _type_checking_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def _imports(module: str) -> list[tuple[str, int, bool]]:
    """(imported stepguard module, line, under TYPE_CHECKING) for every import in `module`."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = _type_checking_lines(tree)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                targets.append(sub if sub in MODULES else base)
        for target in targets:
            if target == "stepguard" or target.startswith("stepguard."):
                while target not in MODULES:  # `import stepguard.x.y` of an attribute path
                    target = target.rpartition(".")[0]
                if target != module:
                    out.append((target, node.lineno, node.lineno in typing_only))
    return out


GRAPH = {m: _imports(m) for m in MODULES}


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative enough)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w, _, _ in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in GRAPH:
        if v not in index:
            visit(v)
    return found


def test_every_module_has_a_layer() -> None:
    assert [m for m in MODULES if _layer(m) < 0] == []


def test_no_import_cycles() -> None:
    assert _cycles() == []


def test_imports_only_point_down_the_layers() -> None:
    upward = [
        f"{module} (layer {_layer(module)}) line {line} imports {target} (layer {_layer(target)})"
        for module, edges in GRAPH.items()
        for target, line, typing_only in edges
        if _layer(target) > _layer(module) and not (module == "stepguard" and typing_only)
    ]
    assert upward == []


def test_top_level_holds_at_most_eight_modules() -> None:
    top = sorted(p.name for p in PKG.glob("*.py"))
    assert len(top) <= 8, top


@pytest.mark.parametrize("package", sorted(p.parent.name for p in PKG.glob("*/__init__.py")))
def test_internal_modules_of_a_package_are_underscored(package: str) -> None:
    public_entry_points = {
        "lint": {"flake8_plugin"},
        "integrations": {"accelerate", "lightning", "loggers", "transformers"},
    }
    names = {p.stem for p in (PKG / package).glob("*.py")} - {"__init__"}
    public = {n for n in names if not n.startswith("_")}
    assert public <= public_entry_points.get(package, set()), public


def test_the_cycle_check_can_fail() -> None:
    GRAPH["stepguard.catalog"].append(("stepguard.findings", 0, False))
    try:
        assert _cycles() == [["stepguard.catalog", "stepguard.findings"]]
    finally:
        GRAPH["stepguard.catalog"].pop()

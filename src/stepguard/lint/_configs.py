"""Config files a project ships (YAML, JSON, TOML), read as flat ``dotted.key -> value`` entries.

Each entry keeps the line it came from, so a finding can say ``weight_decay=0.05 from
configs/base.yaml:7``. Only scalar values are kept (numbers, booleans, strings, null); lists and
tables are walked into (``optim.weight_decay``) but not stored as values.

YAML is read by a small reader of block mappings (``key: value`` with indentation, comments,
quoted and plain scalars, YAML 1.1 booleans), which covers the configs training projects ship.
Anything it cannot read (anchors and aliases, flow mappings ``{a: 1}``, multi-line strings, tags)
is skipped key by key and named in the file's `notes`; when PyYAML is installed the whole file
is then read with it instead (imported lazily, never required: the linter stays light).
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ConfigFile", "parse_config", "parse_scalar"]

MAX_CONFIG_BYTES = 256 * 1024


@dataclass
class ConfigFile:
    """The scalar entries of one config file, and what could not be read."""

    path: str
    entries: list[tuple[str, Any, int]] = field(default_factory=list)  # (dotted key, value, line)
    notes: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[tuple[str, Any, int]]:
        return iter(self.entries)


_YAML_TRUE = {"true", "yes", "on", "y"}
_YAML_FALSE = {"false", "no", "off", "n"}
_NUMBER = re.compile(r"^[-+]?(\d[\d_]*\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?|\d+[eE][-+]?\d+)$")


def parse_scalar(text: str) -> Any:
    """A config or command-line scalar: int, float, bool, None, or the (unquoted) string."""
    t = text.strip()
    if len(t) >= 2 and t[0] == t[-1] and t[0] in "'\"":
        return t[1:-1]
    low = t.lower()
    if low in _YAML_TRUE:
        return True
    if low in _YAML_FALSE:
        return False
    if low in ("null", "~", "none", ""):
        return None
    if _NUMBER.match(t):
        try:
            clean = t.replace("_", "")
            return int(clean) if re.fullmatch(r"[-+]?\d+", clean) else float(clean)
        except ValueError:
            return t
    return t


def parse_config(path: str, text: str) -> ConfigFile:
    """The entries of a config file, by its suffix (``.yaml``/``.yml``, ``.json``, ``.toml``)."""
    out = ConfigFile(path)
    if len(text) > MAX_CONFIG_BYTES:
        out.notes.append(f"{path}: not read (larger than {MAX_CONFIG_BYTES // 1024} KiB)")
        return out
    low = path.lower()
    if low.endswith((".yaml", ".yml")):
        _read_yaml(out, text)
    elif low.endswith(".json"):
        _read_json(out, text)
    elif low.endswith(".toml"):
        _read_toml(out, text)
    return out


# -- YAML ------------------------------------------------------------------------------------

_KEY = re.compile(
    r"^(?P<indent> *)(?P<dash>- +)?(?P<key>[A-Za-z_][\w.\-/]*|\"[^\"]*\"|'[^']*')\s*:(?:\s+|$)(?P<rest>.*)$"
)


def _strip_comment(line: str) -> str:
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i].rstrip()
    return line.rstrip()


def _read_yaml(out: ConfigFile, text: str) -> None:
    stack: list[tuple[int, str]] = []  # (indent, key) of the enclosing mappings
    unreadable: list[str] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        if "\t" in raw[: len(raw) - len(raw.lstrip())]:
            unreadable.append(f"tab indentation at line {lineno}")
            continue
        line = _strip_comment(raw)
        if not line.strip() or line.lstrip().startswith(("---", "...", "%")):
            continue
        m = _KEY.match(line)
        if m is None:
            continue  # a list item, a continuation line: nothing to store
        indent = len(m.group("indent"))
        key = m.group("key").strip("'\"")
        rest = m.group("rest").strip()
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if m.group("dash"):
            # A mapping inside a list (`- name: x` and the keys under it): not settings.
            stack.append((indent, "[]"))
            continue
        dotted = ".".join([*(k for _, k in stack), key])
        if not rest:
            stack.append((indent, key))
            continue
        if rest[0] in "&*!" or rest[0] in "[{|>" or rest.startswith("<<"):
            if rest[0] not in "[":  # a flow list is a value we do not need
                unreadable.append(f"`{key}` at line {lineno} ({_why(rest)})")
            if rest[0] == "&":
                stack.append((indent, key))
            continue
        if key == "<<":
            unreadable.append(f"merge key at line {lineno}")
            continue
        if "[]" in dotted:
            continue
        out.entries.append((dotted, parse_scalar(rest), lineno))
    if unreadable:
        if _read_yaml_with_pyyaml(out, text):
            return
        out.notes.append(
            f"{out.path}: not fully read ({'; '.join(unreadable[:3])}"
            f"{'; ...' if len(unreadable) > 3 else ''}); install PyYAML to read it"
        )


def _why(rest: str) -> str:
    return {
        "&": "anchor",
        "*": "alias",
        "!": "tag",
        "{": "flow mapping",
        "|": "multi-line string",
        ">": "multi-line string",
        "<": "merge key",
    }.get(rest[0], "unsupported value")


def _read_yaml_with_pyyaml(out: ConfigFile, text: str) -> bool:
    """Read the whole file with PyYAML's composer (keeps line numbers); False if unavailable."""
    try:
        yaml: Any = importlib.import_module("yaml")
    except ImportError:
        return False
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except Exception:
        return False
    if node is None:
        return True
    entries: list[tuple[str, Any, int]] = []

    def walk(n: Any, prefix: str) -> None:
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                if isinstance(k, yaml.ScalarNode) and k.value == "<<":
                    walk(v, prefix)  # a merge key: the merged mapping's keys are this one's
                elif isinstance(k, yaml.ScalarNode):
                    walk(v, f"{prefix}.{k.value}" if prefix else str(k.value))
        elif isinstance(n, yaml.SequenceNode) and not prefix:
            return
        elif isinstance(n, yaml.ScalarNode) and prefix:
            value = parse_scalar(n.value) if n.style in (None, "") else n.value
            entries.append((prefix, value, n.start_mark.line + 1))

    walk(node, "")
    out.entries = entries
    return True


# -- JSON and TOML ----------------------------------------------------------------------------


def _flatten(value: Any, prefix: str, out: list[tuple[str, Any]]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(v, f"{prefix}.{k}" if prefix else str(k), out)
    elif not isinstance(value, list) and prefix:
        out.append((prefix, value))


def _line_of(text: str, key: str, quoted: bool) -> int:
    pattern = rf"\"{re.escape(key)}\"\s*:" if quoted else rf"^\s*\"?{re.escape(key)}\"?\s*="
    m = re.search(pattern, text, re.M)
    return text.count("\n", 0, m.start()) + 1 if m else 1


def _read_json(out: ConfigFile, text: str) -> None:
    try:
        data = json.loads(text)
    except ValueError as exc:
        out.notes.append(f"{out.path}: not read (invalid JSON: {exc})")
        return
    if not isinstance(data, dict):
        return  # a list of records: data, not a config
    flat: list[tuple[str, Any]] = []
    _flatten(data, "", flat)
    out.entries = [(k, v, _line_of(text, k.rsplit(".", 1)[-1], True)) for k, v in flat]


def _read_toml(out: ConfigFile, text: str) -> None:
    from stepguard.lint._config import _toml_module

    tomllib = _toml_module()
    if tomllib is None:
        out.notes.append(f"{out.path}: not read (Python 3.10 needs `pip install tomli`)")
        return
    try:
        data = tomllib.loads(text)
    except Exception as exc:
        out.notes.append(f"{out.path}: not read (invalid TOML: {exc})")
        return
    flat: list[tuple[str, Any]] = []
    _flatten(data, "", flat)
    out.entries = [(k, v, _line_of(text, k.rsplit(".", 1)[-1], False)) for k, v in flat]

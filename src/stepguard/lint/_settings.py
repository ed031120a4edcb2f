"""The settings a project ships: defaults in its code, its config files and its launch scripts.

A finding often depends on a value the code only names (``args.gradient_accumulation_steps``,
``cfg.optim.weight_decay``). `Settings` collects where a project gives such values:

- defaults in Python: argparse ``add_argument("--x", default=...)`` (and ``dest=``,
  ``store_true``, ``set_defaults``), absl ``flags.DEFINE_*("x", default, ...)``, dataclass fields
  and config classes (``x: int = 8``, ``field(default=8)``; subclasses of transformers'
  ``TrainingArguments`` also inherit its documented defaults for the fields the linter reads);
- config files (YAML, JSON, TOML) anywhere in the linted directories (`stepguard.lint._configs`);
- launch scripts (``*.sh``, SLURM jobs, Makefiles: `stepguard.lint._launch`).

These form `Scenario`s: one with the code's defaults alone, one per launch command (its options,
the configs it names, its environment and process count, over the defaults), and one per config
file no launch command names. A finding is *active* when some scenario makes it bite. Python
files are searched only for the keys asked about, and configs and scripts are read once, on the
first question, so a run without findings never reads them.
"""

from __future__ import annotations

import ast
import contextlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from stepguard.lint._configs import ConfigFile, parse_config
from stepguard.lint._launch import Launch, normalize_key, parse_launch_script

if TYPE_CHECKING:
    from stepguard.lint._project import Project

__all__ = ["Scenario", "Settings", "Value"]

_CONFIG_SUFFIXES = (".yaml", ".yml", ".json", ".toml")
_SCRIPT_SUFFIXES = (".sh", ".bash", ".zsh", ".slurm", ".sbatch", ".job", ".pbs", ".mk")
_SCRIPT_NAMES = ("Makefile", "makefile", "GNUmakefile")
# Config-like files that hold no training settings.
_NOT_CONFIGS = frozenset(
    (
        "package.json",
        "package-lock.json",
        "tsconfig.json",
        "pyproject.toml",
        "poetry.lock",
        "environment.yml",
        "environment.yaml",
        "mkdocs.yml",
        "codecov.yml",
        ".pre-commit-config.yaml",
        "docker-compose.yml",
        "docker-compose.yaml",
        "cargo.toml",
        "setup.cfg",
    )
)
_MAX_FILES = 2000
_WALK_SKIP = frozenset(
    ("__pycache__", "node_modules", "site-packages", "dist-packages", "build", "dist", "venv")
)
# transformers' TrainingArguments defaults for the fields the rules read (its documentation).
_TRAINING_ARGUMENTS = {
    "gradient_accumulation_steps": 1,
    "weight_decay": 0.0,
    "fp16": False,
    "bf16": False,
    "max_grad_norm": 1.0,
}
_CONFIG_CLASS = re.compile(
    r"(Config|Configs|Args|Arguments|Params|Parameters|Options|Hparams|HParams|Settings|Hyperparameters|Cfg)$"
)


@dataclass(frozen=True)
class Value:
    """A value and where it comes from (``scripts/train.sh:3``; several for a derived value)."""

    value: Any
    sources: tuple[str, ...]

    def where(self) -> str:
        """The sources, comma-separated."""
        return ", ".join(dict.fromkeys(self.sources))


@dataclass
class Scenario:
    """One way the project runs: the defaults, a launch command, or a config file."""

    name: str
    kind: str = "defaults"  # "defaults", "launch" or "config"
    options: dict[str, Value] = field(default_factory=dict)  # normalized key -> value
    config: list[tuple[str, Value]] = field(default_factory=list)  # (dotted key, value)
    env: dict[str, Value] = field(default_factory=dict)
    world_size: Value | None = None
    script: str | None = None  # the program a launch command runs (``train.py``), as written

    def option(self, components: list[str]) -> Value | bool | None:
        """The value this scenario gives the setting named by `components` (``["optim",
        "weight_decay"]``): a `Value`, None when it does not set it, False when ambiguous."""
        key = normalize_key(components[-1])
        dotted = ".".join(normalize_key(c) for c in components)
        for name in (dotted, key):
            if name in self.options:
                return self.options[name]
        best: list[tuple[int, Value]] = []
        for path, value in self.config:
            parts = [normalize_key(p) for p in path.split(".")]
            if parts[-1] != key:
                continue
            n = 1
            while (
                n < len(parts)
                and n < len(components)
                and parts[-1 - n] == normalize_key(components[-1 - n])
            ):
                n += 1
            best.append((n, value))
        if not best:
            return None
        top = max(n for n, _ in best)
        winners = {repr(v.value): v for n, v in best if n == top}
        if len(winners) > 1:
            return False
        return next(iter(winners.values()))


class Settings:
    """The settings of a `Project` (see the module docstring)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._scenarios: list[Scenario] | None = None
        self.notes: list[str] = []
        self._defaults: dict[str, dict[str, list[Value]]] = {}  # file -> key -> values
        self._training_arguments: bool | None = None
        self._overrides: dict[
            str, str | None
        ] = {}  # file -> why its argparse defaults may not hold

    # -- defaults in Python ---------------------------------------------------------------------
    def defaults(self, key: str, prefer: str | None = None) -> list[Value]:
        """The defaults the project's Python code gives setting `key`: those of the file `prefer`
        when it defines one, else every distinct one found."""
        key = normalize_key(key)
        found: dict[str, list[Value]] = {}
        for path in self.project.files:
            text = self.project.text(path)
            if text is None or key not in text.lower().replace("-", "_"):
                continue
            values = self._file_defaults(path).get(key)
            if values:
                found[path] = values
        if prefer is not None and prefer in found:
            return found[prefer]
        out: list[Value] = []
        for values in found.values():
            for v in values:
                if all(repr(v.value) != repr(o.value) for o in out):
                    out.append(v)
        if not out and key in _TRAINING_ARGUMENTS and self._uses_training_arguments():
            out.append(Value(_TRAINING_ARGUMENTS[key], ("transformers' TrainingArguments",)))
        return out

    def config_override(self, found: list[Value]) -> str | None:
        """Why the argparse defaults `found` may not be the values the run uses: each comes
        from a file whose parser is handed to a function that reads a config file it names
        (``args = parse_with_config(parser)`` with ``--config`` required). None when some default
        is certain."""
        reasons: list[str] = []
        shown: list[str] = []
        for v in found:
            path = v.sources[0].rsplit(":", 1)[0] if v.sources else ""
            reason = self._override_of(path)
            if reason is None:
                return None
            reasons.append(reason)
            shown.append(f"the default {v.value!r} at {v.where()}")
        if not reasons:
            return None
        return f"{' and '.join(shown)} may be replaced by {reasons[0]}"

    def _override_of(self, path: str) -> str | None:
        if path not in self._overrides:
            facts = self.project.definitions(path) if path.endswith(".py") else None
            self._overrides[path] = _config_parser(facts) if facts is not None else None
        return self._overrides[path]

    def _uses_training_arguments(self) -> bool:
        if self._training_arguments is None:
            self._training_arguments = any(
                "TrainingArguments" in (self.project.text(p) or "") for p in self.project.files
            )
        return self._training_arguments

    def _file_defaults(self, path: str) -> dict[str, list[Value]]:
        cached = self._defaults.get(path)
        if cached is not None:
            return cached
        out: dict[str, list[Value]] = {}
        facts = self.project.definitions(path)
        if facts is not None:
            for key, value, line in _python_defaults(facts):
                out.setdefault(normalize_key(key), []).append(Value(value, (f"{path}:{line}",)))
        self._defaults[path] = out
        return out

    # -- scenarios -----------------------------------------------------------------------------
    def scenarios(self) -> list[Scenario]:
        """The defaults scenario first, then one per launch command and unreferenced config."""
        if self._scenarios is None:
            self._scenarios = self._build()
        return self._scenarios

    def _walk(self) -> Iterator[str]:
        count = 0
        for root in self.project.roots:
            for folder, dirs, files in os.walk(root):
                dirs[:] = sorted(
                    d
                    for d in dirs
                    if not d.startswith(".")
                    and d not in _WALK_SKIP
                    and not d.endswith(".egg-info")
                    and not os.path.isfile(os.path.join(folder, d, "pyvenv.cfg"))
                )
                for name in sorted(files):
                    low = name.lower()
                    if (
                        (low.endswith(_CONFIG_SUFFIXES) and low not in _NOT_CONFIGS)
                        or low.endswith(_SCRIPT_SUFFIXES)
                        or name in _SCRIPT_NAMES
                    ):
                        count += 1
                        if count > _MAX_FILES:
                            self.notes.append(
                                f"more than {_MAX_FILES} config and script files; the rest not read"
                            )
                            return
                        yield os.path.join(folder, name)

    def _read(self, path: str) -> str | None:
        try:
            if os.path.getsize(path) > 256 * 1024:
                self.notes.append(f"{path}: not read (larger than 256 KiB)")
                return None
            with open(path, encoding="utf-8") as handle:
                return handle.read()
        except (OSError, UnicodeDecodeError):
            return None

    def _build(self) -> list[Scenario]:
        configs: dict[str, ConfigFile] = {}
        launches: list[Launch] = []
        for path in self._walk():
            text = self._read(path)
            if text is None:
                continue
            if path.lower().endswith(_CONFIG_SUFFIXES):
                cfg = parse_config(path, text)
                self.notes.extend(cfg.notes)
                if cfg.entries:
                    configs[os.path.normpath(path)] = cfg
            else:
                launches.extend(parse_launch_script(path, text))
        out = [Scenario("the defaults")]
        used: set[str] = set()
        for launch in launches:
            sc = Scenario(f"{launch.path}:{launch.line}", "launch", script=launch.script)
            where = f"{launch.path}:{{}}"
            for key, (value, line) in launch.options.items():
                sc.options[key] = Value(value, (where.format(line),))
            for key, (value, line) in launch.env.items():
                sc.env[key] = Value(value, (where.format(line),))
            ws = launch.world_size
            if ws is not None:
                sc.world_size = Value(ws[0], (where.format(ws[1]),))
                sc.env.setdefault("WORLD_SIZE", sc.world_size)
            for name, _ in launch.configs:
                named = _find_config(configs, launch.path, name)
                if named is not None:
                    used.add(os.path.normpath(named.path))
                    _add_config(sc, named)
            out.append(sc)
        for key, cfg in configs.items():
            if key not in used:
                sc = Scenario(cfg.path, "config")
                _add_config(sc, cfg)
                out.append(sc)
        return out


def _add_config(sc: Scenario, cfg: ConfigFile) -> None:
    for dotted, value, line in cfg.entries:
        sc.config.append((dotted, Value(value, (f"{cfg.path}:{line}",))))
        if dotted.rsplit(".", 1)[-1] == "num_processes" and isinstance(value, int):
            sc.world_size = sc.world_size or Value(value, (f"{cfg.path}:{line}",))


def _find_config(configs: dict[str, ConfigFile], script: str, name: str) -> ConfigFile | None:
    """The config file a launch command names, relative to the script or to a project root."""
    target = os.path.normpath(name)
    candidates = [
        os.path.normpath(os.path.join(os.path.dirname(script), name)),
        target,
    ]
    for c in candidates:
        if c in configs:
            return configs[c]
    matches = [
        cfg for key, cfg in configs.items() if key.endswith(os.sep + target) or key == target
    ]
    return matches[0] if len(matches) == 1 else None


# -- defaults in Python code -------------------------------------------------------------------


def _literal(facts: Any, node: ast.AST | None) -> tuple[bool, Any]:
    """(True, value) for a constant-valued default (also arithmetic on constants and module
    constants), else (False, None)."""
    from stepguard.lint._values import const_number

    if node is None:
        return False, None
    if isinstance(node, ast.Constant):
        return True, node.value
    number = const_number(facts, node, node)
    if number is not None:
        return True, int(number) if number.is_integer() and not _is_float(node) else number
    return False, None


def _is_float(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Constant) and isinstance(n.value, float) for n in ast.walk(node))


def _python_defaults(facts: Any) -> Iterator[tuple[str, Any, int]]:
    """(key, default value, line) for every argparse option, absl flag and config-class field of
    a file whose default is a constant."""
    from stepguard.lint._nodes import call_name, kwarg

    for call in facts.calls:
        name = call_name(call)
        if name == "add_argument":
            flags = [
                a.value
                for a in call.args
                if isinstance(a, ast.Constant) and isinstance(a.value, str)
            ]
            dest_node = kwarg(call, "dest")
            if isinstance(dest_node, ast.Constant) and isinstance(dest_node.value, str):
                keys = [dest_node.value]
            else:
                long = [f for f in flags if f.startswith("--")]
                keys = [long[0]] if long else flags[:1]
            if not keys:
                continue
            action = kwarg(call, "action")
            default = kwarg(call, "default")
            if default is None and isinstance(action, ast.Constant):
                if action.value == "store_true":
                    yield keys[0], False, call.lineno
                elif action.value == "store_false":
                    yield keys[0], True, call.lineno
                continue
            if default is None:
                if not any(k == "required" for k in (kw.arg for kw in call.keywords)):
                    yield keys[0], None, call.lineno
                continue
            ok, value = _literal(facts, default)
            if ok:
                typ = kwarg(call, "type")
                if (
                    isinstance(value, str)
                    and isinstance(typ, ast.Name)
                    and typ.id in ("int", "float")
                ):
                    with contextlib.suppress(ValueError):
                        value = int(value) if typ.id == "int" else float(value)
                yield keys[0], value, default.lineno
        elif name == "set_defaults":
            for kw in call.keywords:
                ok, value = _literal(facts, kw.value)
                if kw.arg and ok:
                    yield kw.arg, value, kw.value.lineno
        elif name.startswith("DEFINE_") and len(call.args) >= 2:
            key = call.args[0]
            ok, value = _literal(facts, call.args[1])
            if isinstance(key, ast.Constant) and isinstance(key.value, str) and ok:
                yield key.value, value, call.lineno
    for classes in facts.classes.values():
        for cls in classes:
            if not _is_config_class(cls):
                continue
            for stmt in cls.body:
                target: ast.expr | None = None
                value_node: ast.expr | None = None
                if isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                    target, value_node = stmt.target, stmt.value
                elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                    target, value_node = stmt.targets[0], stmt.value
                if not isinstance(target, ast.Name) or value_node is None:
                    continue
                if isinstance(value_node, ast.Call) and call_name(value_node) == "field":
                    value_node = kwarg(value_node, "default")
                ok, value = _literal(facts, value_node)
                if ok:
                    yield target.id, value, stmt.lineno


# An option that names a config file: ``--config``, ``--cfg``, ``--config_file``, ``--yaml``.
_CONFIG_OPTION = re.compile(
    r"(?i)^-{1,2}(c(on)?fi?g|conf|config[_-]?(file|path)|yaml|json|hparams)$"
)
# A function that parses arguments and reads the config over them (``parse_with_config``,
# ``load_config``, ``merge_yaml_args``).
_READER = re.compile(r"(?i)(pars|config|conf|cfg|load|merge|yaml|json)")
# What a parser is handed to without reading a config: argparse's own methods.
_ARGPARSE_CALLS = frozenset(
    ("parse_args", "parse_known_args", "parse_intermixed_args", "add_argument", "print_help")
)


def _config_parser(facts: Any) -> str | None:
    """Why the argparse defaults of this file may be replaced: its parser has a config-file option
    that is required (or has a default path), and the parser is handed to a function other than
    argparse's own whose result is assigned (``args = parse_with_config(parser)``), which reads
    that file over the defaults. None otherwise."""
    from stepguard.lint._nodes import call_name, dotted, kwarg, receiver

    option: str | None = None
    parsers: set[str] = set()
    for call in facts.calls:
        if call_name(call) != "add_argument":
            continue
        rec = receiver(call)
        flags = [
            a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
        ]
        if not any(_CONFIG_OPTION.match(f) for f in flags):
            continue
        required = kwarg(call, "required")
        default = kwarg(call, "default")
        if (isinstance(required, ast.Constant) and required.value is True) or (
            isinstance(default, ast.Constant) and isinstance(default.value, str) and default.value
        ):
            option = next(f for f in flags if _CONFIG_OPTION.match(f))
            if rec is not None and (d := dotted(rec)) is not None:
                parsers.add(d)
    if option is None:
        return None
    for call in facts.calls:
        name = call_name(call)
        if name in _ARGPARSE_CALLS or not _READER.search(name):
            continue
        if not isinstance(facts.parents.get(call), (ast.Assign, ast.AnnAssign)):
            continue  # `add_model_args(parser)` adds options; a reader returns the settings
        if any(dotted(a) in parsers for a in call.args if isinstance(a, (ast.Name, ast.Attribute))):
            return f"the `{option}` file that `{short_call(call)}` reads (the linter cannot)"
    return None


def short_call(call: ast.Call) -> str:
    """``parse_with_config(parser)``, shortened."""
    text = ast.unparse(call)
    return text if len(text) <= 40 else text[:37] + "..."


def _is_config_class(cls: ast.ClassDef) -> bool:
    from stepguard.lint._nodes import dotted

    for d in cls.decorator_list:
        node = d.func if isinstance(d, ast.Call) else d
        name = (dotted(node) or "").rsplit(".", 1)[-1]
        if name in ("dataclass", "define", "attrs", "frozen", "configclass"):
            return True
    if _CONFIG_CLASS.search(cls.name):
        return True
    for base in cls.bases:
        name = (dotted(base) or "").rsplit(".", 1)[-1]
        if name in (
            "TrainingArguments",
            "BaseModel",
            "NamedTuple",
            "BaseSettings",
        ) or _CONFIG_CLASS.search(name):
            return True
    return False

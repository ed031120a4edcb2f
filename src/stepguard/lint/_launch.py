"""Launch scripts a project ships (``scripts/train.sh``, Makefiles, SLURM jobs), read as commands.

Each command that starts a training program (``python train.py``, ``torchrun``, ``python -m
torch.distributed.launch``, ``accelerate launch``, ``deepspeed``, also after ``srun`` / ``mpirun``
/ ``CUDA_VISIBLE_DEVICES=...``) becomes a `Launch`: the script it runs, the options it passes
(``--gradient_accumulation_steps 8``, ``--lr=1e-4``, ``--fp16``, Hydra-style ``optim.wd=0.05``),
the config files it names (``--config configs/a.yaml``, ``--deepspeed ds.json``, a positional
``config/train_gpt2.py``), the environment it sets and the number of processes it starts
(``--nproc_per_node 8 --nnodes 2``, ``--num_processes``, ``--num_gpus``, ``-np``). Shell variables
assigned in the script (``GA=8``, ``export GA=8``, ``${GA:-8}``) are substituted. Every value keeps
the line it came from. Nothing is run.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import Any

from stepguard.lint._configs import parse_scalar

__all__ = ["Launch", "normalize_key", "parse_launch_script"]

_LAUNCHERS = (
    "python",
    "python3",
    "torchrun",
    "accelerate",
    "deepspeed",
    "colossalai",
    "horovodrun",
)
_WORLD_FLAGS = {
    "nproc_per_node": "procs",
    "nproc-per-node": "procs",
    "num_processes": "procs",
    "num-processes": "procs",
    "num_gpus": "procs",
    "num-gpus": "procs",
    "gpus": "procs",
    "np": "procs",
    "nnodes": "nodes",
    "num_machines": "nodes",
    "num-machines": "nodes",
    "num_nodes": "nodes",
    "num-nodes": "nodes",
}
_CONFIG_FLAGS = {
    "config",
    "cfg",
    "c",
    "config_file",
    "config-file",
    "config_path",
    "config-path",
    "deepspeed",
    "deepspeed_config",
    "deepspeed-config",
    "yaml",
}
_CONFIG_SUFFIXES = (".yaml", ".yml", ".json", ".toml")
_OVERRIDE = re.compile(r"^\+{0,2}[A-Za-z_][\w.\-]*=")  # Hydra-style `optim.wd=0.1`
_VAR = re.compile(r"\$\{(\w+)(?::?-([^}]*))?\}|\$(\w+)")
_ASSIGN = re.compile(r"^(?:export\s+|local\s+|readonly\s+)?([A-Za-z_]\w*)=(.*)$")


def normalize_key(key: str) -> str:
    """``--Gradient-Accumulation-Steps`` -> ``gradient_accumulation_steps``."""
    return key.lstrip("-+").replace("-", "_").lower()


@dataclass
class Launch:
    """One command of a launch script (see the module docstring); values are (value, line)."""

    path: str
    line: int
    script: str | None = None  # the Python file or module it runs
    options: dict[str, tuple[Any, int]] = field(default_factory=dict)  # normalized key -> value
    configs: list[tuple[str, int]] = field(default_factory=list)  # config files it names
    env: dict[str, tuple[str, int]] = field(default_factory=dict)
    procs: tuple[int, int] | None = None  # (processes, line)
    nodes: tuple[int, int] | None = None

    @property
    def world_size(self) -> tuple[int, int] | None:
        """Processes times nodes, with the line of the process count; None when not stated."""
        if self.procs is None:
            return None
        nodes = self.nodes[0] if self.nodes else 1
        return self.procs[0] * nodes, self.procs[1]


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Lines with backslash continuations joined, comments removed: (first line number, text)."""
    out: list[tuple[int, str]] = []
    buf: list[str] = []
    start = 0
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if not buf:
            start = lineno
        if line.lstrip().startswith("#"):
            line = ""
        if line.endswith("\\"):
            buf.append(line[:-1])
            continue
        buf.append(line)
        out.append((start, " ".join(buf)))
        buf = []
    if buf:
        out.append((start, " ".join(buf)))
    return out


def _expand(text: str, variables: dict[str, str]) -> str:
    def sub(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(3)
        if name in variables:
            return variables[name]
        return m.group(2) if m.group(2) is not None else m.group(0)

    return _VAR.sub(sub, text)


def parse_launch_script(path: str, text: str) -> list[Launch]:
    """The training commands of a shell script or Makefile (see the module docstring)."""
    variables: dict[str, str] = {}
    exported: dict[str, tuple[str, int]] = {}
    out: list[Launch] = []
    for lineno, line in _logical_lines(text):
        stripped = line.strip()
        if not stripped:
            continue
        for piece in re.split(r"\s*(?:&&|;|\|\|)\s*", stripped):
            m = _ASSIGN.match(piece)
            if m and " " not in m.group(2).strip().strip("'\""):
                value = _expand(m.group(2).strip().strip("'\""), variables)
                variables[m.group(1)] = value
                if piece.startswith("export"):
                    exported[m.group(1)] = (value, lineno)
                continue
            launch = _command(path, lineno, _expand(piece, variables))
            if launch is not None:
                for k, v in exported.items():
                    launch.env.setdefault(k, v)
                out.append(launch)
    return out


def _command(path: str, lineno: int, piece: str) -> Launch | None:
    try:
        tokens = shlex.split(piece, comments=False)
    except ValueError:
        return None
    env: dict[str, tuple[str, int]] = {}
    i = 0
    # Leading VAR=value assignments and wrappers (srun, mpirun -np 4, nohup, env).
    while i < len(tokens):
        tok = tokens[i]
        m = _ASSIGN.match(tok)
        if m:
            env[m.group(1)] = (m.group(2), lineno)
            i += 1
            continue
        base = tok.rsplit("/", 1)[-1]
        if base in _LAUNCHERS or re.fullmatch(r"python\d(\.\d+)?", base):
            break
        i += 1
    if i >= len(tokens):
        return None
    launch = Launch(path=path, line=lineno, env=env)
    pre = tokens[:i]
    _world(launch, pre, lineno)
    base = tokens[i].rsplit("/", 1)[-1]
    rest = tokens[i + 1 :]
    if base == "accelerate":
        if not rest or rest[0] != "launch":
            return None
        rest = rest[1:]
    # Launcher options up to the program (a .py file or `-m module`).
    j = 0
    while j < len(rest):
        tok = rest[j]
        if tok == "-m" and j + 1 < len(rest):
            module = rest[j + 1]
            if module in ("torch.distributed.launch", "torch.distributed.run"):
                j += 2
                continue
            launch.script = module
            j += 2
            break
        if tok.endswith(".py"):
            launch.script = tok
            j += 1
            break
        if (
            base.startswith("python")
            and re.fullmatch(r"-[A-Za-z]+", tok)
            and tok not in ("-W", "-X")
        ):
            j += 1  # the interpreter's own switches (`python -u train.py`) take no value
            continue
        if tok.startswith("-"):
            key, value, used = _option(rest, j)
            _launcher_option(launch, normalize_key(key), value, lineno)
            j += used
            continue
        j += 1
    if launch.script is None:
        return None
    _program_args(launch, rest[j:], lineno)
    return launch


def _world(launch: Launch, tokens: list[str], lineno: int) -> None:
    for j, tok in enumerate(tokens):
        if tok.startswith("-"):
            key, value, _ = _option(tokens, j)
            _launcher_option(launch, normalize_key(key), value, lineno)


def _option(tokens: list[str], j: int) -> tuple[str, Any, int]:
    """(key, value, tokens used) of the option at `tokens[j]`."""
    tok = tokens[j]
    if "=" in tok:
        key, _, value = tok.partition("=")
        return key, parse_scalar(value), 1
    nxt = tokens[j + 1] if j + 1 < len(tokens) else None
    if (
        nxt is not None
        and not nxt.startswith("--")
        and not _is_flag(nxt)
        and not _OVERRIDE.match(nxt)
    ):
        return tok, parse_scalar(nxt), 2
    return tok, True, 1


def _is_flag(tok: str) -> bool:
    return tok.startswith("-") and not re.fullmatch(r"-\d[\d.eE+-]*", tok)


def _launcher_option(launch: Launch, key: str, value: Any, lineno: int) -> None:
    kind = _WORLD_FLAGS.get(key)
    if kind is not None and isinstance(value, int) and not isinstance(value, bool):
        if kind == "procs":
            launch.procs = (value, lineno)
        else:
            launch.nodes = (value, lineno)
    elif key in _CONFIG_FLAGS and isinstance(value, str):
        launch.configs.append((value, lineno))
    elif key == "mixed_precision" and isinstance(value, str):
        launch.options["mixed_precision"] = (value, lineno)


def _program_args(launch: Launch, tokens: list[str], lineno: int) -> None:
    j = 0
    while j < len(tokens):
        tok = tokens[j]
        if tok in (">", ">>", "2>", "2>&1", "|", "&") or tok.startswith((">", "2>")):
            break
        if _is_flag(tok):
            key, value, used = _option(tokens, j)
            name = normalize_key(key)
            if name in _CONFIG_FLAGS and isinstance(value, str):
                launch.configs.append((value, lineno))
            launch.options[name] = (value, lineno)
            j += used
            continue
        if _OVERRIDE.match(tok):
            key, _, value = tok.partition("=")
            launch.options[normalize_key(key)] = (parse_scalar(value), lineno)
        elif tok.endswith((*_CONFIG_SUFFIXES, ".py")):
            launch.configs.append((tok, lineno))
        j += 1

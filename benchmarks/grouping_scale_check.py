"""Scale check for parameter groups: every transformers model type, tiny and random-init.

Run: ``.venv/bin/python benchmarks/grouping_scale_check.py [--only gpt2,llama] [--json out.json]``.
For each model type of the installed transformers (`_hf_zoo.model_types`): build it from a shrunk
config (`_hf_zoo.build`; no downloads), then

1. ``classify(model)`` (structural rules) and ``param_groups(model, 0.1)`` (for a model built on the
   meta device, the same grouping code on the same decisions: param_groups refuses meta tensors by
   design). Counted: crashes (an exception from stepguard), trainable tensors missing from the
   groups, tensors placed twice, and tied tensors decided twice (more than one decision for one
   tensor, or a decision that misses one of the tensor's names);
2. ``classify(model, example_inputs=...)`` (role by use) on inputs guessed from the model's main
   input (`_hf_zoo.example_inputs`); models whose plain forward rejects those inputs are skipped
   with the reason. Counted: crashes, models left changed (a parameter or buffer replaced, a
   buffer written, a training flag flipped, a value changed), where the forward ran (meta device
   or for real), and every tensor whose decay decision differs between the two modes.

Prints one row per model type, the skipped ones with their reason, the differing tensors grouped
by attribute name, and a last line ``models=<n> built=<n> crashes=<n> missing=<n> duplicated=<n>
tied_twice=<n> changed=<n> forward_meta=<n> forward_real=<n> compared=<n> by_use=<n> differ=<n>
differ_models=<n> kept=<n>`` (compared: tensors decided both ways; by_use: of those, the ones
whose structural rule was a heuristic that the observed use replaced; kept: tensors a torch class
decided although their use says otherwise, listed too).
``--json`` writes every row and difference. `tests/test_grouping_scale.py` runs `check` on a
handful of architectures.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import signal
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _hf_zoo

from stepguard.groups import classify, param_groups
from stepguard.groups._classify import groups_from_decisions
from stepguard.groups._forward import observe


@dataclass
class Row:
    """One model type's results (see the module docstring for each count)."""

    model_type: str
    class_name: str
    status: str = "ok"  # "ok", "skipped: <why>", "crash: <error>"
    shrink: str = ""
    device: str = ""
    tensors: int = 0
    decay: int = 0
    classify_us_per_tensor: float = 0.0
    missing: int = 0
    duplicated: int = 0
    tied_twice: int = 0
    forward: str = ""  # "meta", "cpu", or "not run: <why>"
    use_crash: str = ""
    changed: str = ""
    compared: int = 0  # tensors decided both ways
    by_use: int = 0  # of those, decided by their use (a heuristic structural rule replaced)
    differ: list[dict[str, Any]] = field(default_factory=list)
    # tensors a torch class decided while their use says otherwise (kept, but worth a look)
    kept: list[dict[str, Any]] = field(default_factory=list)


def _state(model: nn.Module) -> list[Any]:
    """What must not change: tensor identities, buffer versions, training flags, values."""
    out: list[Any] = []
    for m in model.modules():
        out.append((id(m), m.training))
        out.extend((k, id(t)) for k, t in m._parameters.items())
        out.extend((k, id(t), t._version if t is not None else None) for k, t in m._buffers.items())
    with torch.no_grad():
        for p in model.parameters():
            if not p.is_meta and p.numel():
                out.append(float(p.detach().double().sum()))
    return out


class _Timeout(Exception):
    pass


def _alarm(_signum: int, _frame: Any) -> None:
    raise _Timeout("timed out")


def _plain_forward(model: nn.Module, inputs: dict[str, Any], device: str) -> None:
    feed = {k: v.to(device) if isinstance(v, torch.Tensor) else v for k, v in inputs.items()}
    training = [(m, m.training) for m in model.modules()]
    try:
        model.eval()
        with torch.no_grad(), torch.device(device):
            model(**feed)
    finally:
        for m, flag in training:
            m.training = flag


def _tied_twice(model: nn.Module, decisions: list[Any]) -> int:
    names: dict[int, set[str]] = collections.defaultdict(set)
    for n, p in model.named_parameters(remove_duplicate=False):
        if p.requires_grad:
            names[id(p)].add(n)
    per_tensor = collections.Counter(id(d.param) for d in decisions)
    twice = sum(1 for c in per_tensor.values() if c > 1)
    incomplete = sum(1 for d in decisions if len(names[id(d.param)]) > len(d.names))
    return twice + incomplete


_FIRST = [""]  # the first rejection of the last `_inputs` call, for the report


def _inputs(built: _hf_zoo.Built) -> dict[str, Any] | None:
    """The first candidate input (each also with ``use_cache=False``: hybrid state-space caches
    reject a first call with a cache) that the model's plain forward accepts."""
    device = "meta" if built.device == "meta" else "cpu"
    _FIRST[0] = ""
    for candidate in _hf_zoo.example_inputs(built):
        for attempt in (candidate, {**candidate, "use_cache": False}):
            try:
                _plain_forward(built.model, attempt, device)
            except Exception as exc:
                _FIRST[0] = _FIRST[0] or f"{type(exc).__name__}: {exc}".splitlines()[0][:140]
                continue
            return attempt
    return None


def check(model_type: str, class_names: tuple[str, ...], *, timeout: int = 120) -> Row:
    """Build one model type (the first of `class_names` that builds) and run both checks on it."""
    row = Row(model_type, class_names[0])
    try:
        built = _hf_zoo.build(model_type, class_names)
    except Exception as exc:
        message = " ".join(str(exc).split())  # ImportError messages start with a newline
        row.status = f"skipped: build failed inside transformers: {type(exc).__name__}: {message}"
        row.status = row.status[:200]
        return row
    model = built.model
    row.class_name, row.shrink, row.device = built.class_name, built.shrink, built.device
    try:
        start = time.perf_counter()
        decisions = classify(model)
        row.classify_us_per_tensor = (time.perf_counter() - start) / max(1, len(decisions)) * 1e6
        row.tensors, row.decay = len(decisions), sum(d.decay for d in decisions)
        if built.device == "meta":
            groups = groups_from_decisions(decisions, 0.1)
        else:
            groups = param_groups(model, 0.1)
    except Exception as exc:
        row.status = f"crash: {type(exc).__name__}: {exc}"[:300]
        return row
    placed = collections.Counter(id(p) for g in groups for p in g["params"])
    trainable = {id(p) for p in model.parameters() if p.requires_grad}
    row.missing = len(trainable - set(placed))
    row.duplicated = sum(1 for c in placed.values() if c > 1) + len(set(placed) - trainable)
    row.tied_twice = _tied_twice(model, decisions)

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(timeout)
    try:
        inputs = _inputs(built)
        if inputs is None and built.shrink == "tiny":
            # the shrunk config may break a model's own shape assumptions (rotary sections,
            # head sizes): the default config with fewer layers
            with contextlib.suppress(Exception):
                bigger = _hf_zoo.build(model_type, (built.class_name,), tiny=False)
                inputs = _inputs(bigger)
                if inputs is not None:
                    built, model, decisions = bigger, bigger.model, classify(bigger.model)
        if not _hf_zoo.example_inputs(built):
            row.forward = f"not run: no example input for main input {model.main_input_name!r}"
            return row
        if inputs is None:
            row.forward = f"not run: the plain forward rejects the guessed inputs ({_FIRST[0]})"
            return row
        before = _state(model)
        try:
            row.forward = observe(model, inputs).device
            used = classify(model, example_inputs=inputs)
        except Exception as exc:
            text = f"{type(exc).__name__}: {exc}"
            if "failed on the meta device" in text and built.device == "meta":
                row.forward = "not run: needs values, and the model is on the meta device"
                return row
            row.use_crash = text[:300]
            return row
        if _state(model) != before:
            row.changed = "model state changed by classify(example_inputs=...)"
    except _Timeout:
        row.forward = f"not run: forward slower than {timeout} s"
        return row
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    row.compared = len(used)
    row.by_use = sum(1 for u in used if u.detail.startswith("use:"))
    row.kept = [
        {"name": u.name, "shape": list(u.shape), "owner": u.module_type, "detail": u.detail}
        for u in used
        if "(a torch class: kept)" in u.detail
    ]
    for s, u in zip(decisions, used, strict=True):
        if s.decay != u.decay:
            row.differ.append(
                {
                    "name": s.name,
                    "shape": list(s.shape),
                    "owner": s.module_type,
                    "structural": f"{'decay' if s.decay else 'no decay'} ({s.reason}: {s.detail})",
                    "use": f"{'decay' if u.decay else 'no decay'} ({u.reason}: {u.detail})",
                }
            )
    return row


def _attr(name: str) -> str:
    parts = name.split(".")
    while len(parts) > 1 and parts[-1].isdigit():
        parts.pop()
    return parts[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated model types")
    parser.add_argument("--json", help="write all rows and differences to this file")
    parser.add_argument("--timeout", type=int, default=120, help="seconds per forward")
    args = parser.parse_args()
    torch.manual_seed(0)
    types = _hf_zoo.model_types()
    if args.only:
        wanted = args.only.split(",")
        types = {k: v for k, v in types.items() if k in wanted}
    rows = []
    start = time.perf_counter()
    print(
        f"{'model type':<32}{'tensors':>8}{'decay':>7}{'us/t':>7}{'miss':>5}{'dup':>4}"
        f"{'tied2':>6}  {'forward':<8}{'differ':>7}"
    )
    for model_type, class_name in types.items():
        row = check(model_type, class_name, timeout=args.timeout)
        rows.append(row)
        if row.status != "ok":
            continue
        forward = row.forward if not row.forward.startswith("not run") else "-"
        forward = "CRASH" if row.use_crash else forward
        print(
            f"{model_type[:31]:<32}{row.tensors:>8}{row.decay:>7}{row.classify_us_per_tensor:>7.0f}"
            f"{row.missing:>5}{row.duplicated:>4}{row.tied_twice:>6}  {forward:<8}"
            f"{len(row.differ):>7}"
        )
    elapsed = time.perf_counter() - start
    built = [r for r in rows if not r.status.startswith("skipped")]
    crashes = [r for r in rows if r.status.startswith("crash")]
    use_crashes = [r for r in rows if r.use_crash]
    ran = [r for r in built if r.forward and not r.forward.startswith("not run")]
    differ = [d | {"model_type": r.model_type} for r in rows for d in r.differ]
    print()
    print("skipped (build failed inside transformers or needs another library):")
    for r in rows:
        if r.status.startswith("skipped"):
            print(f"  {r.model_type}: {r.status[len('skipped: ') :]}")
    print("forward not run (role by use not checked):")
    reasons = collections.Counter(
        r.forward.split(" (")[0] for r in built if r.forward.startswith("not run")
    )
    for why, n in reasons.most_common():
        print(f"  {n:>4}  {why[len('not run: ') :]}")
    for r in crashes + use_crashes:
        print(f"CRASH {r.model_type}: {r.status if r.status != 'ok' else r.use_crash}")
    for r in rows:
        if r.changed:
            print(f"CHANGED {r.model_type}: {r.changed}")
    print()
    print("tensors whose decision differs between structural rules and role by use, by name:")
    by_attr: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for d in differ:
        by_attr[_attr(d["name"])].append(d)
    for attr, items in sorted(by_attr.items(), key=lambda kv: -len(kv[1])):
        first = items[0]
        models = sorted({d["model_type"] for d in items})
        print(
            f"  {len(items):>5}  {attr} ({first['owner']}, {first['shape']}) in {len(models)} "
            f"model(s), e.g. {first['model_type']}"
        )
        print(f"         structural: {first['structural'][:150]}")
        print(f"         use:        {first['use'][:150]}")
    print()
    print("tensors a torch class decided although their use says otherwise (kept), by name:")
    kept: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for r in rows:
        for k in r.kept:
            kept[_attr(k["name"])].append(k | {"model_type": r.model_type})
    for attr, items in sorted(kept.items(), key=lambda kv: -len(kv[1])):
        first = items[0]
        models = sorted({k["model_type"] for k in items})
        print(
            f"  {len(items):>5}  {attr} ({first['owner']}, {first['shape']}) in {len(models)} "
            f"model(s), e.g. {first['model_type']}: {first['detail'][:140]}"
        )
    us = [r.classify_us_per_tensor for r in built if r.tensors]
    tensors = sum(r.tensors for r in built)
    print()
    print(
        f"{len(rows)} model types, {len(built)} built, {tensors} trainable tensors, "
        f"classify median {statistics.median(us or [0.0]):.1f} us/tensor, role by use checked on "
        f"{len(ran)} models; {elapsed:.0f} s"
    )
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(r) for r in rows], indent=1))
    print(
        f"models={len(rows)} built={len(built)} crashes={len(crashes) + len(use_crashes)} "
        f"missing={sum(r.missing for r in rows)} duplicated={sum(r.duplicated for r in rows)} "
        f"tied_twice={sum(r.tied_twice for r in rows)} "
        f"changed={sum(1 for r in rows if r.changed)} "
        f"forward_meta={sum(1 for r in ran if r.forward == 'meta')} "
        f"forward_real={sum(1 for r in ran if r.forward != 'meta')} "
        f"compared={sum(r.compared for r in rows)} by_use={sum(r.by_use for r in rows)} "
        f"differ={len(differ)} differ_models={len({d['model_type'] for d in differ})} "
        f"kept={sum(len(r.kept) for r in rows)}"
    )


if __name__ == "__main__":
    main()

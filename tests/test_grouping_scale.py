"""The fast subset of the scale check (benchmarks/grouping_scale_check.py) on real architectures.

Each architecture is built tiny from its transformers config (no downloads) and checked both ways:
structural classify + param_groups (no crash, every trainable tensor in exactly one group, tied
tensors decided once) and role by use (no crash, the model left unchanged, the forward on the
expected device), with the tensors whose decision differs between the two modes pinned. The
architectures cover a tied LM head (GPT-2), mixture-of-experts experts selected by a router loop
that needs values (Mixtral: the real-forward fallback), relative-position bias tables (BEiT),
Global Response Normalization (ConvNeXt V2), weight normalization and (1, C, 1) Snake alphas
(DAC), and a known disagreement (Funnel's segment table, scored against queries like a weight).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest


def _load(name: str) -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "benchmarks" / f"{name}.py"
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


scale = _load("grouping_scale_check")
TYPES = scale._hf_zoo.model_types()

# model type -> (device the role-by-use forward ran on, {attribute: count} of differing tensors)
EXPECTED: dict[str, tuple[str, dict[str, int]]] = {
    "gpt2": ("meta", {}),
    "mixtral": ("cpu", {}),
    "beit": ("meta", {}),
    "convnextv2": ("meta", {}),
    "dac": ("meta", {}),
    "funnel": ("meta", {"seg_embed": 14}),
}


@pytest.mark.parametrize("model_type", sorted(EXPECTED))
def test_structural_and_use_decisions_on_real_architectures(model_type: str) -> None:
    row = scale.check(model_type, TYPES[model_type])
    assert row.status == "ok", row.status
    assert (row.missing, row.duplicated, row.tied_twice) == (0, 0, 0)
    assert row.use_crash == "" and row.changed == ""
    forward, differ = EXPECTED[model_type]
    assert row.forward == forward
    counts: dict[str, int] = {}
    for d in row.differ:
        attr = scale._attr(d["name"])
        counts[attr] = counts.get(attr, 0) + 1
    assert counts == differ
    assert row.tensors > 0 and 0 < row.decay < row.tensors

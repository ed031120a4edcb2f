"""How fast are the parameter-group decisions? Structural rules per tensor; role by use per forward.

1. Structural rules: ``classify(model)`` on models built on the meta device at their published
   sizes (transformers defaults: Llama, Mixtral, Qwen3-MoE, Swin, plus a synthetic model with
   50,000 tensors of every kind the rules look at: layers, norms, raw tables, stacked experts
   with biases, per-channel scales, container elements). Median of `--reps` runs, in
   microseconds per tensor. Target: <= 50 us per tensor.
2. Role by use on the meta device: ``classify(model, example_inputs=...)`` against one plain
   forward of the same meta model on the same meta inputs (eval mode, no_grad), alternating in
   one process, median of `--reps`. Printed: both times, the cost of the observation alone
   (role by use minus the structural classify), and ``use_ratio`` = role-by-use classify / one
   meta forward. Target: the observation costs no more than one meta forward pass plus the
   tracer's per-operation bookkeeping (the ratio is printed, not asserted).

The last line is ``structural_us_per_tensor=<worst median> use_ratio=<worst median>``.
Run: ``.venv/bin/python benchmarks/bench_grouping.py [--reps 5]``.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time
import warnings
from collections.abc import Callable
from functools import partial
from typing import Any

import torch
from torch import nn

from stepguard.groups import classify


def _transformers() -> Any:
    import transformers

    logging.getLogger("transformers").setLevel(logging.ERROR)
    transformers.logging.set_verbosity_error()
    warnings.filterwarnings("ignore")
    return transformers


def _meta(build: Callable[[], nn.Module]) -> nn.Module:
    with torch.device("meta"):
        return build()


def _hf(model: str, config: str, **kwargs: Any) -> Callable[[], nn.Module]:
    def build() -> nn.Module:
        t = _transformers()
        module: nn.Module = getattr(t, model)(getattr(t, config)(**kwargs))
        return module

    return build


class _Block(nn.Module):
    """One of every kind of tensor the structural rules look at."""

    def __init__(self, d: int = 8, e: int = 2) -> None:
        super().__init__()
        self.fc = nn.Linear(d, d)
        self.norm = nn.LayerNorm(d)
        self.relative_position_bias_table = nn.Parameter(torch.zeros(9, 2))
        self.register_buffer("relative_position_index", torch.zeros(4, 4, dtype=torch.long))
        self.experts = nn.Parameter(torch.zeros(e, d, d))
        self.experts_bias = nn.Parameter(torch.zeros(e, d))
        self.gamma = nn.Parameter(torch.ones(1, d, 1))
        self.latents = nn.Parameter(torch.zeros(3, d))
        self.prompts = nn.ParameterList([nn.Parameter(torch.zeros(1, 2, d))])


def _synthetic(blocks: int = 5000) -> nn.Module:
    return nn.ModuleList(_Block() for _ in range(blocks))


def _median_us(fn: Callable[[], object], reps: int) -> float:
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def structural(reps: int) -> float:
    models = {
        "llama (default, 32 layers)": _hf("LlamaForCausalLM", "LlamaConfig"),
        "mixtral (default)": _hf("MixtralForCausalLM", "MixtralConfig"),
        "qwen3_moe (default)": _hf("Qwen3MoeForCausalLM", "Qwen3MoeConfig"),
        "swin (default)": _hf("SwinForImageClassification", "SwinConfig"),
        "synthetic (5000 blocks)": _synthetic,
    }
    worst = 0.0
    print(f"{'structural classify (meta)':<30}{'tensors':>9}{'ms':>9}{'us/tensor':>11}")
    for name, build in models.items():
        model = _meta(build)
        n = len(classify(model))  # first call also warms the per-class caches
        us = _median_us(lambda m=model: classify(m), reps)
        worst = max(worst, us / n)
        print(f"{name:<30}{n:>9}{us / 1e3:>9.1f}{us / n:>11.1f}")
    return worst


def _plain_forward(model: nn.Module, inputs: dict[str, torch.Tensor]) -> None:
    with torch.no_grad():
        model(**inputs)


def by_use(reps: int) -> float:
    t = _transformers()
    cases = {
        "llama (8 layers)": (
            _hf("LlamaForCausalLM", "LlamaConfig", num_hidden_layers=8),
            {"input_ids": torch.zeros(1, 128, dtype=torch.long)},
        ),
        "bert (base)": (
            _hf("BertForMaskedLM", "BertConfig"),
            {"input_ids": torch.zeros(1, 128, dtype=torch.long)},
        ),
        "vit (base)": (
            _hf("ViTForImageClassification", "ViTConfig"),
            {"pixel_values": torch.zeros(1, 3, 224, 224)},
        ),
        "swin (tiny)": (
            _hf("SwinForImageClassification", "SwinConfig"),
            {"pixel_values": torch.zeros(1, 3, 224, 224)},
        ),
    }
    del t
    worst = 0.0
    print()
    print(
        f"{'role by use (meta)':<22}{'tensors':>8}{'forward ms':>12}{'structural ms':>15}"
        f"{'by use ms':>11}{'observe ms':>12}{'use_ratio':>11}"
    )
    for name, (build, inputs) in cases.items():
        model = _meta(build).eval()
        meta_inputs = {k: v.to("meta") for k, v in inputs.items()}
        classify(model, example_inputs=inputs)  # warm-up: meta kernels, caches
        forward, struct, use = [], [], []
        for _ in range(reps):
            forward.append(_median_us(partial(_plain_forward, model, meta_inputs), 1))
            struct.append(_median_us(partial(classify, model), 1))
            use.append(_median_us(partial(classify, model, example_inputs=inputs), 1))
        f, s, u = (statistics.median(x) / 1e3 for x in (forward, struct, use))
        ratio = u / f
        worst = max(worst, ratio)
        n = len(classify(model))
        print(f"{name:<22}{n:>8}{f:>12.1f}{s:>15.1f}{u:>11.1f}{u - s:>12.1f}{ratio:>11.2f}")
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    worst_structural = structural(args.reps)
    worst_ratio = by_use(args.reps)
    print()
    print(f"structural_us_per_tensor={worst_structural:.1f} use_ratio={worst_ratio:.2f}")


if __name__ == "__main__":
    main()

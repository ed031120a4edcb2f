"""classify()/param_groups() on tiny random-init transformers architectures (no downloads).

The expected split comes from `expected_no_decay` in benchmarks/compare_grouping.py (the zoo shared
with the benchmark): an explicit enumeration with hand-listed norm class names per architecture,
not stepguard's rules. Hard-coded counts and names below pin it further.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
import torch

from stepguard.groups import classify, param_groups


def _load_zoo() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "compare_grouping.py"
    spec = importlib.util.spec_from_file_location("compare_grouping", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


zoo = _load_zoo()

# (decay tensors, no-decay tensors), counted once per unique trainable tensor.
COUNTS = {
    "gpt2": (8, 20),
    "llama": (15, 6),
    "gemma": (14, 6),
    "t5": (32, 15),
    "bert": (13, 29),
    "vit": (14, 26),
    "resnet": (9, 17),
    "convnext": (9, 21),
    "clip": (27, 51),
    "whisper": (34, 54),
    "mamba": (10, 12),
}

# name -> (decay, reason) spot checks, including each architecture's special parameters.
SPOT = {
    "gpt2": {
        "transformer.wte.weight": (False, "embedding"),
        "transformer.wpe.weight": (False, "embedding"),
        "transformer.h.0.attn.c_attn.weight": (True, "default"),
        "transformer.h.1.mlp.c_proj.bias": (False, "bias"),
        "transformer.ln_f.weight": (False, "norm"),
    },
    "llama": {
        "model.layers.0.input_layernorm.weight": (False, "norm"),
        "model.norm.weight": (False, "norm"),
        "lm_head.weight": (True, "default"),
        "model.embed_tokens.weight": (False, "embedding"),
    },
    "gemma": {
        "model.embed_tokens.weight": (False, "embedding"),
        "model.layers.1.post_attention_layernorm.weight": (False, "norm"),
        "model.layers.1.mlp.down_proj.weight": (True, "default"),
    },
    "t5": {
        "shared.weight": (False, "embedding"),
        "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight": (
            False,
            "embedding",
        ),
        "decoder.final_layer_norm.weight": (False, "norm"),
        "encoder.block.1.layer.1.DenseReluDense.wo.weight": (True, "default"),
    },
    "bert": {
        "bert.embeddings.token_type_embeddings.weight": (False, "embedding"),
        "bert.embeddings.LayerNorm.bias": (False, "norm"),
        "cls.predictions.bias": (False, "bias"),
        "cls.predictions.transform.dense.weight": (True, "default"),
    },
    "vit": {
        "vit.embeddings.cls_token": (False, "embedding"),
        "vit.embeddings.position_embeddings": (False, "embedding"),
        "vit.embeddings.patch_embeddings.projection.weight": (True, "default"),
        "classifier.weight": (True, "default"),
    },
    "resnet": {
        "resnet.embedder.embedder.normalization.weight": (False, "norm"),
        "resnet.embedder.embedder.convolution.weight": (True, "default"),
        "classifier.1.bias": (False, "bias"),
    },
    "convnext": {
        "convnext.encoder.stages.0.layers.0.layer_scale_parameter": (False, "1d"),
        "convnext.encoder.stages.1.downsampling_layer.0.weight": (False, "norm"),
        "convnext.encoder.stages.0.layers.0.dwconv.weight": (True, "default"),
    },
    "clip": {
        "logit_scale": (False, "1d"),
        "vision_model.embeddings.class_embedding": (False, "embedding"),
        "vision_model.embeddings.position_embedding.weight": (False, "embedding"),
        "text_projection.weight": (True, "default"),
    },
    "whisper": {
        "model.decoder.embed_tokens.weight": (False, "embedding"),
        "model.decoder.embed_positions.weight": (False, "embedding"),
        "model.encoder.conv1.weight": (True, "default"),
        "model.encoder.layer_norm.bias": (False, "norm"),
    },
    "mamba": {
        "backbone.layers.0.mixer.A_log": (False, "convention"),
        "backbone.layers.1.mixer.D": (False, "convention"),
        "backbone.layers.0.mixer.conv1d.weight": (True, "default"),
        "backbone.norm_f.weight": (False, "norm"),
    },
}

# Tied tensors: first name -> every alias classify must report.
TIED = {
    "gpt2": {"transformer.wte.weight": ("transformer.wte.weight", "lm_head.weight")},
    "gemma": {"model.embed_tokens.weight": ("model.embed_tokens.weight", "lm_head.weight")},
    "t5": {
        "shared.weight": (
            "shared.weight",
            "encoder.embed_tokens.weight",
            "decoder.embed_tokens.weight",
            "lm_head.weight",
        )
    },
    "mamba": {"backbone.embeddings.weight": ("backbone.embeddings.weight", "lm_head.weight")},
}


@pytest.fixture(scope="module", params=sorted(zoo.ARCHITECTURES))
def built(request: pytest.FixtureRequest) -> tuple[str, torch.nn.Module]:
    torch.manual_seed(0)
    return request.param, zoo.ARCHITECTURES[request.param].build()


def test_decay_and_no_decay_sets_match_structural_enumeration(
    built: tuple[str, torch.nn.Module],
) -> None:
    name, model = built
    expected = zoo.expected_no_decay(model, zoo.ARCHITECTURES[name])
    got = {d.name: not d.decay for d in classify(model)}
    assert got == expected
    skips = sum(expected.values())
    assert (len(expected) - skips, skips) == COUNTS[name]


def test_special_and_sample_parameters_have_documented_reason(
    built: tuple[str, torch.nn.Module],
) -> None:
    name, model = built
    got = {d.name: (d.decay, d.reason) for d in classify(model)}
    assert {n: got[n] for n in SPOT[name]} == SPOT[name]
    aliases = {d.name: d.names for d in classify(model)}
    for first, names in TIED.get(name, {}).items():
        assert aliases[first] == names


def test_param_groups_cover_each_trainable_tensor_once(built: tuple[str, torch.nn.Module]) -> None:
    name, model = built
    groups = param_groups(model, 0.1)
    decay_count, skip_count = COUNTS[name]
    assert [(g["weight_decay"], len(g["params"])) for g in groups] == [
        (0.1, decay_count),
        (0.0, skip_count),
    ]
    ids = [id(p) for g in groups for p in g["params"]]
    assert sorted(ids) == sorted(id(p) for p in model.parameters() if p.requires_grad)

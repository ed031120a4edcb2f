"""How many tensors each weight-decay grouping rule puts in the wrong group, on real architectures.

Run: ``.venv/bin/python benchmarks/compare_grouping.py``. Builds tiny random-init models from
`transformers` configs (no downloads), derives the expected decay / no-decay split for each from an
explicit structural enumeration (`expected_no_decay`, written independently of stepguard), then
counts disagreements of four rules, per unique trainable tensor:

- stepguard: ``stepguard.groups._classify.classify``;
- trainer: the installed transformers ``Trainer.get_decay_parameter_names`` (as the Trainer uses
  it: a tensor decays iff its first ``named_parameters()`` name is in the list);
- timm: no decay iff ``p.ndim <= 1 or name.endswith(".bias")``;
- nanogpt: decay iff ``p.dim() >= 2``.

The last line is ``stepguard_wrong=<n> trainer_wrong=<n> timm_wrong=<n> nanogpt_wrong=<n>``.
This module is also the architecture zoo of ``tests/test_grouping_architectures.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

# Decisions are structural, so random init is enough; the tiny sizes keep the whole zoo ~0.5 s.
_SMALL = {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2}
_HEADS = {"num_attention_heads": 2}


@dataclass(frozen=True)
class Arch:
    """One architecture: how to build it, its normalization classes, its special parameters.

    `norm_types` are the exact type names of the model's normalization modules (listed by hand,
    not by a "Norm" substring rule). `special` maps the names of parameters that are none of
    norm / embedding / bias / Linear-Conv weight to the expected "no decay?" answer.
    """

    name: str
    build: Callable[[], nn.Module]
    norm_types: frozenset[str]
    special: dict[str, bool] = field(default_factory=dict)


def _transformers() -> Any:
    import transformers

    # Tiny configs trip token-id range warnings that say nothing about grouping.
    logging.getLogger("transformers").setLevel(logging.ERROR)
    transformers.logging.set_verbosity_error()
    return transformers


def _hf(model: str, config: str, **kwargs: Any) -> Callable[[], nn.Module]:
    """A builder for `transformers.<model>(transformers.<config>(**kwargs))`, imported lazily."""

    def build() -> nn.Module:
        t = _transformers()
        module: nn.Module = getattr(t, model)(getattr(t, config)(**kwargs))
        return module

    return build


# Token ids must lie inside the tiny vocabularies.
_IDS = {"pad_token_id": 0, "bos_token_id": 0, "eos_token_id": 0}
_LM = dict(_SMALL, **_HEADS, vocab_size=64, max_position_embeddings=32)
_DECODER = {"num_key_value_heads": 1, **_LM}
_WHISPER = {
    "d_model": 32,
    **{f"{side}_layers": 2 for side in ("encoder", "decoder")},
    **{f"{side}_attention_heads": 2 for side in ("encoder", "decoder")},
    **{f"{side}_ffn_dim": 64 for side in ("encoder", "decoder")},
    "vocab_size": 64,
    "num_mel_bins": 8,
    "max_source_positions": 16,
    "max_target_positions": 16,
    "decoder_start_token_id": 0,
    **_IDS,
}
_CLIP_TEXT = dict(_SMALL, **_HEADS, vocab_size=64, max_position_embeddings=16)
_VISION = dict(_SMALL, **_HEADS, image_size=16, patch_size=8)

_gpt2 = _hf(
    "GPT2LMHeadModel",
    "GPT2Config",
    n_embd=32,
    n_layer=2,
    n_head=2,
    vocab_size=64,
    n_positions=32,
    bos_token_id=0,
    eos_token_id=0,
)
_llama = _hf("LlamaForCausalLM", "LlamaConfig", **_DECODER)
_gemma = _hf("GemmaForCausalLM", "GemmaConfig", head_dim=16, **_DECODER)
_t5 = _hf(
    "T5ForConditionalGeneration",
    "T5Config",
    d_model=32,
    d_ff=64,
    d_kv=16,
    num_layers=2,
    num_heads=2,
    vocab_size=64,
)
_bert = _hf("BertForMaskedLM", "BertConfig", **_LM)
_vit = _hf("ViTForImageClassification", "ViTConfig", num_labels=3, **_VISION)
_resnet = _hf(
    "ResNetForImageClassification",
    "ResNetConfig",
    embedding_size=8,
    hidden_sizes=[8, 16],
    depths=[1, 1],
    num_labels=3,
)
_convnext = _hf(
    "ConvNextForImageClassification",
    "ConvNextConfig",
    num_stages=2,
    hidden_sizes=[8, 16],
    depths=[1, 1],
    num_labels=3,
)
_clip = _hf(
    "CLIPModel", "CLIPConfig", text_config=_CLIP_TEXT, vision_config=_VISION, projection_dim=16
)
_whisper = _hf("WhisperForConditionalGeneration", "WhisperConfig", **_WHISPER)
_mamba = _hf(
    "MambaForCausalLM",
    "MambaConfig",
    hidden_size=32,
    state_size=4,
    num_hidden_layers=2,
    vocab_size=64,
    expand=2,
)


def _layers(template: str, n: int, value: bool) -> dict[str, bool]:
    return {template.format(i): value for i in range(n)}


ARCHITECTURES: dict[str, Arch] = {
    a.name: a
    for a in (
        Arch("gpt2", _gpt2, frozenset({"LayerNorm"})),
        Arch("llama", _llama, frozenset({"LlamaRMSNorm"})),
        Arch("gemma", _gemma, frozenset({"GemmaRMSNorm"})),
        Arch("t5", _t5, frozenset({"T5LayerNorm"})),
        Arch("bert", _bert, frozenset({"LayerNorm"})),
        # ViT's learned [CLS] token and position table are embeddings: no decay (timm declares
        # them in no_weight_decay() for the same reason).
        Arch(
            "vit",
            _vit,
            frozenset({"LayerNorm"}),
            {"vit.embeddings.cls_token": True, "vit.embeddings.position_embeddings": True},
        ),
        Arch("resnet", _resnet, frozenset({"BatchNorm2d"})),
        # ConvNeXt's per-channel layer scale is a 1-D gain: no decay (timm: ndim <= 1).
        Arch(
            "convnext",
            _convnext,
            frozenset({"ConvNextLayerNorm", "LayerNorm"}),
            _layers("convnext.encoder.stages.{0}.layers.0.layer_scale_parameter", 2, True),
        ),
        # CLIP's logit_scale is a learned temperature (a scalar): decaying it would pull the
        # softmax temperature towards 1. The vision [CLS] embedding is an embedding.
        Arch(
            "clip",
            _clip,
            frozenset({"LayerNorm"}),
            {"logit_scale": True, "vision_model.embeddings.class_embedding": True},
        ),
        Arch("whisper", _whisper, frozenset({"LayerNorm"})),
        # Mamba's A_log (log of the state decay rates) and D (skip gain) are flagged no-decay by
        # the reference implementation (mamba_ssm: `_no_weight_decay = True`).
        Arch(
            "mamba",
            _mamba,
            frozenset({"MambaRMSNorm"}),
            _layers("backbone.layers.{0}.mixer.A_log", 2, True)
            | _layers("backbone.layers.{0}.mixer.D", 2, True),
        ),
    )
}

_DECAYED_LAYERS = (nn.Linear, nn.Conv1d, nn.Conv2d)


def expected_split(model: nn.Module, arch: Arch) -> dict[str, tuple[bool, str]]:
    """Map each trainable tensor's first name to (should skip decay?, category), by enumeration.

    Per alias: a parameter of a module whose type is in `arch.norm_types` → skip ("norm"); the
    weight of an nn.Embedding (or subclass) → skip ("embedding"); an attribute named ``bias`` →
    skip ("bias"); the weight of a Linear / Conv1d / Conv2d / transformers Conv1D → decay
    ("matrix"); a name in `arch.special` → as listed ("special"); anything else fails loudly. A
    tied tensor skips decay if any alias does (a head tied to an embedding is an embedding).
    """
    first: dict[int, str] = {id(p): n for n, p in model.named_parameters()}
    verdict: dict[str, tuple[bool, str]] = {}
    for mod_name, module in model.named_modules(remove_duplicate=False):
        for attr, p in module._parameters.items():
            if p is None or not p.requires_grad:
                continue
            full = f"{mod_name}.{attr}" if mod_name else attr
            kind = type(module).__name__
            if kind in arch.norm_types:
                answer = (True, "norm")
            elif isinstance(module, nn.Embedding) and attr == "weight":
                answer = (True, "embedding")
            elif attr == "bias":
                answer = (True, "bias")
            elif attr == "weight" and (isinstance(module, _DECAYED_LAYERS) or kind == "Conv1D"):
                answer = (False, "matrix")
            elif full in arch.special:
                answer = (arch.special[full], "special")
            else:
                raise AssertionError(f"{arch.name}: no expectation for {full} ({kind}.{attr})")
            key = first[id(p)]
            if key not in verdict or (answer[0] and not verdict[key][0]):
                verdict[key] = answer
    return verdict


def expected_no_decay(model: nn.Module, arch: Arch) -> dict[str, bool]:
    """`expected_split` without the categories: first name → should skip decay."""
    return {name: skip for name, (skip, _) in expected_split(model, arch).items()}


def stepguard_rule(model: nn.Module) -> dict[str, bool]:
    """stepguard's answer: first name → skips decay."""
    from stepguard.groups import classify

    return {d.name: not d.decay for d in classify(model)}


def trainer_rule(model: nn.Module) -> dict[str, bool]:
    """The installed transformers Trainer's answer, applied as `Trainer.create_optimizer` does."""
    from transformers import Trainer

    # The method never touches `self`; an uninitialised instance avoids building a Trainer.
    decay = set(Trainer.get_decay_parameter_names(Trainer.__new__(Trainer), model))
    return {n: n not in decay for n, p in model.named_parameters() if p.requires_grad}


def timm_rule(model: nn.Module) -> dict[str, bool]:
    """timm's `param_groups_weight_decay` default: no decay for ndim <= 1 or a `.bias` name."""
    return {
        n: p.ndim <= 1 or n.endswith(".bias")
        for n, p in model.named_parameters()
        if p.requires_grad
    }


def nanogpt_rule(model: nn.Module) -> dict[str, bool]:
    """nanoGPT's `configure_optimizers`: decay iff dim >= 2."""
    return {n: p.dim() < 2 for n, p in model.named_parameters() if p.requires_grad}


RULES: dict[str, Callable[[nn.Module], dict[str, bool]]] = {
    "stepguard": stepguard_rule,
    "trainer": trainer_rule,
    "timm": timm_rule,
    "nanogpt": nanogpt_rule,
}


def wrong(expected: dict[str, bool], got: dict[str, bool]) -> list[str]:
    """Names whose group differs from the expected one (or that a rule left out / invented)."""
    return sorted(n for n in expected.keys() | got.keys() if expected.get(n) != got.get(n))


def main() -> None:
    torch.manual_seed(0)
    header = f"{'architecture':<13}{'decay':>6}{'no-decay':>9}" + "".join(
        f"{r + '_wrong':>16}" for r in RULES
    )
    print(header)
    print("-" * len(header))
    totals = dict.fromkeys(RULES, 0)
    # rule -> category of the wrongly grouped tensor -> count
    by_category: dict[str, dict[str, int]] = {r: {} for r in RULES}
    for arch in ARCHITECTURES.values():
        model = arch.build()
        split = expected_split(model, arch)
        expected = {name: skip for name, (skip, _) in split.items()}
        skips = sum(expected.values())
        row = f"{arch.name:<13}{len(expected) - skips:>6}{skips:>9}"
        for rule, fn in RULES.items():
            bad = wrong(expected, fn(model))
            totals[rule] += len(bad)
            for name in bad:
                category = split[name][1] if name in split else "unknown"
                by_category[rule][category] = by_category[rule].get(category, 0) + 1
            row += f"{len(bad):>16}"
        print(row)
    print("-" * len(header))
    print(f"{'total':<28}" + "".join(f"{totals[r]:>16}" for r in RULES))
    print()
    print("wrongly grouped tensors by what they are:")
    for rule, counts in by_category.items():
        parts = ", ".join(f"{c} {n}" for c, n in sorted(counts.items())) or "none"
        print(f"  {rule:<10} {parts}")
    print(" ".join(f"{r}_wrong={totals[r]}" for r in RULES))


if __name__ == "__main__":
    main()

"""Every transformers model type, built from a tiny random-init config (no downloads).

Shared by `benchmarks/grouping_scale_check.py` (all model types) and the fast subset in
`tests/test_grouping_scale.py`. `model_types()` lists the model types with a model class;
`build(model_type)` shrinks the default config (hidden sizes, layers, heads, experts, vocabulary),
builds the model on the meta device, and rebuilds it on the CPU when it is small; `example_inputs`
guesses one forward's inputs from the model's main input name and its config.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import logging
import math
import warnings
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

# Model classes tried per model type, most specific first: a head (so tied heads are exercised)
# before the bare model.
_MAPPINGS = (
    "MODEL_FOR_CAUSAL_LM_MAPPING_NAMES",
    "MODEL_FOR_SEQ_TO_SEQ_CAUSAL_LM_MAPPING_NAMES",
    "MODEL_FOR_MASKED_LM_MAPPING_NAMES",
    "MODEL_FOR_IMAGE_TEXT_TO_TEXT_MAPPING_NAMES",
    "MODEL_FOR_SPEECH_SEQ_2_SEQ_MAPPING_NAMES",
    "MODEL_FOR_IMAGE_CLASSIFICATION_MAPPING_NAMES",
    "MODEL_MAPPING_NAMES",
)

# Scalar config fields shrunk to these values (only ever made smaller).
_SMALL: dict[str, int] = {
    **dict.fromkeys(("hidden_size", "d_model", "n_embd", "embed_dim", "word_embed_proj_dim"), 32),
    **dict.fromkeys(
        ("intermediate_size", "ffn_dim", "d_ff", "encoder_ffn_dim", "decoder_ffn_dim", "n_inner"),
        64,
    ),
    **dict.fromkeys(
        (
            "num_hidden_layers",
            "num_layers",
            "n_layer",
            "n_layers",
            "encoder_layers",
            "decoder_layers",
            "num_decoder_layers",
            "num_encoder_layers",
        ),
        2,
    ),
    **dict.fromkeys(
        (
            "num_attention_heads",
            "n_head",
            "n_heads",
            "encoder_attention_heads",
            "decoder_attention_heads",
            "num_key_value_heads",
        ),
        2,
    ),
    **dict.fromkeys(("head_dim", "d_kv", "kv_channels"), 16),
    **dict.fromkeys(("num_experts", "num_local_experts", "n_routed_experts"), 4),
    "moe_intermediate_size": 32,
    "num_experts_per_tok": 2,
}
_LAYER_KEYS = frozenset(k for k in _SMALL if "layers" in k or k == "n_layer")
_SUB_CONFIG_DEPTH = 3


def _quiet() -> Any:
    import transformers

    logging.getLogger("transformers").setLevel(logging.ERROR)
    transformers.logging.set_verbosity_error()
    warnings.filterwarnings("ignore")
    return transformers


def model_types() -> dict[str, tuple[str, ...]]:
    """model type -> names of the model classes to try for it, most specific first."""
    _quiet()
    from transformers.models.auto import modeling_auto

    mappings = list(_MAPPINGS) + sorted(
        name
        for name in dir(modeling_auto)
        if name.startswith("MODEL_") and name.endswith("_MAPPING_NAMES") and name not in _MAPPINGS
    )
    out: dict[str, list[str]] = {}
    for mapping in mappings:
        for model_type, cls in getattr(modeling_auto, mapping).items():
            for name in cls if isinstance(cls, (tuple, list)) else (cls,):
                names = out.setdefault(model_type, [])
                if name not in names:
                    names.append(name)
    return {k: tuple(v) for k, v in sorted(out.items())}


def _special_ids(d: dict[str, Any]) -> list[int]:
    return [
        v
        for k, v in d.items()
        if isinstance(v, int)
        and not isinstance(v, bool)
        and ("token_id" in k or "token_index" in k)
    ]


def _shrink(d: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    """A copy of a config dict with the fields in `_SMALL` made small (sub-configs too)."""
    out = dict(d)
    old_layers = {k: v for k, v in d.items() if k in _LAYER_KEYS and isinstance(v, int)}
    for key, small in _SMALL.items():
        value = out.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > small:
            out[key] = small
    vocab = out.get("vocab_size")
    if isinstance(vocab, int) and vocab > 256:
        out["vocab_size"] = max([256, *(i + 1 for i in _special_ids(out))])
        out["vocab_size"] = min(out["vocab_size"], vocab)
    # per-layer lists (layer_types, mlp_only_layers, ...) follow the layer count
    for key, old in old_layers.items():
        new = out[key]
        for k, v in d.items():
            if isinstance(v, list) and len(v) == old and old != new:
                out[k] = v[:new]
    for key in ("depths",):
        if isinstance(out.get(key), list):
            out[key] = [min(1, x) if isinstance(x, int) else x for x in out[key]]
    if depth < _SUB_CONFIG_DEPTH:
        for k, v in d.items():
            if isinstance(v, dict) and "model_type" in v:
                out[k] = _shrink(v, depth + 1)
    return out


@dataclass
class Built:
    """One built model: its type, class, model, config, and how small the config could be made."""

    model_type: str
    class_name: str
    model: nn.Module
    config: Any
    shrink: str  # "tiny", "layers", "default"
    device: str  # "cpu" or "meta"


def _instantiate(cls: type, config: Any, device: str) -> nn.Module:
    with (
        torch.device(device),
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        torch.manual_seed(0)
        model: nn.Module = cls(config)
    return model


def build(
    model_type: str,
    class_names: tuple[str, ...],
    *,
    max_cpu_numel: int = 50_000_000,
    tiny: bool = True,
) -> Built:
    """Build the first of `class_names` that builds for `model_type`, from the smallest config.

    Per class, tries the shrunk config, then the default config with only the layer counts
    shrunk (``tiny=False`` starts there), then the default config; the model is built on the meta
    device and rebuilt on the CPU when it has at most `max_cpu_numel` elements. Raises the first
    error when nothing builds.
    """
    transformers = _quiet()
    from transformers import CONFIG_MAPPING

    config_cls = CONFIG_MAPPING[model_type]
    default = config_cls().to_dict()
    layers_only = {
        k: (min(v, 2) if k in _LAYER_KEYS and isinstance(v, int) else v) for k, v in default.items()
    }
    attempts = (("tiny", _shrink(default)), ("layers", layers_only), ("default", None))[
        0 if tiny else 1 :
    ]
    first_error: Exception | None = None
    for class_name in class_names:
        cls = getattr(transformers, class_name, None)
        if cls is None:
            continue
        for label, d in attempts:
            try:
                config = config_cls() if d is None else config_cls.from_dict(d)
                model = _instantiate(cls, config, "meta")
            except Exception as exc:  # a config or class transformers rejects: try the next
                first_error = first_error or exc
                continue
            device = "meta"
            numel = sum(math.prod(p.shape) for p in model.parameters())
            if numel <= max_cpu_numel:
                with contextlib.suppress(Exception):
                    model = _instantiate(cls, config, "cpu")
                    device = "cpu"
            return Built(model_type, class_name, model, config, label, device)
    raise first_error or LookupError(f"no model class of {class_names} exists in transformers")


def _image_size(config: Any) -> tuple[int, int]:
    for holder in (config, getattr(config, "vision_config", None)):
        size = getattr(holder, "image_size", None)
        if isinstance(size, int):
            return size, size
        if isinstance(size, (list, tuple)) and len(size) == 2:
            return int(size[0]), int(size[1])
        if isinstance(size, dict) and "height" in size:
            return int(size["height"]), int(size["width"])
    return 224, 224


def _channels(config: Any) -> int:
    for holder in (config, getattr(config, "vision_config", None)):
        n = getattr(holder, "num_channels", None)
        if isinstance(n, int):
            return n
    return 3


def _frames(config: Any) -> int:
    for holder in (config, getattr(config, "vision_config", None)):
        n = getattr(holder, "num_frames", None)
        if isinstance(n, int):
            return n
    return 8


def example_inputs(built: Built) -> list[dict[str, Any]]:
    """Candidate kwargs for one forward of `built.model`, most likely first (empty if unknown).

    Guessed from the model's main input name and its config: token ids (with decoder ids for
    encoder-decoders), images (also with token ids for dual encoders, also as 5-D video), raw
    audio, log-mel features in both layouts.
    """
    model, config = built.model, built.config
    try:
        params = inspect.signature(model.forward).parameters
    except (TypeError, ValueError):
        return []
    main = getattr(model, "main_input_name", "input_ids")
    vocab = getattr(config, "vocab_size", None) or getattr(
        getattr(config, "text_config", None), "vocab_size", 100
    )
    ids = torch.randint(3, max(4, min(int(vocab), 100)), (1, 8))
    h, w = _image_size(config)
    image = torch.randn(1, _channels(config), h, w)
    decoder = {"decoder_input_ids": ids[:, :4]} if "decoder_input_ids" in params else {}
    out: list[dict[str, Any]] = []
    if main == "input_ids":
        out.append({"input_ids": ids, **decoder})
        if "pixel_values" in params:
            out.append({"input_ids": ids, "pixel_values": image, **decoder})
    elif main == "pixel_values":
        out.append({"pixel_values": image, **decoder})
        if "input_ids" in params:
            out.append({"input_ids": ids, "pixel_values": image})
        video = torch.randn(1, _frames(config), _channels(config), h, w)
        out.append({"pixel_values": video})
    elif main == "input_values":
        out.append({"input_values": torch.randn(1, 16000)})
        out.append({"input_values": torch.randn(1, 1, 16000)})
    elif main == "input_features":
        bins = int(getattr(config, "num_mel_bins", None) or 80)
        frames = 2 * int(getattr(config, "max_source_positions", None) or 1500)
        out.append({"input_features": torch.randn(1, bins, frames), **decoder})
        out.append({"input_features": torch.randn(1, 200, bins), **decoder})
    return out

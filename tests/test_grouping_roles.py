"""Structural rules on the shapes real models store their roles in (no example inputs).

Each test builds a small module reproducing one category of tensor that owner-class names and
``ndim`` miss (relative-position tables on attention modules, relative-attention biases, learned
tokens outside embedding classes, per-channel scales with singleton dimensions, biases stored 2-D
or under other names, normalization layers whose class name says nothing, container elements,
weight normalization) and checks the rule fires on it AND leaves the true projections beside it
decayed.
"""

from __future__ import annotations

import warnings

import torch
from torch import nn
from torch.nn.utils import parametrizations

from stepguard.groups import classify


def verdicts(model: nn.Module) -> dict[str, tuple[bool, str]]:
    return {d.name: (d.decay, d.reason) for d in classify(model)}


def details(model: nn.Module) -> dict[str, str]:
    return {d.name: d.detail for d in classify(model)}


class SwinLikeAttention(nn.Module):
    """A relative-position bias table gathered with an integer index buffer (Swin, BEiT)."""

    def __init__(self, window: int = 3, heads: int = 2, dim: int = 8) -> None:
        super().__init__()
        self.qkv = nn.Linear(dim, 3 * dim)
        self.relative_position_bias_table = nn.Parameter(torch.zeros((2 * window - 1) ** 2, heads))
        self.register_buffer(
            "relative_position_index", torch.zeros(window**2, window**2, dtype=torch.long)
        )
        self.proj_weight = nn.Parameter(torch.zeros(dim, dim))  # a raw projection matrix


class LevitLikeAttention(nn.Module):
    """Attention biases indexed by a buffer whose name shares only the first word (LeViT)."""

    def __init__(self) -> None:
        super().__init__()
        self.attention_biases = nn.Parameter(torch.zeros(4, 49))
        self.register_buffer("attention_bias_idxs", torch.zeros(49, 49, dtype=torch.long))
        self.mixer = nn.Parameter(torch.zeros(4, 49))  # no index, no telling name: a matrix


class SamLikeAttention(nn.Module):
    """Relative-position tables with no index buffer (SAM's rel_pos_h / rel_pos_w)."""

    def __init__(self) -> None:
        super().__init__()
        self.qkv = nn.Linear(8, 24)
        self.rel_pos_h = nn.Parameter(torch.zeros(27, 4))
        self.rel_pos_w = nn.Parameter(torch.zeros(27, 4))


class VitsLikeAttention(nn.Module):
    """Relative key / value tables stored (1, 2W + 1, head_dim) (VITS, glow-TTS)."""

    def __init__(self) -> None:
        super().__init__()
        self.emb_rel_k = nn.Parameter(torch.zeros(1, 9, 4))
        self.emb_rel_v = nn.Parameter(torch.zeros(1, 9, 4))
        self.conv_q = nn.Conv1d(8, 8, 1)


def test_relative_position_tables_on_attention_modules_skip_decay_projections_decay() -> None:
    model = nn.ModuleDict(
        {
            "swin": SwinLikeAttention(),
            "levit": LevitLikeAttention(),
            "sam": SamLikeAttention(),
            "vits": VitsLikeAttention(),
        }
    )
    got = verdicts(model)
    assert got == {
        "swin.relative_position_bias_table": (False, "embedding"),
        "swin.proj_weight": (True, "default"),
        "swin.qkv.weight": (True, "default"),
        "swin.qkv.bias": (False, "bias"),
        "levit.attention_biases": (False, "embedding"),
        "levit.mixer": (True, "default"),
        "sam.rel_pos_h": (False, "embedding"),
        "sam.rel_pos_w": (False, "embedding"),
        "sam.qkv.weight": (True, "default"),
        "sam.qkv.bias": (False, "bias"),
        "vits.emb_rel_k": (False, "embedding"),
        "vits.emb_rel_v": (False, "embedding"),
        "vits.conv_q.weight": (True, "default"),
        "vits.conv_q.bias": (False, "bias"),
    }
    text = details(model)
    assert text["swin.relative_position_bias_table"].endswith(
        "a table indexed by buffer 'relative_position_index'"
    )
    assert text["levit.attention_biases"].endswith("indexed by buffer 'attention_bias_idxs'")
    assert text["sam.rel_pos_h"].endswith("name matches fallback pattern '*rel_pos*'")
    assert "a leading broadcast dimension" in text["vits.emb_rel_k"]


class XLNetLikeAttention(nn.Module):
    """Transformer-XL / XLNet: raw 3-D projections, [heads, head_dim] biases, segment table."""

    def __init__(self, d: int = 16, heads: int = 2, head_dim: int = 8) -> None:
        super().__init__()
        self.q = nn.Parameter(torch.zeros(d, heads, head_dim))
        self.k = nn.Parameter(torch.zeros(d, heads, head_dim))
        self.r_w_bias = nn.Parameter(torch.zeros(heads, head_dim))
        self.r_r_bias = nn.Parameter(torch.zeros(heads, head_dim))
        self.seg_embed = nn.Parameter(torch.zeros(2, heads, head_dim))


class ConformerLikeAttention(nn.Module):
    """Conformer / Parakeet: pos_bias_u / pos_bias_v / bias_v beside Linear projections."""

    def __init__(self) -> None:
        super().__init__()
        self.linear_q = nn.Linear(8, 8)
        self.linear_pos = nn.Linear(8, 8, bias=False)
        self.pos_bias_u = nn.Parameter(torch.zeros(2, 4))
        self.pos_bias_v = nn.Parameter(torch.zeros(2, 4))
        self.bias_v = nn.Parameter(torch.zeros(2, 4))


def test_relative_attention_biases_and_segment_embeddings_skip_projections_decay() -> None:
    model = nn.ModuleDict({"xl": XLNetLikeAttention(), "conformer": ConformerLikeAttention()})
    got = verdicts(model)
    assert got == {
        "xl.q": (True, "default"),
        "xl.k": (True, "default"),
        "xl.r_w_bias": (False, "bias"),
        "xl.r_r_bias": (False, "bias"),
        "xl.seg_embed": (False, "embedding"),
        "conformer.pos_bias_u": (False, "bias"),
        "conformer.pos_bias_v": (False, "bias"),
        "conformer.bias_v": (False, "bias"),
        "conformer.linear_q.weight": (True, "default"),
        "conformer.linear_q.bias": (False, "bias"),
        "conformer.linear_pos.weight": (True, "default"),
    }
    assert details(model)["xl.r_w_bias"].endswith("name matches fallback pattern '*bias*'")


class VisionEncoderLike(nn.Module):
    """Position embeddings and learned tokens held outside any *Embedding* class."""

    def __init__(self, d: int = 8) -> None:
        super().__init__()
        self.patch = nn.Conv2d(3, d, 4, 4)
        self.pos_embed = nn.Parameter(torch.zeros(1, 17, d))  # ViT / LayoutLMv3
        self.pos_embed_2d = nn.Parameter(torch.zeros(1, 4, 4, d))  # SAM (1, H, W, C)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, d))
        self.query_tokens = nn.Parameter(torch.zeros(1, 5, d))  # BLIP-2
        self.latents = nn.Parameter(torch.zeros(6, d))  # Perceiver / Idefics2 resampler
        self.level_embed = nn.Parameter(torch.zeros(3, d))  # Deformable DETR, Mask2Former
        self.no_object_embedding = nn.Parameter(torch.zeros(2, d))
        self.prompt_tokens = nn.ParameterList([nn.Parameter(torch.zeros(4, d)) for _ in range(2)])
        self.projection = nn.Parameter(torch.zeros(d, d))  # a raw projection matrix
        self.prompts_visual_projection = nn.Parameter(torch.zeros(d, d))  # XCLIP: a matrix
        self.mixers = nn.ParameterList([nn.Parameter(torch.zeros(d, d)) for _ in range(2)])


def test_position_embeddings_and_learned_tokens_skip_decay_matrices_decay() -> None:
    got = verdicts(VisionEncoderLike())
    assert got == {
        "pos_embed": (False, "embedding"),
        "pos_embed_2d": (False, "embedding"),
        "cls_token": (False, "1d"),
        "query_tokens": (False, "embedding"),
        "latents": (False, "embedding"),
        "level_embed": (False, "embedding"),
        "no_object_embedding": (False, "embedding"),
        "projection": (True, "default"),
        "prompts_visual_projection": (True, "default"),
        "patch.weight": (True, "default"),
        "patch.bias": (False, "bias"),
        "prompt_tokens.0": (False, "embedding"),
        "prompt_tokens.1": (False, "embedding"),
        "mixers.0": (True, "default"),
        "mixers.1": (True, "default"),
    }
    text = details(VisionEncoderLike())
    # container elements are judged by the container's name in the module holding it
    assert text["prompt_tokens.0"].endswith("name matches fallback pattern '*tokens'")
    assert text["latents"].endswith("name matches fallback pattern '*latents*'")
    assert text["cls_token"] == (
        "(1, 1, 8) tensor owned by VisionEncoderLike: one non-singleton dimension "
        "(a per-channel vector)"
    )


class Snake(nn.Module):
    """Snake activation: alpha stored (1, C, 1) (DAC, BigVGAN)."""

    def __init__(self, c: int = 4) -> None:
        super().__init__()
        self.alpha = nn.Parameter(torch.ones(1, c, 1))


class SwiftFormerLikeBlock(nn.Module):
    """Layer scales stored (C, 1, 1) beside a (D, 1) column that is a real projection (x @ w_g)."""

    def __init__(self, c: int = 4) -> None:
        super().__init__()
        self.to_query = nn.Linear(c, c)
        self.w_g = nn.Parameter(torch.zeros(c, 1))
        self.layer_scale = nn.Parameter(torch.ones(c, 1, 1))


class ElementwiseAffine(nn.Module):
    """A (C, 1) shift and log-scale for channels-first data (VITS' flows): per-channel vectors."""

    def __init__(self, c: int = 2) -> None:
        super().__init__()
        self.translate = nn.Parameter(torch.zeros(c, 1))
        self.log_scale = nn.Parameter(torch.zeros(c, 1))


class RwkvLikeMix(nn.Module):
    def __init__(self, c: int = 4) -> None:
        super().__init__()
        self.time_mix_key = nn.Parameter(torch.ones(1, 1, c))
        self.key = nn.Linear(c, c, bias=False)
        self.A_log = nn.Parameter(torch.zeros(1, 1, c, 1))  # a 4-D A_log (Kimi linear attention)


class GRN(nn.Module):
    """Global Response Normalization (ConvNeXt V2): gamma / beta stored (1, 1, 1, C); the class
    name says nothing about normalization, the forward does."""

    def __init__(self, c: int = 4) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(1, 1, 1, c))
        self.beta = nn.Parameter(torch.zeros(1, 1, 1, c))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gx = torch.norm(x, p=2, dim=(1, 2), keepdim=True)
        nx = gx / (gx.mean(dim=-1, keepdim=True) + 1e-6)
        return self.weight * (x * nx) + self.beta + x


def test_per_channel_scales_with_singleton_dims_skip_decay_column_projection_decays() -> None:
    model = nn.ModuleDict(
        {
            "snake": Snake(),
            "swift": SwiftFormerLikeBlock(),
            "affine": ElementwiseAffine(),
            "rwkv": RwkvLikeMix(),
            "grn": GRN(),
        }
    )
    got = verdicts(model)
    assert got == {
        "snake.alpha": (False, "1d"),
        "swift.w_g": (True, "default"),
        "swift.layer_scale": (False, "1d"),
        "swift.to_query.weight": (True, "default"),
        "swift.to_query.bias": (False, "bias"),
        "affine.translate": (False, "1d"),
        "affine.log_scale": (False, "1d"),
        "rwkv.time_mix_key": (False, "1d"),
        "rwkv.A_log": (False, "1d"),
        "rwkv.key.weight": (True, "default"),
        "grn.weight": (False, "norm"),
        "grn.beta": (False, "norm"),
    }
    text = details(model)
    assert text["swift.w_g"].endswith("a (D, 1) column, as a projection x @ w")
    assert text["grn.weight"].endswith(
        "GRN.forward normalizes (a normalization layer by behaviour)"
    )


class LayerScale(nn.Module):
    """A leaf of vectors whose forward does not normalize: a scale, not a norm."""

    def __init__(self) -> None:
        super().__init__()
        self.lambda1 = nn.Parameter(torch.ones(4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.lambda1


class CosineClassifier(nn.Module):
    """Normalizes in forward, but owns a matrix: not a normalization layer."""

    def __init__(self) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(3, 4))
        self.temperature = nn.Parameter(torch.ones(()))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w = nn.functional.normalize(self.weight, dim=-1)
        return nn.functional.normalize(x, dim=-1) @ w.t() * self.temperature


def test_norm_by_behaviour_needs_a_normalizing_forward_and_only_vectors() -> None:
    model = nn.ModuleDict({"ls": LayerScale(), "cos": CosineClassifier()})
    assert verdicts(model) == {
        "ls.lambda1": (False, "1d"),
        "cos.weight": (True, "default"),
        "cos.temperature": (False, "1d"),
    }


class GptOssLikeExperts(nn.Module):
    """Fused MoE experts with 2-D per-expert biases."""

    def __init__(self, e: int = 4, d: int = 8, f: int = 6) -> None:
        super().__init__()
        self.gate_up_proj = nn.Parameter(torch.zeros(e, d, 2 * f))
        self.gate_up_proj_bias = nn.Parameter(torch.zeros(e, 2 * f))
        self.down_proj = nn.Parameter(torch.zeros(e, f, d))
        self.down_proj_bias = nn.Parameter(torch.zeros(e, d))


class BlockDiagonalLinear(nn.Module):
    """Per-head weights and biases under other names (RecurrentGemma's gates)."""

    def __init__(self, h: int = 2, width: int = 3) -> None:
        super().__init__()
        self.w = nn.Parameter(torch.zeros(h, width, width))
        self.b = nn.Parameter(torch.zeros(h, width))


class GluPointwiseConv(nn.Module):
    """Biases named b1 / b2, stored (1, C, 1) or (H, C) (Phi-4 multimodal's audio encoder)."""

    def __init__(self) -> None:
        super().__init__()
        self.ext_pw_conv_1d = nn.Conv1d(4, 8, 1)
        self.b1 = nn.Parameter(torch.zeros(1, 4, 1))
        self.b2 = nn.Parameter(torch.zeros(2, 4))


def test_biases_stored_2d_or_under_other_names_skip_decay_weights_decay() -> None:
    model = nn.ModuleDict(
        {"moe": GptOssLikeExperts(), "block": BlockDiagonalLinear(), "glu": GluPointwiseConv()}
    )
    got = verdicts(model)
    assert got == {
        "moe.gate_up_proj": (True, "default"),
        "moe.gate_up_proj_bias": (False, "bias"),
        "moe.down_proj": (True, "default"),
        "moe.down_proj_bias": (False, "bias"),
        "block.w": (True, "default"),
        "block.b": (False, "bias"),
        "glu.b1": (False, "1d"),
        "glu.b2": (False, "bias"),
        "glu.ext_pw_conv_1d.weight": (True, "default"),
        "glu.ext_pw_conv_1d.bias": (False, "bias"),
    }
    text = details(model)
    assert text["moe.gate_up_proj_bias"].endswith(
        "the bias of 'gate_up_proj' (its shape without the input dimension)"
    )
    assert text["block.b"].endswith("the bias of 'w' (its shape without the input dimension)")
    # both stacks fit (4, 8) here; the name decides which one it is the bias of
    assert text["moe.down_proj_bias"].endswith(
        "the bias of 'down_proj' (its shape without the input dimension)"
    )
    assert text["glu.b2"].endswith("name matches fallback pattern 'b[0-9]*'")


class MyRMSNorm(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.gains = nn.ParameterList([nn.Parameter(torch.ones(4, 4)) for _ in range(2)])


class TokenEmbeddings(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.tables = nn.ParameterDict({"words": nn.Parameter(torch.zeros(10, 4))})


def test_parameter_list_and_dict_elements_take_the_owner_role() -> None:
    model = nn.ModuleDict({"norm": MyRMSNorm(), "emb": TokenEmbeddings()})
    got = {d.name: (d.decay, d.reason, d.module_type) for d in classify(model)}
    assert got == {
        "norm.gains.0": (False, "norm", "ParameterList"),
        "norm.gains.1": (False, "norm", "ParameterList"),
        "emb.tables.words": (False, "embedding", "ParameterDict"),
    }
    assert details(model)["norm.gains.0"] == "MyRMSNorm gains"


def test_weight_norm_magnitude_skips_decay_direction_decays() -> None:
    new_style = parametrizations.weight_norm(nn.Conv1d(4, 6, 3))
    with warnings.catch_warnings():  # the old API is deprecated, still common in audio models
        warnings.simplefilter("ignore", FutureWarning)
        old_style = torch.nn.utils.weight_norm(nn.Linear(4, 6))
    spectral = parametrizations.spectral_norm(nn.Linear(4, 6))
    model = nn.ModuleDict({"new": new_style, "old": old_style, "spectral": spectral})
    got = {d.name: (d.shape, d.decay, d.reason) for d in classify(model)}
    assert got == {
        "new.bias": ((6,), False, "bias"),
        "new.parametrizations.weight.original0": ((6, 1, 1), False, "norm"),
        "new.parametrizations.weight.original1": ((6, 4, 3), True, "default"),
        "old.bias": ((6,), False, "bias"),
        "old.weight_g": ((6, 1), False, "norm"),
        "old.weight_v": ((6, 4), True, "default"),
        "spectral.bias": ((6,), False, "bias"),
        "spectral.parametrizations.weight.original": ((6, 4), True, "default"),
    }
    text = details(model)
    assert text["new.parametrizations.weight.original0"] == (
        "weight-norm magnitude g of ParametrizedConv1d.weight (parametrizations.weight.original0)"
    )
    assert text["new.parametrizations.weight.original1"] == "ParametrizedConv1d weight"
    assert text["old.weight_g"] == "weight-norm magnitude g of Linear.weight"


def test_rnn_cells_are_layers() -> None:
    got = verdicts(nn.GRUCell(4, 3))
    assert got == {
        "weight_ih": (True, "default"),
        "weight_hh": (True, "default"),
        "bias_ih": (False, "bias"),
        "bias_hh": (False, "bias"),
    }

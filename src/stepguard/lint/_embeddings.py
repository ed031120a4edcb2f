"""Which embedding tables a model visibly holds: what a split by number of dimensions decays.

nanoGPT and GPT-2 reproductions split their parameters by rank (``p.dim() >= 2`` decays, the
rest does not): biases and norm gains stay out, but the token and position embeddings are 2-D
and decay, often tied to the output head. stepguard's convention (`stepguard.param_groups`, the
catalog's SG102) keeps embeddings undecayed, so such a split is SG102 when the linter can see the
model hold an embedding:

- an ``nn.Embedding`` / ``nn.EmbeddingBag`` (or a known vocabulary-parallel embedding class)
  built in the model class's ``__init__``, or in a class of the tree it builds there;
- a weight tied between an attribute named as an embedding (``wte``, ``tok_emb``, ``embed``…)
  and another module (``self.transformer.wte.weight = self.lm_head.weight``).

When the model's class cannot be seen (a library model, a name the linter cannot follow),
`embeddings_held` answers None and the rule stays silent: precision first.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from stepguard.lint._objects import builds, class_of_call
from stepguard.lint._scan import Facts, call_name, dotted

__all__ = ["Embeddings", "embeddings_held"]

#: Classes whose weight is a token (or position) embedding table.
_EMBEDDING_CLASSES = frozenset(
    (
        "Embedding",
        "EmbeddingBag",
        "VocabParallelEmbedding",
        "ParallelEmbedding",
        "StableEmbedding",
    )
)
#: Attribute names that say a tied weight belongs to an embedding.
_EMBED_NAMES = ("wte", "wpe", "embed", "tok_emb", "pos_emb", "token_emb")
_WRAPPERS = frozenset(
    ("compile", "DistributedDataParallel", "DDP", "DataParallel", "FSDP", "to", "cuda")
)
_MAX_DEPTH = 3


@dataclass
class Embeddings:
    """The embedding tables of a model's class: their attribute paths and the ties."""

    cls: str
    names: list[str] = field(default_factory=list)
    ties: list[tuple[str, str]] = field(default_factory=list)

    def describe(self) -> str:
        """``the embeddings `transformer.wte`, `transformer.wpe` of `GPT` (`transformer.wte`
        tied to the output head `lm_head`)``."""
        shown = ", ".join(f"`{n}`" for n in self.names[:4])
        if len(self.names) > 4:
            shown += ", …"
        plural = "s" if len(self.names) > 1 else ""
        text = f"the embedding{plural} {shown} of `{self.cls}`"
        if self.ties:
            a, b = self.ties[0]
            text += f" (`{a}` tied to the output head `{b}`)"
        return text


def embeddings_held(facts: Facts, model: ast.expr, at: ast.AST) -> Embeddings | None:
    """The embeddings every construction `model` may hold visibly registers (``self`` in a
    method: the enclosing class); None when some construction cannot be seen or holds none."""
    classes: list[tuple[Facts, ast.ClassDef]] = []
    if isinstance(model, ast.Name) and model.id == "self":
        cls = facts.class_of(at)
        if cls is None:
            return None
        classes.append((facts, cls))
    else:
        for owner, built in builds(facts, model):
            if call_name(built) in _WRAPPERS:
                continue  # the wrapped model is among the constructions too
            found = class_of_call(owner, built)
            if found is None:
                return None
            classes.append(found)
    out: Embeddings | None = None
    for owner, cls in classes:
        held = Embeddings(cls.name)
        _collect(owner, cls, "", held, 0)
        if not held.names:
            return None
        out = out or held
    return out


def _collect(facts: Facts, cls: ast.ClassDef, prefix: str, out: Embeddings, depth: int) -> None:
    init = next(
        (s for s in cls.body if isinstance(s, ast.FunctionDef) and s.name == "__init__"), None
    )
    if init is None or depth > _MAX_DEPTH:
        return
    for stmt in ast.walk(init):
        if not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1:
            continue
        target = dotted(stmt.targets[0])
        if target is None or not target.startswith("self."):
            continue
        path = prefix + target[5:]
        tied = dotted(stmt.value)
        if path.endswith(".weight") and tied is not None and tied.startswith("self."):
            other = prefix + tied[5:]
            names = (path[: -len(".weight")], other.removesuffix(".weight"))
            embed = next((n for n in names if _embedding_name(n) or n in out.names), None)
            if embed is not None:
                head = names[1] if embed == names[0] else names[0]
                out.ties.append((embed, head))
                if embed not in out.names:
                    out.names.append(embed)
            continue
        _value(facts, stmt.value, path, out, depth)


def _value(facts: Facts, value: ast.expr, path: str, out: Embeddings, depth: int) -> None:
    """Record the embeddings `value` (assigned at `path`) builds."""
    if isinstance(value, ast.Call):
        name = call_name(value)
        if name in _EMBEDDING_CLASSES:
            out.names.append(path)
            return
        if name in ("ModuleDict", "dict"):
            for kw in value.keywords:
                if kw.arg is not None:
                    _value(facts, kw.value, f"{path}.{kw.arg}", out, depth)
            for a in value.args:
                _value(facts, a, path, out, depth)
            return
        if name in ("Sequential", "ModuleList"):
            for i, a in enumerate(value.args):
                _value(facts, a, f"{path}.{i}" if len(value.args) > 1 else path, out, depth)
            return
        found = class_of_call(facts, value)
        if found is not None:
            _collect(found[0], found[1], f"{path}.", out, depth + 1)
        return
    if isinstance(value, ast.Dict):
        for k, v in zip(value.keys, value.values, strict=True):
            if isinstance(k, ast.Constant) and isinstance(k.value, str):
                _value(facts, v, f"{path}.{k.value}", out, depth)


def _embedding_name(path: str) -> bool:
    last = path.rsplit(".", 1)[-1].lower()
    return any(w in last for w in _EMBED_NAMES)

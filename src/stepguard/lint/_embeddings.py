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
import os
import re
from dataclasses import dataclass, field

from stepguard.lint._objects import builds, callers, class_of_call, passed_argument
from stepguard.lint._scan import Facts, call_name, dotted

__all__ = [
    "Embeddings",
    "embeddings_held",
    "hf_norm_naming",
    "imports_hf_library",
    "model_unseen",
    "names_embedding",
    "transformers_model",
]

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
    implied: bool = False  # known from the class's name only (a language model not read)

    def describe(self) -> str:
        """``the embeddings `transformer.wte`, `transformer.wpe` of `GPT` (`transformer.wte`
        tied to the output head `lm_head`)``."""
        if self.implied:
            return f"the token embedding of the language model `{self.cls}` (its class not read)"
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
            while call_name(built) in _WRAPPERS:
                # ``Model(cfg).to(device)``: the construction inside; a wrapped name's own
                # constructions are among the others
                inner = (
                    built.func.value
                    if isinstance(built.func, ast.Attribute) and call_name(built) in ("to", "cuda")
                    else None
                )
                if not isinstance(inner, ast.Call):
                    break
                built = inner
            if call_name(built) in _WRAPPERS:
                continue
            found = class_of_call(owner, built)
            if found is None:
                name = call_name(built)
                if _LANGUAGE_MODEL.search(name) or _ENCODER_OR_LLM.match(name):
                    return Embeddings(name, ["token embedding"], implied=True)
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


# -- Hugging Face transformers models: every one has input embeddings --------------------------

#: transformers model classes (``AutoModelForCausalLM``, ``BertForSequenceClassification``,
#: ``RobertaModel``, ``GPT2LMHeadModel``, ``BertPreTrainedModel`` as a base class).
_HF_MODEL = re.compile(r"^(AutoModel\w*|\w+For[A-Z]\w*|\w+Model|\w+LMHeadModel)$")
_MODEL_WRAPPERS = frozenset(("DistributedDataParallel", "DDP", "DataParallel", "FSDP", "compile"))


def transformers_model(facts: Facts, model: ast.expr, at: ast.AST, depth: int = 0) -> str | None:
    """The class (as text) when `model` is a Hugging Face transformers model: bound, in the
    function around `at` (or at module level), to ``X.from_pretrained(...)`` or ``X(config)``
    where X is a transformers model class (imported from ``transformers``) or a class of the
    tree derived from one (``class BertForCL(BertPreTrainedModel)``); a parameter of the function
    every caller passes such a model (project mode: the callers in other files); ``self.model``
    set so in ``__init__``; ``model.backbone`` whose class of the tree sets ``self.backbone`` so.
    None otherwise. Every transformers model has input embeddings (``get_input_embeddings()``)."""
    if depth > 3:
        return None
    for _ in range(4):
        if isinstance(model, ast.Name):
            bound = facts.local_value(model.id, at) or _rewrapped(facts, model.id, at)
            if bound is None:
                return _passed_model(facts, model.id, at, depth)
            model, at = bound, bound
            continue
        if isinstance(model, ast.Attribute) and not isinstance(model.ctx, ast.Store):
            if _trainer_model(facts, model, at):
                return "the Trainer's model"
            inner = _attribute_model(facts, model, at)
            if inner is None:
                return None
            (facts, model), at = inner, inner[1]
            continue
        if isinstance(model, ast.Call):
            name = call_name(model)
            if name in _MODEL_WRAPPERS and model.args:
                model = model.args[0]
                continue
            if "load" in name.lower() and model.args and isinstance(model.args[0], ast.Call):
                model = model.args[0]  # ``load_model(GPT2LMHeadModel(config), checkpoint)``
                continue
            returned = _returned_model(facts, model)
            if returned is not None:  # ``model = prepare_model(args)``, a function of the file
                model, at = returned, returned
                continue
            if (
                name in ("to", "cuda", "half", "float", "bfloat16")
                and isinstance(model.func, ast.Attribute)
                and isinstance(model.func.value, ast.Call)
            ):
                model = model.func.value
                continue
        break
    if not isinstance(model, ast.Call):
        return None
    cls = model.func
    if isinstance(cls, ast.Attribute) and cls.attr in ("from_pretrained", "from_config"):
        cls = cls.value
    text = dotted(cls)
    if text is None:
        return None
    if _hf_class(facts, cls):
        return text
    found = class_of_call(facts, ast.Call(func=cls, args=[], keywords=[]))
    if found is not None and any(_hf_class(found[0], b) for b in found[1].bases):
        return text
    last = text.rsplit(".", 1)[-1]
    if found is None and _ENCODER_OR_LLM.match(last):
        return text  # ``modeling.BertForPreTraining(config)``: a BERT / GPT family model class
    if (
        found is None
        and isinstance(model.func, ast.Attribute)
        and model.func.attr == "from_pretrained"
        and _HF_MODEL.match(last)
        and any(v.split(".")[0] == "transformers" for v in facts.aliases.values())
    ):
        return (
            text  # ``BertForCL.from_pretrained`` from a module not read, in a transformers script
        )
    return None


#: Class names that say "language model" (``GPUPicoLLM``, ``MiniGPT``, ``TransformerLM``): every
#: one reads token ids through an embedding table.
_LANGUAGE_MODEL = re.compile(r"(LLM|GPT|LanguageModel|[a-z]LM)$")

#: Model classes of the BERT / GPT / T5 families by name (NVIDIA's ``modeling.BertForPreTraining``,
#: a fork's ``BertForPreTrainingEx``, a task head's ``BertCrfForNer``): each holds token (and
#: position) embedding tables.
_ENCODER_OR_LLM = re.compile(
    r"^(Bert|Roberta|XLMRoberta|Albert|Electra|Deberta(V2)?|DistilBert|XLNet|GPT2|GPTNeo\w*|GPTJ"
    r"|OPT|Llama|Mistral|Mixtral|Qwen\d*|T5|MT5|Bart|MBart|Longformer|BigBird|Camembert|Falcon"
    r"|Bloom|Gemma\d*)((?:[A-Z][A-Za-z0-9]*)*?)(For[A-Z]\w*|Model|LMHeadModel)$"
)


def _rewrapped(facts: Facts, name: str, at: ast.AST) -> ast.expr | None:
    """The one construction `name` gets in the function around `at` when its other assignments
    only wrap or move it (``model = DDP(model)``, ``model = model.to(device)``)."""
    scope = facts.function_of(at)
    built: list[ast.expr] = []
    for a in facts._assignments_of(name):
        if facts.function_of(a) is not scope or not isinstance(a, ast.Assign):
            return None
        v = a.value
        if isinstance(v, ast.Call) and (
            (call_name(v) in _MODEL_WRAPPERS and v.args and dotted(v.args[0]) == name)
            or (isinstance(v.func, ast.Attribute) and dotted(v.func.value) == name)
        ):
            continue
        built.append(v)
    return built[0] if len(built) == 1 else None


def _trainer_model(facts: Facts, node: ast.Attribute, at: ast.AST) -> bool:
    """``self.model`` in a method of a transformers ``Trainer`` subclass (an overridden
    ``create_optimizer``): the Trainer's model, a transformers model."""
    if not (isinstance(node.value, ast.Name) and node.value.id == "self" and node.attr == "model"):
        return False
    cls = facts.class_of(at)
    return cls is not None and any(
        (facts.resolve(b) or "").startswith("transformers.")
        and (dotted(b) or "").endswith("Trainer")
        for b in cls.bases
    )


def _returned_model(facts: Facts, call: ast.Call) -> ast.expr | None:
    """What a function of the file returns when it has one ``return`` (its model)."""
    if not isinstance(call.func, ast.Name):
        return None
    funcs = facts.functions.get(call.func.id, [])
    if len(funcs) != 1:
        return None
    returned = [
        r.value for r in ast.walk(funcs[0]) if isinstance(r, ast.Return) and r.value is not None
    ]
    if len(returned) != 1:
        return None
    value = returned[0]
    if isinstance(value, ast.Tuple) and value.elts:
        value = value.elts[0]  # ``return model, tokenizer``
    return value


def _passed_model(facts: Facts, name: str, at: ast.AST, depth: int) -> str | None:
    """For a parameter `name` of the function around `at`: the transformers model every caller
    of the function passes (at least one caller, all agreeing)."""
    func = facts.function_of(at)
    if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    pos = [a.arg for a in (*func.args.posonlyargs, *func.args.args)]
    if name not in pos and name not in [a.arg for a in func.args.kwonlyargs]:
        return None
    found: str | None = None
    for owner, call in callers(facts, func)[:8]:
        passed = passed_argument(call, func, name, pos)
        if passed is None or isinstance(passed, ast.Starred):
            return None
        hf = transformers_model(owner, passed, call, depth + 1)
        if hf is None:
            return None
        found = found or hf
    return found


def _attribute_model(
    facts: Facts, node: ast.Attribute, at: ast.AST
) -> tuple[Facts, ast.expr] | None:
    """What ``self.x`` (in a method) or ``m.x`` (``m`` an instance of a class of the tree) was
    set to in the class's ``__init__``, when it was set there exactly once."""
    owner: tuple[Facts, ast.ClassDef] | None = None
    base = node.value
    if isinstance(base, ast.Name) and base.id == "self":
        cls = facts.class_of(at)
        owner = (facts, cls) if cls is not None else None
    elif isinstance(base, ast.Name):
        bound = facts.local_value(base.id, at)
        if isinstance(bound, ast.Call) and call_name(bound) == "to":
            bound = bound.func.value if isinstance(bound.func, ast.Attribute) else None
        if isinstance(bound, ast.Call):
            owner = class_of_call(facts, bound)
    if owner is None:
        return None
    init = next(
        (s for s in owner[1].body if isinstance(s, ast.FunctionDef) and s.name == "__init__"),
        None,
    )
    if init is None:
        return None
    found = [
        n.value
        for n in ast.walk(init)
        if isinstance(n, ast.Assign)
        and len(n.targets) == 1
        and dotted(n.targets[0]) == f"self.{node.attr}"
    ]
    return (owner[0], found[0]) if len(found) == 1 else None


def _hf_class(facts: Facts, node: ast.expr) -> bool:
    qualified = facts.resolve(node) or ""
    last = qualified.rsplit(".", 1)[-1]
    return qualified.startswith("transformers.") and _HF_MODEL.match(last) is not None


#: Words of a no-decay name list that exempt embeddings (``"embed"``, GPT-2's ``"wte"``...).
_EXEMPTS_EMBEDDINGS = ("emb", "wte", "wpe", "tok", "pos", "shared", "word", "cls_token")


def names_embedding(word: str) -> bool:
    """A word of a no-decay name list that keeps embedding tables out of decay."""
    low = word.lower()
    return any(w in low for w in _EXEMPTS_EMBEDDINGS)


# -- a model the linter cannot see, split by Hugging Face parameter names ---------------------

#: The Hugging Face model libraries: a script importing one trains transformers models.
_HF_LIBRARIES = frozenset(
    (
        "transformers",
        "pytorch_transformers",
        "pytorch_pretrained_bert",
        "simpletransformers",
        "sentence_transformers",
    )
)
_HF_IMPORT = re.compile(
    r"^\s*(?:from|import)\s+(?:" + "|".join(sorted(_HF_LIBRARIES)) + r")\b", re.MULTILINE
)
#: Libraries whose models are not transformers models (a construction from one shows the model).
_OTHER_LIBRARIES = frozenset(("torch", "torchvision", "timm", "torchaudio", "monai"))
#: BERT's norm naming in a no-decay list (``LayerNorm.weight``; T5 / BART: ``layer_norm.weight``).
_HF_NORM = ("LayerNorm", "layer_norm")


def hf_norm_naming(words: list[str]) -> str | None:
    """The word of a no-decay name list that names a Hugging Face norm module
    (``LayerNorm.weight``, ``LayerNorm.bias``, ``layer_norm.weight``), or None."""
    return next((w for w in words if any(n in w for n in _HF_NORM)), None)


def imports_hf_library(facts: Facts) -> str | None:
    """Where a Hugging Face model library (`transformers`, `pytorch_transformers`,
    `pytorch_pretrained_bert`, `simpletransformers`, `sentence_transformers`) is imported:
    ``the file imports `transformers` `` or, in project mode, ``the project imports
    `transformers` (in `path`)``; None when neither does."""
    for v in facts.aliases.values():
        root = v.split(".")[0]
        if root in _HF_LIBRARIES:
            return f"the file imports `{root}`"
    project = facts.project
    if project is None:
        return None
    if "imports_hf" not in project.cache:
        found: str | None = None
        for path in project.files:
            text = project.text(path)
            m = _HF_IMPORT.search(text) if text is not None else None
            if m is not None:
                root = m.group(0).split()[1].split(".")[0]
                found = f"the project imports `{root}` (in `{os.path.basename(path)}`)"
                break
        project.cache["imports_hf"] = found
    cached: str | None = project.cache["imports_hf"]
    return cached


def model_unseen(facts: Facts, model: ast.expr, at: ast.AST, depth: int = 0) -> bool:
    """True when no construction of `model` can be seen: a parameter no caller of the tree
    passes, a value returned by a function outside the tree, a class the linter cannot read.
    False when some construction is a class of the tree or a model of a library other than the
    Hugging Face ones (``torchvision.models.resnet50()``, ``timm.create_model``): the project
    shows the model, and `embeddings_held` / `transformers_model` already answered. ``self``
    (a class of the tree) is seen."""
    if depth > 2 or (isinstance(model, ast.Name) and model.id == "self"):
        return False
    if isinstance(model, ast.Attribute) and dotted(model.value) not in (None, "self"):
        # ``model.backbone``: unseen when its owner is; a class of the tree that sets it
        # otherwise shows it
        inner = _owner_attribute(facts, model, at)
        if inner is not None:
            shown_facts, value = inner
            return value is not None and model_unseen(shown_facts, value, value, depth + 1)
        return model_unseen(facts, model.value, at, depth + 1)
    for owner, built in builds(facts, model):
        while call_name(built) in _WRAPPERS:
            inner_call = (
                built.func.value
                if isinstance(built.func, ast.Attribute) and call_name(built) in ("to", "cuda")
                else (built.args[0] if built.args else None)
            )
            if not isinstance(inner_call, ast.Call):
                break
            built = inner_call
        if call_name(built) in _WRAPPERS:
            continue
        if class_of_call(owner, built) is not None:
            return False
        qualified = owner.resolve(built.func) or ""
        if qualified.split(".")[0] in _OTHER_LIBRARIES:
            return False
        if isinstance(built.func, ast.Name):
            funcs = owner.functions.get(built.func.id, [])
            if funcs:  # a function of the file: what it returns
                returned = [
                    r.value
                    for f in funcs[:1]
                    for r in ast.walk(f)
                    if isinstance(r, ast.Return) and r.value is not None
                ]
                for value in returned[:4]:
                    if isinstance(value, ast.Tuple) and value.elts:
                        value = value.elts[0]
                    if not model_unseen(owner, value, value, depth + 1):
                        return False
    return True


def _owner_attribute(
    facts: Facts, node: ast.Attribute, at: ast.AST
) -> tuple[Facts, ast.expr | None] | None:
    """What ``m.x`` was set to in ``__init__`` of the class of the tree ``m`` is built from
    (None for the value when the class sets it elsewhere or more than once); None when no class
    of the tree builds ``m``."""
    for owner, built in builds(facts, node.value)[:4]:
        found = class_of_call(owner, built)
        if found is None:
            continue
        init = next(
            (s for s in found[1].body if isinstance(s, ast.FunctionDef) and s.name == "__init__"),
            None,
        )
        if init is None:
            return found[0], None
        values = [
            n.value
            for n in ast.walk(init)
            if isinstance(n, ast.Assign)
            and len(n.targets) == 1
            and dotted(n.targets[0]) == f"self.{node.attr}"
        ]
        if len(values) == 1:
            return found[0], values[0]
        return found[0], None
    return None

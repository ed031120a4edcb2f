"""What a model and its param groups hold, seen statically: SG102's exceptions and its groups.

SG102 reports an optimizer that decays every parameter of a model, biases and normalization or
embedding weights included. Two shapes make that harmless, and both can be seen in the code:

- `holds_no_decay_parameters` is False when the model's class is visible (this file, or another
  file of the linted tree) and every parameter it registers is a weight matrix: layers built
  with ``bias=False``, parameter-free modules (activations, dropout, pooling), ``nn.Parameter``
  tensors of two or more dimensions, and submodules of such classes. Anything else it cannot see
  through (a library model, ``setattr``, a 1-D parameter) counts as holding one.
- `only_adapters_trainable` is True when the file freezes the whole model and trains adapter
  weights only (peft's ``get_peft_model``, loralib's ``mark_only_lora_as_trainable``, lit-llama's
  ``mark_only_adapter_as_trainable`` and its kin, or
  ``model.requires_grad_(False)`` followed by LoRA / adapter parameters, or a helper that
  attaches them, ``apply_lora(model, ...)``, with the optimizer over the ``requires_grad``
  parameters only): those matrices have no bias or norm, and frozen parameters get no gradient,
  so no step decays them.

And the other way round, `selects_no_decay` tells when a param group holds exactly the
parameters that must not decay (its filter is ``any(nd in n for nd in no_decay)`` or ``p.ndim <
2``, it is built under such an ``if``, or it lists the modules' ``.bias`` attributes): such a group
with a weight decay > 0 (its own, or the optimizer's default it inherits) is SG102 too.
"""

from __future__ import annotations

import ast
import re

from stepguard.lint._objects import (
    builds,
    callee,
    callers,
    calls_of,
    class_of_call,
    passed_argument,
)
from stepguard.lint._scan import Facts, assigned_names, call_name, dotted, kwarg, short, walk
from stepguard.lint._values import as_group

__all__ = [
    "bias_split",
    "built_groups",
    "holds_no_decay_parameters",
    "holds_norm_or_embedding",
    "loop_model",
    "name_list",
    "no_decay_kinds",
    "no_decay_test",
    "norm_named_otherwise",
    "only_adapters_trainable",
    "peft_trains_more",
    "reaching_value",
    "selects_no_decay",
]

_FREE = frozenset(
    (
        "ReLU",
        "ReLU6",
        "GELU",
        "SiLU",
        "Mish",
        "ELU",
        "SELU",
        "CELU",
        "LeakyReLU",
        "Sigmoid",
        "Tanh",
        "Softmax",
        "LogSoftmax",
        "Softplus",
        "Hardswish",
        "Hardtanh",
        "Identity",
        "Dropout",
        "Dropout1d",
        "Dropout2d",
        "Dropout3d",
        "AlphaDropout",
        "Flatten",
        "Unflatten",
        "MaxPool1d",
        "MaxPool2d",
        "MaxPool3d",
        "AvgPool1d",
        "AvgPool2d",
        "AvgPool3d",
        "AdaptiveAvgPool1d",
        "AdaptiveAvgPool2d",
        "AdaptiveAvgPool3d",
        "AdaptiveMaxPool1d",
        "AdaptiveMaxPool2d",
        "Upsample",
        "PixelShuffle",
        "ZeroPad2d",
        "ConstantPad2d",
    )
)
# Layers whose only 1-D parameter is a bias, switched off by ``bias=False``.
_BIASED = frozenset(
    (
        "Linear",
        "Conv1d",
        "Conv2d",
        "Conv3d",
        "ConvTranspose1d",
        "ConvTranspose2d",
        "ConvTranspose3d",
        "Bilinear",
    )
)
_TENSOR_FACTORIES = frozenset(
    ("empty", "zeros", "ones", "randn", "rand", "Tensor", "FloatTensor", "full", "eye")
)
_PEFT = re.compile(
    r"\b(get_peft_model|LoraConfig|inject_adapter"
    r"|mark_only_(?:lora|adapter|prefix|prompt)\w*_as_trainable)\b"
)
_ADAPTER = re.compile(r"lora|adapter|prompt_embed|prefix_tun", re.I)


def only_adapters_trainable(facts: Facts) -> bool:
    """The file trains adapter weights only (see the module docstring)."""
    source = facts.source
    if _unfreezes_no_decay(facts):
        return False
    if _PEFT.search(source):
        return peft_trains_more(facts) is None
    if not _ADAPTER.search(source):
        return False
    if _peft_helper(facts):
        return True
    if _attaches_adapters(facts) and _trains_requires_grad_only(facts):
        return True
    for call in facts.calls:
        if (
            call_name(call) == "requires_grad_"
            and call.args
            and isinstance(call.args[0], ast.Constant)
            and call.args[0].value is False
        ):
            return True
    for node in facts.assigns:
        if (
            isinstance(node, ast.Assign)
            and any(
                isinstance(t, ast.Attribute) and t.attr == "requires_grad" for t in node.targets
            )
            and isinstance(node.value, ast.Constant)
            and node.value.value is False
        ):
            loop = facts.enclosing(node, (ast.For,))
            if (
                isinstance(loop, ast.For)
                and call_name_of(loop.iter)
                in (
                    "parameters",
                    "named_parameters",
                )
                and not any(isinstance(s, ast.If) for s in loop.body)
            ):
                return True
    return False


def freezes_other_modules(facts: Facts, models: list[ast.expr]) -> bool:
    """The file's only sign of adapter training is a loop freezing a submodule the optimizer does
    not take (MedSAM: ``for p in self.prompt_encoder.parameters(): p.requires_grad = False``,
    the optimizer over ``model.image_encoder`` and ``model.mask_decoder``): no PEFT call, no
    adapter attached, and every optimized module a submodule named otherwise."""
    if _PEFT.search(facts.source) or _peft_helper(facts) or _attaches_adapters(facts):
        return False
    if not models or not all(isinstance(m, ast.Attribute) for m in models):
        return False
    optimized = {m.attr for m in models if isinstance(m, ast.Attribute)}
    frozen: list[str] = []
    for node in facts.assigns:
        if not (
            isinstance(node, ast.Assign)
            and any(
                isinstance(t, ast.Attribute) and t.attr == "requires_grad" for t in node.targets
            )
            and isinstance(node.value, ast.Constant)
            and node.value.value is False
        ):
            continue
        loop = facts.enclosing(node, (ast.For,))
        it = loop.iter if isinstance(loop, ast.For) else None
        if not (
            isinstance(it, ast.Call)
            and isinstance(it.func, ast.Attribute)
            and isinstance(it.func.value, ast.Attribute)
        ):
            return False
        frozen.append(it.func.value.attr)
    if any(call_name(c) == "requires_grad_" for c in facts.calls):
        return False
    return bool(frozen) and not (set(frozen) & optimized)


def peft_gate(facts: Facts) -> ast.expr | None:
    """The test of the ``if`` every PEFT call of the file sits under (``if args.lora_r > 0:
    model = get_peft_model(model, LoraConfig(...))``), when no optimizer is built under it and
    nothing else in the file freezes parameters: with the test false the whole model trains.
    None otherwise."""
    peft = [c for c in facts.calls if _PEFT.search(call_name(c) or "")]
    if not peft or _peft_helper(facts) or _attaches_adapters(facts):
        return None
    gates: list[ast.If] = []
    for c in peft:
        node: ast.AST | None = facts.parents.get(c)
        while node is not None and not isinstance(node, ast.If):
            node = facts.parents.get(node)
        if not isinstance(node, ast.If) or any(c is n for n in walk(node.test)):
            return None
        gates.append(node)
    if any(g is not gates[0] for g in gates):
        return None
    gate = gates[0]
    if isinstance(gate.test, ast.Constant) or any(n in facts.optimizer_builds for n in walk(gate)):
        return None
    for node in facts.assigns:
        if any(
            isinstance(t, ast.Attribute) and t.attr == "requires_grad"
            for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
        ):
            return None
    if any(call_name(c) == "requires_grad_" for c in facts.calls):
        return None
    return gate.test


_PEFT_CONFIGS = re.compile(r"(Lora|AdaLora|LoHa|LoKr|IA3|Vera|Boft|Oft)Config$")
_SAVED_WORDS = (*("embed", "norm", "bias", "ln_", "wte", "wpe"), "ln", "emb")


def peft_trains_more(facts: Facts) -> str | None:
    """What a PEFT config of the file makes trainable besides the adapter matrices:
    ``modules_to_save`` naming a norm or embedding (``["embed_tokens", "norm"]``: those modules
    are copied whole and train), or ``bias="all"`` / ``"lora_only"`` (biases train); None when
    nothing (a value the linter cannot read counts as adapters only: precision first)."""
    for call in facts.calls:
        if _PEFT_CONFIGS.search(call_name(call) or "") is None:
            continue
        bias = kwarg(call, "bias")
        if isinstance(bias, ast.Constant) and bias.value in ("all", "lora_only"):
            return f'{call_name(call)}(bias="{bias.value}") (line {call.lineno}) trains biases'
        saved = kwarg(call, "modules_to_save")
        if isinstance(saved, ast.Name):
            saved = facts.local_value(saved.id, call)
        if not isinstance(saved, (ast.List, ast.Tuple, ast.Set)):
            continue
        names = [
            e.value.lower()
            for e in saved.elts
            if isinstance(e, ast.Constant) and isinstance(e.value, str)
        ]
        hit = [n for n in names if any(w == n or (len(w) > 2 and w in n) for w in _SAVED_WORDS)]
        if hit:
            return (
                f"{call_name(call)}(modules_to_save=[{', '.join(repr(n) for n in hit)}]) (line "
                f"{call.lineno}) trains those modules whole"
            )
    return None


_PEFT_HELPER = re.compile(r"lora|peft|adapter", re.I)


def _peft_helper(facts: Facts) -> bool:
    """The file wraps its model with a helper of the tree named for LoRA / PEFT
    (``peft_model = get_lora_model(model, cfg)`` in ``utils.py``) whose body calls peft's
    ``get_peft_model`` (or loralib's ``mark_only_lora_as_trainable``), and that file's PEFT config
    trains nothing besides the adapters: the base model comes back frozen."""
    for call in facts.calls:
        if not call.args or _PEFT_HELPER.search(call_name(call) or "") is None:
            continue
        found = callee(facts, call, training=False)
        if found is None:
            continue
        owner, func = found
        wraps = any(
            isinstance(n, ast.Call) and _PEFT.search(call_name(n) or "") is not None
            for n in walk(func)
        )
        if wraps and not _unfreezes_no_decay(owner) and peft_trains_more(owner) is None:
            return True
    return False


# A function that attaches adapters to a model (``apply_lora(model, rank=16)``,
# ``add_adapters(model)``, ``inject_lora_layers(model)``), possibly defined outside the tree.
_ATTACH = re.compile(
    r"^(?:apply|add|inject|attach|insert|enable|setup|wrap|convert_to)_\w*(?:lora|adapter)", re.I
)


def _attaches_adapters(facts: Facts) -> bool:
    """The file calls a function that attaches LoRA / adapter layers to a model it passes and
    freezes the rest: defined outside the linted tree (its name is all there is to read), or
    visibly setting ``requires_grad = False`` / calling ``requires_grad_(False)``. One that only
    swaps layers (``apply_lora_to_dinov2`` leaving a trainable head) does not count."""
    for call in facts.calls:
        if not call.args or _ATTACH.match(call_name(call) or "") is None:
            continue
        found = callee(facts, call, training=False)
        if found is None or _freezes(found[1]):
            return True
    return False


def _freezes(func: ast.AST) -> bool:
    for node in walk(func):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            if node.value.value is False and any(
                isinstance(t, ast.Attribute) and t.attr == "requires_grad" for t in node.targets
            ):
                return True
        elif (
            isinstance(node, ast.Call)
            and call_name(node) == "requires_grad_"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and node.args[0].value is False
        ):
            return True
    return False


def _trains_requires_grad_only(facts: Facts) -> bool:
    """The file hands the optimizer the trainable parameters only: ``[p for p in
    model.parameters() if p.requires_grad]`` or ``filter(lambda p: p.requires_grad, ...)``. With
    adapters attached, the frozen base (its biases, norms, embeddings) stays out."""
    for node in walk(facts.tree):
        if isinstance(node, (ast.ListComp, ast.GeneratorExp)) and len(node.generators) == 1:
            gen = node.generators[0]
            if call_name_of(gen.iter) in ("parameters", "named_parameters") and any(
                isinstance(t, ast.Attribute) and t.attr == "requires_grad" for t in gen.ifs
            ):
                return True
        if (
            isinstance(node, ast.Call)
            and call_name(node) == "filter"
            and node.args
            and isinstance(node.args[0], ast.Lambda)
            and isinstance(node.args[0].body, ast.Attribute)
            and node.args[0].body.attr == "requires_grad"
        ):
            return True
    return False


_UNFROZEN_WORDS = ("embed", "norm", "bias", "ln_", "wte", "wpe")


def _unfreezes_no_decay(facts: Facts) -> bool:
    """The file makes parameters trainable again by name, and the names are of embeddings,
    norms or biases (``for n, p in model.named_parameters(): if "embedding" in n:
    p.requires_grad = True`` after freezing all but the adapters): those get decayed too."""
    for node in facts.assigns:
        if not (
            isinstance(node, ast.Assign)
            and any(
                isinstance(t, ast.Attribute) and t.attr == "requires_grad" for t in node.targets
            )
            and isinstance(node.value, ast.Constant)
            and node.value.value is True
        ):
            continue
        loop = facts.enclosing(node, (ast.For,))
        if not (isinstance(loop, ast.For) and call_name_of(loop.iter) == "named_parameters"):
            continue
        for _, test, truth in facts.branches(node):
            words = [
                c.value.lower()
                for c in ast.walk(test)
                if isinstance(c, ast.Constant) and isinstance(c.value, str)
            ]
            if truth and any(w in word for word in words for w in _UNFROZEN_WORDS):
                return True
    return False


def call_name_of(node: ast.AST) -> str:
    return call_name(node) if isinstance(node, ast.Call) else ""


def holds_no_decay_parameters(facts: Facts, model: ast.expr, at: ast.AST) -> bool:
    """False only when the model is visibly built from weight matrices alone (module docstring);
    for a submodule (``model.head``), what the model's class assigns to ``self.head``."""
    if isinstance(model, ast.Attribute):
        holder = _model_class(facts, model.value, at)
        if holder is None:
            return True
        value = _init_value(holder[1], model.attr)
        if isinstance(value, ast.Name) and _init_argument(holder[1], value.id):
            # ``self.image_encoder = image_encoder``: a module handed to the constructor, whose
            # parameters the optimizer takes; what it holds is not visible here
            return True
        return True if value is None else _value_holds(holder[0], value, 0)
    cls = _model_class(facts, model, at)
    if cls is None:
        return True
    owner, node = cls
    return _class_holds(owner, node, 0)


def model_class_seen(facts: Facts, model: ast.expr, at: ast.AST) -> bool:
    """The class of `model` (of its owner, for a submodule ``model.head``) is a class the linter
    reads, so what `holds_no_decay_parameters` says about it comes from its code."""
    owner = model.value if isinstance(model, ast.Attribute) else model
    return _model_class(facts, owner, at) is not None


def _init_argument(cls: ast.ClassDef, name: str) -> bool:
    """`name` is a parameter of `cls`'s ``__init__``."""
    init = next(
        (s for s in cls.body if isinstance(s, ast.FunctionDef) and s.name == "__init__"), None
    )
    if init is None:
        return False
    args = init.args
    return any(a.arg == name for a in [*args.posonlyargs, *args.args, *args.kwonlyargs])


def attribute_parameters(facts: Facts, node: ast.Attribute, at: ast.AST) -> list[ast.expr] | None:
    """The submodules whose parameters a model attribute lists (``model.params2`` where the
    model's class sets ``self.params2 = list(self.fcs.parameters())`` in ``__init__``), as
    ``model.fcs``-style expressions; None when the attribute is not such a list."""
    holder = _model_class(facts, node.value, at)
    if holder is None:
        return None
    value = _init_value(holder[1], node.attr)
    if (
        isinstance(value, ast.Call)
        and call_name(value) in ("list", "tuple")
        and len(value.args) == 1
    ):
        value = value.args[0]
    if not (
        isinstance(value, ast.Call)
        and call_name(value) == "parameters"
        and not value.args
        and isinstance(value.func, ast.Attribute)
        and _is_self_attr(value.func.value)
    ):
        return None
    sub = value.func.value.attr  # type: ignore[attr-defined]
    return [
        ast.Attribute(
            value=node.value,
            attr=sub,
            ctx=ast.Load(),
            lineno=node.lineno,
            col_offset=node.col_offset,
        )
    ]


def _model_class(facts: Facts, model: ast.expr, at: ast.AST) -> tuple[Facts, ast.ClassDef] | None:
    value: ast.expr | None = None
    if isinstance(model, ast.Name):
        unpacked = _unpacked_class(facts, model.id, at)
        if unpacked is not None:
            return unpacked
        value = facts.local_value(model.id, at) or reaching_value(facts, model.id, at)
    while (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr in _MOVES
        and isinstance(value.func.value, ast.Call)
    ):
        value = value.func.value  # ``GCN(...).to(device)``: the module is the one built
    if not isinstance(value, ast.Call):
        return None
    return class_of_call(facts, value)


def reaching_value(facts: Facts, name: str, at: ast.AST) -> ast.expr | None:
    """The value of the last plain ``name = value`` before `at` in its function, when that
    assignment's block holds `at` (no branch or loop of its own decides whether it ran:
    ``if args.shallow: model = MultiSAE(n); opt = Adam(model...)`` reads MultiSAE in that branch);
    else None."""
    scope = facts.function_of(at)
    line = getattr(at, "lineno", 0)
    before = [
        a
        for a in facts.assigns
        if facts.function_of(a) is scope
        and a.lineno < line
        and any(
            name in assigned_names(t)
            for t in (a.targets if isinstance(a, ast.Assign) else [a.target])
        )
    ]
    if not before:
        return None
    last = max(before, key=lambda a: (a.lineno, a.col_offset))
    if not (
        isinstance(last, ast.Assign)
        and len(last.targets) == 1
        and isinstance(last.targets[0], ast.Name)
    ):
        return None
    block = facts.parents.get(last)
    node: ast.AST | None = at
    while node is not None and node is not block:
        node = facts.parents.get(node)
    return last.value if node is block else None


#: Module methods that return the module itself.
_MOVES = frozenset(("to", "cuda", "cpu", "float", "half", "double", "bfloat16", "train", "eval"))


def _unpacked_class(facts: Facts, name: str, at: ast.AST) -> tuple[Facts, ast.ClassDef] | None:
    """The class of a model unpacked from a factory's tuple (``G, C1 = get_model(...)`` where the
    factory, of this file or the tree, returns ``(model_g, model_c)`` built from classes of the
    tree), when that unpacking is the last assignment to `name` before `at` in the same block
    (a later ``C1 = nn.DataParallel(C1)`` does not count); None otherwise."""
    scope = facts.function_of(at)
    line = getattr(at, "lineno", 0)
    before = [
        n
        for n in facts.assigns
        if isinstance(n, ast.Assign)
        and facts.function_of(n) is scope
        and n.lineno < line
        and any(name in assigned_names(t) for t in n.targets)
    ]
    if not before:
        return None
    last = before[-1]
    block = facts.parents.get(last)
    if block is not scope and not any(block is p for p in _ancestors(facts, at)):
        return None  # assigned under a branch or loop that does not hold `at`
    target = last.targets[0] if len(last.targets) == 1 else None
    if not isinstance(target, ast.Tuple) or not isinstance(last.value, ast.Call):
        return None
    index = next(
        (i for i, e in enumerate(target.elts) if isinstance(e, ast.Name) and e.id == name), None
    )
    if index is None or any(isinstance(e, ast.Starred) for e in target.elts):
        return None
    found = callee(facts, last.value, training=False)
    if found is None:
        return None
    owner, func = found
    classes: list[tuple[Facts, ast.ClassDef]] = []
    for ret in walk(func):
        if not isinstance(ret, ast.Return):
            continue
        value = ret.value
        if not isinstance(value, ast.Tuple) or len(value.elts) != len(target.elts):
            return None
        elt = value.elts[index]
        if isinstance(elt, ast.Name):
            elt = owner.local_value(elt.id, ret)  # type: ignore[assignment]
        cls = class_of_call(owner, elt) if isinstance(elt, ast.Call) else None
        if cls is None or (classes and classes[0][1] is not cls[1]):
            return None
        classes.append(cls)
    return classes[0] if classes else None


def _ancestors(facts: Facts, node: ast.AST) -> list[ast.AST]:
    out: list[ast.AST] = []
    p = facts.parents.get(node)
    while p is not None:
        out.append(p)
        p = facts.parents.get(p)
    return out


def _init_value(cls: ast.ClassDef, attr: str) -> ast.expr | None:
    """The value ``__init__`` assigns to ``self.<attr>``, when it assigns it exactly once."""
    init = next(
        (s for s in cls.body if isinstance(s, ast.FunctionDef) and s.name == "__init__"), None
    )
    if init is None:
        return None
    found = [
        n.value
        for n in walk(init)
        if isinstance(n, ast.Assign)
        and len(n.targets) == 1
        and _is_self_attr(n.targets[0])
        and n.targets[0].attr == attr  # type: ignore[attr-defined]
    ]
    return found[0] if len(found) == 1 else None


def _class_holds(facts: Facts, cls: ast.ClassDef, depth: int) -> bool:
    """True unless every parameter `cls` registers is visibly a weight matrix."""
    if depth > 4:
        return True
    for base in cls.bases:
        name = (dotted(base) or "").rsplit(".", 1)[-1]
        if name == "Module":
            continue
        parent = class_of_call(facts, ast.Call(func=base, args=[], keywords=[]))
        if parent is None or _class_holds(parent[0], parent[1], depth + 1):
            return True
    init = next(
        (s for s in cls.body if isinstance(s, ast.FunctionDef) and s.name == "__init__"), None
    )
    if init is None:
        return False  # what the bases register was checked above
    for node in walk(init):
        if isinstance(node, ast.Call) and call_name(node) in (
            "register_parameter",
            "add_module",
            "setattr",
            "register_module",
        ):
            return True
        if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if not any(_is_self_attr(t) for t in targets):
            continue
        if _value_holds(facts, node.value, depth):
            return True
    return False


def _is_self_attr(t: ast.expr) -> bool:
    return isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self"


def _value_holds(facts: Facts, value: ast.expr, depth: int) -> bool:
    """True unless `value` (assigned to ``self.x`` in ``__init__``) is visibly parameter-free or
    weight matrices only."""
    if isinstance(value, (ast.Constant, ast.Name, ast.Attribute)):
        return False  # a number, a flag, a reference: registers nothing new here
    if isinstance(value, (ast.List, ast.Tuple)):
        return any(_value_holds(facts, e, depth) for e in value.elts)
    if isinstance(value, (ast.ListComp, ast.GeneratorExp)):
        return _value_holds(facts, value.elt, depth)
    if isinstance(value, ast.IfExp):
        return _value_holds(facts, value.body, depth) or _value_holds(facts, value.orelse, depth)
    if isinstance(value, ast.BinOp):  # `2 * in_features`: arithmetic on the arguments
        return _value_holds(facts, value.left, depth) or _value_holds(facts, value.right, depth)
    if not isinstance(value, ast.Call):
        return True
    name = call_name(value)
    if name in _FREE:
        return False
    if name in _BIASED:
        flag = kwarg(value, "bias")
        return not (isinstance(flag, ast.Constant) and flag.value is False)
    if name in ("Sequential", "ModuleList", "ModuleDict"):
        args = list(value.args)
        return any(_value_holds(facts, a, depth) for a in args) or bool(value.keywords)
    if name == "Parameter":
        tensor = value.args[0] if value.args else kwarg(value, "data")
        return not _matrix(tensor)
    found = class_of_call(facts, value)
    if found is None:
        return True
    return _class_holds(found[0], found[1], depth + 1)


def _matrix(tensor: ast.expr | None) -> bool:
    """``torch.randn(a, b)``-style tensors with at least two dimensions, also filled in place by
    an initializer that returns them (``nn.init.xavier_uniform_(torch.empty(a, b), gain=g)``)."""
    while (
        isinstance(tensor, ast.Call)
        and isinstance(tensor.func, ast.Attribute)
        and tensor.func.attr.endswith("_")
        and (dotted(tensor.func.value) or "").split(".")[-1] == "init"
        and tensor.args
    ):
        tensor = tensor.args[0]
    if not isinstance(tensor, ast.Call) or call_name(tensor) not in _TENSOR_FACTORIES:
        return False
    dims = [a for a in tensor.args if not isinstance(a, ast.Starred)]
    if len(dims) == 1 and isinstance(dims[0], (ast.Tuple, ast.List)):
        dims = list(dims[0].elts)
    return len(dims) >= 2


# -- groups that select the parameters that must not decay -------------------------------------

_NO_DECAY_WORDS = ("bias", "norm", "bn", "ln_", "embed", "gamma", "beta")


def no_decay_test(facts: Facts, test: ast.expr, at: ast.AST) -> bool | None:
    """True when `test` (a filter on a parameter or its name) holds exactly for the parameters
    that should not decay (``any(nd in n for nd in no_decay)``, ``"bias" in n``,
    ``n.endswith(".bias")``, ``p.ndim < 2``), False for its negation, None for any other test."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = no_decay_test(facts, test.operand, at)
        return None if inner is None else not inner
    if isinstance(test, ast.Call) and call_name(test) == "any" and len(test.args) == 1:
        gen = test.args[0]
        if isinstance(gen, ast.GeneratorExp) and isinstance(gen.elt, ast.Compare):
            words = _words(facts, gen.generators[0].iter, at)
            op = gen.elt.ops[0]
            if words and isinstance(op, (ast.In, ast.NotIn)):
                return isinstance(op, ast.In)
        return None
    if isinstance(test, ast.Call) and call_name(test) in ("endswith", "startswith") and test.args:
        words = _words(facts, test.args[0], at)
        return True if words else None
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        op, right = test.ops[0], test.comparators[0]
        if isinstance(op, (ast.In, ast.NotIn)) and _words(facts, test.left, at):
            return isinstance(op, ast.In)
        rank = test.left
        is_rank = (isinstance(rank, ast.Attribute) and rank.attr == "ndim") or (
            isinstance(rank, ast.Call) and call_name(rank) in ("dim", "len")
        )
        if is_rank and isinstance(right, ast.Constant) and isinstance(right.value, int):
            n = right.value
            if (isinstance(op, ast.Lt) and n == 2) or (
                isinstance(op, (ast.Eq, ast.LtE)) and n == 1
            ):
                return True
            if (isinstance(op, ast.GtE) and n == 2) or (isinstance(op, ast.Gt) and n == 1):
                return False
    return None


def _words(facts: Facts, node: ast.AST, at: ast.AST) -> bool:
    """`node` is (or names a list of) strings naming no-decay parameters (``"bias"``,
    ``["bias", "LayerNorm.weight"]``)."""
    if isinstance(node, ast.Name):
        bound = name_list(facts, node.id, at)
        if bound is None:
            return False
        node = bound
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return any(w in node.value.lower() for w in _NO_DECAY_WORDS)
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)) and node.elts:
        return all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts
        ) and any(_words(facts, e, at) for e in node.elts)
    return False


def _conjuncts(tests: list[ast.expr]) -> list[ast.expr]:
    """The tests of a comprehension's ``if`` clauses, ``a and b`` split into ``a``, ``b``."""
    out: list[ast.expr] = []
    for t in tests:
        if isinstance(t, ast.BoolOp) and isinstance(t.op, ast.And):
            out += _conjuncts(t.values)
        else:
            out.append(t)
    return out


def name_list(facts: Facts, name: str, at: ast.AST) -> ast.expr | None:
    """What `name` holds, seen from `at`: its single assignment, else the default of the enclosing
    function's parameter `name` when no call in the file passes that argument (``def
    group(model, wd, no_decay=("bias",))``); None otherwise."""
    bound = facts.local_value(name, at)
    if bound is not None:
        return bound
    func = facts.function_of(at)
    if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    args = func.args
    pos = [a.arg for a in (*args.posonlyargs, *args.args)]
    defaults = dict(zip(pos[len(pos) - len(args.defaults) :], args.defaults, strict=True))
    defaults.update(
        {a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None}
    )
    if name not in defaults or any(
        facts.function_of(n) is func for n in facts._assignments_of(name)
    ):
        return None
    calls = (
        callers(facts, func)
        if facts.project is not None
        else [(facts, c) for c in calls_of(facts, func)]
    )
    for _, call in calls:
        if passed_argument(call, func, name, pos) is not None:
            return None
    return defaults[name]


def selects_no_decay(facts: Facts, group: ast.Dict, params: ast.expr | None) -> str | None:
    """How a param-group dict selects the parameters that must not decay (its ``params`` filter,
    the ``if`` it is built under, or a list of ``.bias`` attributes), as text; None otherwise."""
    if isinstance(params, (ast.ListComp, ast.GeneratorExp)):
        for cond in _conjuncts(params.generators[0].ifs):
            if no_decay_test(facts, cond, group):
                return f"its params keep `{_short(cond)}`"
    for _, test, truth in facts.branches(group):
        found = no_decay_test(facts, test, group)
        if found is not None and found == truth:
            return f"it is built under `if {_short(test)}`" + ("" if truth else " (else)")
    if isinstance(params, ast.Name):
        return _bias_list(facts, params.id, group)
    return None


def _bias_list(facts: Facts, name: str, at: ast.AST) -> str | None:
    """What list `name` collects when every way it is filled adds parameters that must not decay:
    ``.bias`` attributes (``biases.append(m.bias)``), the second parameter of a layer an
    ``isinstance`` test shows to be a convolution or linear layer (``ps = list(m.parameters())``
    ... ``ps[1]``, its bias), or the parameters of a layer an ``isinstance`` test shows to be a
    normalization layer (``bn.extend(list(m.parameters()))``); None otherwise."""
    scope = facts.function_of(at)
    fills = [
        c
        for c in facts.calls
        if isinstance(c.func, ast.Attribute)
        and dotted(c.func.value) == name
        and facts.function_of(c) is scope
    ]
    if not fills:
        return None
    kinds: set[str] = set()
    for c in fills:
        attr = c.func.attr  # type: ignore[attr-defined]
        if attr not in ("append", "extend") or len(c.args) != 1 or c.keywords:
            return None
        kind = _no_decay_fill(facts, c.args[0], c, attr == "extend")
        if kind is None:
            return None
        kinds.add(kind)
    if any(
        isinstance(a, ast.AugAssign) and dotted(a.target) == name and facts.function_of(a) is scope
        for a in facts.assigns
    ):
        return None
    what = " and ".join(k for k in ("biases", "normalization parameters") if k in kinds)
    return f"`{name}` collects the modules' {what}"


_LAYERS_WITH_BIAS = ("Conv", "Linear")


def _no_decay_fill(facts: Facts, value: ast.expr, at: ast.Call, many: bool) -> str | None:
    """ "biases" or "normalization parameters" when `value` (what an ``append``, or with `many`
    an ``extend``, adds) is such a parameter or all of a normalization layer's; else None."""
    if isinstance(value, ast.Call) and call_name(value) == "list" and len(value.args) == 1:
        value = value.args[0]
    if not many and isinstance(value, ast.Attribute) and value.attr == "bias":
        return "biases"
    if many and isinstance(value, ast.Call) and call_name(value) == "parameters":
        module = value.func.value if isinstance(value.func, ast.Attribute) else None
        if module is not None and _isinstance_of(facts, module, at, _NORM_LAYERS):
            return "normalization parameters"
        return None
    if (
        not many
        and isinstance(value, ast.Attribute)
        and value.attr == "weight"
        and _isinstance_of(facts, value.value, at, _NORM_LAYERS)
    ):
        return "normalization parameters"
    if (
        not many
        and isinstance(value, ast.Subscript)
        and isinstance(value.value, ast.Name)
        and isinstance(value.slice, ast.Constant)
        and value.slice.value == 1
    ):
        # ``ps = list(m.parameters())`` ... ``ps[1]``: a conv / linear layer's bias
        bound = facts.local_value(value.value.id, at)
        if isinstance(bound, ast.Call) and call_name(bound) == "list" and len(bound.args) == 1:
            bound = bound.args[0]
        if (
            isinstance(bound, ast.Call)
            and call_name(bound) == "parameters"
            and isinstance(bound.func, ast.Attribute)
            and _isinstance_of(facts, bound.func.value, at, _LAYERS_WITH_BIAS)
        ):
            return "biases"
    return None


_NORM_LAYERS = ("Norm",)


def _isinstance_of(facts: Facts, module: ast.expr, at: ast.AST, words: tuple[str, ...]) -> bool:
    """`at` runs only under ``isinstance(module, T)`` where every class T names contains one of
    `words` (``(nn.BatchNorm2d, nn.BatchNorm3d)``; a name bound to such a tuple)."""
    target = dotted(module)
    if target is None:
        return False
    for _, test, truth in facts.branches(at):
        if not (
            truth
            and isinstance(test, ast.Call)
            and call_name(test) == "isinstance"
            and len(test.args) == 2
            and dotted(test.args[0]) == target
        ):
            continue
        kinds = test.args[1]
        if isinstance(kinds, ast.Name):
            kinds = facts.local_value(kinds.id, test) or kinds
        elts = kinds.elts if isinstance(kinds, (ast.Tuple, ast.List)) else [kinds]
        names = [dotted(e) for e in elts]
        if names and all(n is not None and any(w in n for w in words) for n in names):
            return True
    return False


def built_groups(facts: Facts, params: ast.expr | None, at: ast.AST) -> list[ast.Dict]:
    """Param-group dicts appended to the list an optimizer is given, in the function that builds
    it: ``groups += [{...}]``, ``groups.append({...})`` (often inside a loop over parameters)."""
    if not isinstance(params, ast.Name):
        return []
    scope = facts.function_of(at)
    out: list[ast.Dict] = []
    for node in facts.assigns:
        if (
            isinstance(node, ast.AugAssign)
            and dotted(node.target) == params.id
            and facts.function_of(node) is scope
            and isinstance(node.value, (ast.List, ast.Tuple))
        ):
            out += [g for e in node.value.elts if (g := as_group(facts, e)) is not None]
    for c in facts.calls:
        if (
            call_name(c) == "append"
            and isinstance(c.func, ast.Attribute)
            and dotted(c.func.value) == params.id
            and facts.function_of(c) is scope
            and c.args
            and (group := as_group(facts, c.args[0])) is not None
        ):
            out.append(group)
    return out


def _short(node: ast.AST) -> str:
    return short(node, 50)


# -- splits that keep only the biases out of decay ----------------------------------------------

_OTHER_NO_DECAY = ("norm", "bn", "ln", "embed", "gamma", "beta", "scale", "1d", "ndim")


def _bias_words(facts: Facts, node: ast.AST, at: ast.AST) -> bool:
    """`node` (or the list a name is bound to) names biases and nothing else that must not
    decay: ``"bias"``, ``["bias"]``, ``(".bias",)``."""
    if isinstance(node, ast.Name):
        bound = name_list(facts, node.id, at)
        if bound is None:
            return False
        node = bound
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value.lower()
        return "bias" in text and not any(w in text for w in _OTHER_NO_DECAY)
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)) and node.elts:
        return all(_bias_words(facts, e, at) for e in node.elts)
    return False


def _weight_word(node: ast.expr) -> bool:
    """`node` is the literal ``"weight"`` or ``".weight"``."""
    return isinstance(node, ast.Constant) and node.value in ("weight", ".weight")


def _bias_test(facts: Facts, test: ast.expr, at: ast.AST) -> bool | None:
    """True when `test` holds exactly for biases (``"bias" in name``, ``name.endswith(".bias")``,
    ``any(nd in n for nd in ["bias"])``), False for its negation or for a test that holds for the
    weights (``name.endswith("weight")``, ``"weight" in name``: a torch layer names its parameters
    ``weight`` and ``bias``, so the weights are every parameter but the biases, the norm gains and
    embedding tables included), None for any other test."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = _bias_test(facts, test.operand, at)
        return None if inner is None else not inner
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        op = test.ops[0]
        if isinstance(op, (ast.In, ast.NotIn)) and _bias_words(facts, test.left, at):
            return isinstance(op, ast.In)
        if isinstance(op, (ast.In, ast.NotIn)) and _weight_word(test.left):
            return isinstance(op, ast.NotIn)
        right = test.comparators[0]
        if (
            isinstance(op, (ast.Eq, ast.NotEq))
            and isinstance(right, ast.Constant)
            and right.value == "bias"
        ):
            return isinstance(op, ast.Eq)  # the local name under named_parameters(recurse=False)
        return None
    if (
        isinstance(test, ast.Call)
        and call_name(test) == "endswith"
        and len(test.args) == 1
        and _weight_word(test.args[0])
    ):
        return False
    if isinstance(test, ast.Call) and call_name(test) in ("endswith", "startswith") and test.args:
        return True if _bias_words(facts, test.args[0], at) else None
    if isinstance(test, ast.Call) and call_name(test) == "any" and len(test.args) == 1:
        gen = test.args[0]
        if isinstance(gen, ast.GeneratorExp) and isinstance(gen.elt, ast.Compare):
            op = gen.elt.ops[0]
            if isinstance(op, ast.In) and _bias_words(facts, gen.generators[0].iter, at):
                return True
    return None


_CASED_NORM = "LayerNorm"


def _cased_norm_split(facts: Facts, ifs: list[ast.expr], at: ast.AST) -> bool:
    """The filter keeps out names that contain a word of a no-decay list which names the norms
    only as ``LayerNorm`` (``["bias", "LayerNorm.weight"]``, matched case-sensitively: BERT's
    naming), and otherwise only leaves out names of another list that names no norm (LoRA
    weights); the parameters left include every norm named otherwise."""
    found = False
    for t in _conjuncts(ifs):
        if isinstance(t, ast.Attribute) and t.attr == "requires_grad":
            continue
        if not (isinstance(t, ast.UnaryOp) and isinstance(t.op, ast.Not)):
            return False
        gen = t.operand.args[0] if isinstance(t.operand, ast.Call) and t.operand.args else None
        if not (
            isinstance(t.operand, ast.Call)
            and call_name(t.operand) == "any"
            and isinstance(gen, ast.GeneratorExp)
            and isinstance(gen.elt, ast.Compare)
            and isinstance(gen.elt.ops[0], ast.In)
        ):
            return False
        words = gen.generators[0].iter
        if isinstance(words, ast.Name):
            words = name_list(facts, words.id, at) or words
        if not isinstance(words, (ast.List, ast.Tuple, ast.Set)) or not all(
            isinstance(w, ast.Constant) and isinstance(w.value, str) for w in words.elts
        ):
            return False
        texts = [w.value for w in words.elts]  # type: ignore[attr-defined]
        norms = [w for w in texts if any(n in w.lower() for n in _OTHER_NO_DECAY)]
        if not norms:
            continue  # another split (LoRA weights): the norms stay on this side
        if found or not all(_CASED_NORM in w for w in norms):
            return False
        if not any("bias" in w for w in texts):
            return False
        found = True
    return found


def _named_parameters_of(node: ast.AST | None) -> ast.expr | None:
    """The model of ``M.named_parameters()``."""
    if (
        isinstance(node, ast.Call)
        and call_name(node) == "named_parameters"
        and isinstance(node.func, ast.Attribute)
    ):
        return node.func.value
    return None


def _appended_side(facts: Facts, name: str, at: ast.AST) -> tuple[bool, ast.expr] | None:
    """For a list filled in a loop over ``M.named_parameters()`` split by a bias test
    (``(bias_p if "bias" in n else weight_p).append(p)``, or ``if "bias" in n: ... else: ...``):
    (whether it holds the biases, M); None when it is filled any other way."""
    scope = facts.function_of(at)
    side: bool | None = None
    model: ast.expr | None = None
    for c in facts.calls:
        if call_name(c) != "append" or facts.function_of(c) is not scope:
            continue
        target = c.func.value if isinstance(c.func, ast.Attribute) else None
        this: bool | None = None
        if isinstance(target, ast.IfExp):
            which = [dotted(target.body), dotted(target.orelse)]
            if name not in which:
                continue
            found = _bias_test(facts, target.test, c)
            if found is None:
                return None
            this = found if which[0] == name else not found
        elif target is not None and dotted(target) == name:
            loop = facts.enclosing(c, (ast.For,))
            for if_node, test, truth in facts.branches(c):
                if isinstance(loop, ast.For) and not _within(facts, if_node, loop):
                    break
                if _grad_test(test):
                    continue
                found = _bias_test(facts, test, c)
                if found is None or this is not None:
                    return None  # another test (or a second one) narrows the list further
                this = found == truth
            if this is None:
                return None
        else:
            continue
        loop = facts.enclosing(c, (ast.For,))
        m = loop_model(facts, loop) if isinstance(loop, ast.For) else None
        if m is None or (side is not None and side != this) or not _plain_loop(loop):
            return None
        side, model = this, m
    return None if side is None or model is None else (side, model)


def _within(facts: Facts, node: ast.AST, loop: ast.AST) -> bool:
    p = facts.parents.get(node)
    while p is not None:
        if p is loop:
            return True
        p = facts.parents.get(p)
    return False


def _grad_test(test: ast.expr) -> bool:
    while isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test = test.operand
    return isinstance(test, ast.Attribute) and test.attr == "requires_grad"


def _plain_loop(loop: ast.AST | None) -> bool:
    """No ``continue``/``break`` in `loop`'s body other than ``if not p.requires_grad: continue``
    (a skip on any other test would narrow the lists)."""
    for stmt in getattr(loop, "body", []):
        if (
            isinstance(stmt, ast.If)
            and _grad_test(stmt.test)
            and len(stmt.body) == 1
            and isinstance(stmt.body[0], ast.Continue)
            and not stmt.orelse
        ):
            continue
        if any(isinstance(n, (ast.Continue, ast.Break)) for n in walk(stmt)):
            return False
    return True


def loop_model(facts: Facts, loop: ast.For) -> ast.expr | None:
    """The model whose parameters `loop` visits: ``M.named_parameters()``, or
    ``m.named_parameters(recurse=False)`` inside ``for m in M.modules()`` (or ``for name, m in
    M.named_modules()``), each parameter once."""
    it = loop.iter
    if not (
        isinstance(it, ast.Call)
        and call_name(it) == "named_parameters"
        and isinstance(it.func, ast.Attribute)
    ):
        return None
    recurse = kwarg(it, "recurse")
    if recurse is None:
        return None if it.args else it.func.value
    if not (isinstance(recurse, ast.Constant) and recurse.value is False):
        return None
    outer = facts.enclosing(loop, (ast.For,))
    module = dotted(it.func.value)
    if not isinstance(outer, ast.For) or module is None or not isinstance(outer.iter, ast.Call):
        return None
    kind = call_name(outer.iter)
    target = outer.target
    if kind == "named_modules" and isinstance(target, ast.Tuple) and len(target.elts) == 2:
        target = target.elts[1]
    if kind not in ("modules", "named_modules") or dotted(target) != module:
        return None
    if not isinstance(outer.iter.func, ast.Attribute) or outer.iter.args or outer.iter.keywords:
        return None
    return outer.iter.func.value


def bias_split(facts: Facts, params: ast.expr | None, at: ast.AST) -> tuple[str, ast.expr] | None:
    """How a param group's ``params`` come from a split that keeps only the biases apart:
    ``("no-bias", M)`` for the parameters of M but its biases, ``("all", M)`` for both sides put
    back together (``weight_p + bias_p``); None for anything else."""
    if isinstance(params, (ast.ListComp, ast.GeneratorExp)) and len(params.generators) == 1:
        gen = params.generators[0]
        model = _named_parameters_of(gen.iter)
        tests = [
            _bias_test(facts, t, params)
            for t in _conjuncts(gen.ifs)
            if not (isinstance(t, ast.Attribute) and t.attr == "requires_grad")
        ]
        if model is not None and tests and all(t is False for t in tests):
            return "no-bias", model
        if model is not None and _cased_norm_split(facts, gen.ifs, params):
            return "cased-norm", model
        return None
    if isinstance(params, ast.Name):
        found = _appended_side(facts, params.id, at)
        if found is not None and not found[0]:
            return "no-bias", found[1]
        return None
    if isinstance(params, ast.BinOp) and isinstance(params.op, ast.Add):
        left, right = params.left, params.right
        if isinstance(left, ast.Name) and isinstance(right, ast.Name):
            a = _appended_side(facts, left.id, at)
            b = _appended_side(facts, right.id, at)
            if a and b and a[0] != b[0] and ast.dump(a[1]) == ast.dump(b[1]):
                return "all", a[1]
    return None


def holds_norm_or_embedding(facts: Facts, model: ast.expr, at: ast.AST) -> bool:
    """False only when the model's class is visible and registers no normalization layer, no
    embedding and no 1-D parameter (its biases aside)."""
    cls = _model_class(facts, model, at)
    return True if cls is None else _class_has_norm(cls[0], cls[1], 0)


def _class_has_norm(facts: Facts, cls: ast.ClassDef, depth: int) -> bool:
    if depth > 4:
        return True
    for base in cls.bases:
        if (dotted(base) or "").rsplit(".", 1)[-1] == "Module":
            continue
        parent = class_of_call(facts, ast.Call(func=base, args=[], keywords=[]))
        if parent is None or _class_has_norm(parent[0], parent[1], depth + 1):
            return True
    init = next(
        (s for s in cls.body if isinstance(s, ast.FunctionDef) and s.name == "__init__"), None
    )
    for node in walk(init) if init is not None else ():
        if isinstance(node, ast.Call) and call_name(node) in ("register_parameter", "setattr"):
            return True
        if (
            isinstance(node, ast.Assign)
            and any(_is_self_attr(t) for t in node.targets)
            and _value_has_norm(facts, node.value, depth)
        ):
            return True
    return False


def _value_has_norm(facts: Facts, value: ast.expr, depth: int) -> bool:
    if isinstance(value, (ast.Constant, ast.Name, ast.Attribute)):
        return False
    if isinstance(value, (ast.List, ast.Tuple)):
        return any(_value_has_norm(facts, e, depth) for e in value.elts)
    if isinstance(value, (ast.ListComp, ast.GeneratorExp)):
        return _value_has_norm(facts, value.elt, depth)
    if not isinstance(value, ast.Call):
        return True
    name = call_name(value)
    if "Norm" in name or "Embed" in name:
        return True
    if name in _FREE or name in _BIASED:
        return False
    if name in ("Sequential", "ModuleList", "ModuleDict"):
        return any(_value_has_norm(facts, a, depth) for a in value.args) or bool(value.keywords)
    if name == "Parameter":
        tensor = value.args[0] if value.args else kwarg(value, "data")
        return not _matrix(tensor)
    found = class_of_call(facts, value)
    return True if found is None else _class_has_norm(found[0], found[1], depth + 1)


_WRAPPERS = frozenset(
    ("compile", "DistributedDataParallel", "DDP", "DataParallel", "FSDP", "to", "cuda")
)


def norm_named_otherwise(facts: Facts, model: ast.expr, at: ast.AST) -> str | None:
    """The attribute name of a normalization layer of `model` that does not contain
    ``LayerNorm`` (``layer_norm_1``), when every construction `model` may hold (through the
    callers of a helper, ``torch.compile`` / DDP wrappers and ``.module``) builds one class of
    the tree that registers it; None when not visible."""
    found: tuple[Facts, ast.ClassDef] | None = None
    for owner, call in builds(facts, model):
        if call_name(call) in _WRAPPERS:
            continue  # the wrapped model is among the constructions too
        cls = class_of_call(owner, call)
        if cls is None or (found is not None and found[1] is not cls[1]):
            return None
        found = cls
    return None if found is None else _norm_attribute(found[0], found[1], 0)


def _norm_attribute(facts: Facts, cls: ast.ClassDef, depth: int) -> str | None:
    if depth > 3:
        return None
    init = next(
        (s for s in cls.body if isinstance(s, ast.FunctionDef) and s.name == "__init__"), None
    )
    for node in walk(init) if init is not None else ():
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            continue
        target = node.targets[0]
        if not _is_self_attr(target):
            continue
        for c in ast.walk(node.value):
            if not isinstance(c, ast.Call):
                continue
            name = call_name(c)
            if name in ("LayerNorm", "RMSNorm", "GroupNorm") or name.startswith("BatchNorm"):
                if "LayerNorm" not in target.attr:  # type: ignore[attr-defined]
                    return target.attr  # type: ignore[attr-defined]
                continue
            sub = class_of_call(facts, c)
            if sub is not None:
                inner = _norm_attribute(sub[0], sub[1], depth + 1)
                if inner is not None:
                    return inner
    return None


# -- what a visible model holds that should not decay, by kind ----------------------------------

_KIND_ORDER = ("biases", "normalization weights", "embeddings", "1-D parameters")


def no_decay_kinds(facts: Facts, models: list[ast.expr], at: ast.AST) -> list[str] | None:
    """The kinds of parameters that should not decay which the models' visible classes register
    (``["biases"]`` for a class of ``nn.Linear`` layers and nothing else), in a fixed order; None
    when some model's class (or something it builds) cannot be read, so that a message never
    claims a kind the model does not have."""
    found: set[str] = set()
    for model in models:
        cls = _model_class(facts, model, at)
        if cls is None or not _class_kinds(cls[0], cls[1], 0, found):
            return None
    return [k for k in _KIND_ORDER if k in found]


def _class_kinds(facts: Facts, cls: ast.ClassDef, depth: int, out: set[str]) -> bool:
    """Add to `out` what `cls` registers; False when something cannot be read."""
    if depth > 4:
        return False
    for base in cls.bases:
        if (dotted(base) or "").rsplit(".", 1)[-1] == "Module":
            continue
        parent = class_of_call(facts, ast.Call(func=base, args=[], keywords=[]))
        if parent is None or not _class_kinds(parent[0], parent[1], depth + 1, out):
            return False
    init = next(
        (s for s in cls.body if isinstance(s, ast.FunctionDef) and s.name == "__init__"), None
    )
    for node in walk(init) if init is not None else ():
        if isinstance(node, ast.Call) and call_name(node) in (
            "register_parameter",
            "add_module",
            "setattr",
            "register_module",
        ):
            return False
        if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if any(_is_self_attr(t) for t in targets) and not _value_kinds(
            facts, node.value, depth, out
        ):
            return False
    return True


def _value_kinds(facts: Facts, value: ast.expr, depth: int, out: set[str]) -> bool:
    if isinstance(value, (ast.Constant, ast.Name, ast.Attribute)):
        return True
    if isinstance(value, (ast.List, ast.Tuple)):
        return all(_value_kinds(facts, e, depth, out) for e in value.elts)
    if isinstance(value, (ast.ListComp, ast.GeneratorExp)):
        return _value_kinds(facts, value.elt, depth, out)
    if isinstance(value, ast.IfExp):
        return _value_kinds(facts, value.body, depth, out) and _value_kinds(
            facts, value.orelse, depth, out
        )
    if isinstance(value, ast.BinOp):
        return _value_kinds(facts, value.left, depth, out) and _value_kinds(
            facts, value.right, depth, out
        )
    if not isinstance(value, ast.Call):
        return False
    name = call_name(value)
    if name in _FREE:
        return True
    if name in _BIASED:
        flag = kwarg(value, "bias")
        if not (isinstance(flag, ast.Constant) and flag.value is False):
            out.add("biases")
        return True
    if "Norm" in name:
        out.add("normalization weights")
        return True
    if "Embed" in name:
        out.add("embeddings")
        return True
    if name in ("Sequential", "ModuleList") and not value.keywords:
        return all(_value_kinds(facts, a, depth, out) for a in value.args)
    if name == "Parameter":
        tensor = value.args[0] if value.args else kwarg(value, "data")
        if not _matrix(tensor):
            out.add("1-D parameters")
        return True
    found = class_of_call(facts, value)
    return found is not None and _class_kinds(found[0], found[1], depth + 1, out)

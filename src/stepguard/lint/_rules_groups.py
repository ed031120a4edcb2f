"""SG102 (decay on parameters that must not decay), read from how the param groups are built.

An optimizer decays the biases and normalization/embedding weights of a model when a group with
``weight_decay > 0`` holds them: every parameter of the model (``model.parameters()``, all
named parameters, a requires-grad filter), every parameter of a submodule
(``dict(params=model.conv1.parameters(), weight_decay=5e-4)``), a group whose filter keeps
exactly the no-decay parameters, or one that keeps only the biases out (``"bias" in name``),
leaving the normalization and embedding weights in. Silent when only adapters are trainable or
the model visibly holds no such parameter (`stepguard.lint._models`).
"""

from __future__ import annotations

import ast
import dataclasses
import os
import re
from collections.abc import Callable

from stepguard.lint._activity import branch_conditions
from stepguard.lint._base import Condition, Violation, violation
from stepguard.lint._config_builds import decay_builds, explain_config_builds
from stepguard.lint._embeddings import (
    Embeddings,
    embeddings_held,
    hf_norm_naming,
    imports_hf_library,
    model_unseen,
    names_embedding,
    transformers_model,
)
from stepguard.lint._facts import OptimizerChoice, method_of
from stepguard.lint._models import (
    attribute_parameters,
    bias_split,
    built_groups,
    freezes_other_modules,
    holds_no_decay_parameters,
    holds_norm_or_embedding,
    loop_model,
    model_class_seen,
    name_list,
    no_decay_kinds,
    norm_named_otherwise,
    only_adapters_trainable,
    peft_gate,
    peft_trains_more,
    reaching_value,
    selects_no_decay,
)
from stepguard.lint._nodes import FuncDef
from stepguard.lint._objects import callee, callers, calls_of, class_of_call, passed_argument
from stepguard.lint._rules_decay import (
    _data,
    _default_note,
    _known,
    _unknown,
    _wd_text,
    _who,
    call_text,
    choice_condition,
    decay_condition,
)
from stepguard.lint._scan import Facts, call_name, dotted, kwarg, short, walk
from stepguard.lint._timm_decay import split_without_skip, timm_split_call, wrapped_skip_list
from stepguard.lint._values import (
    Decay,
    added_groups,
    as_group,
    assigned_values,
    decay_alternatives,
    decay_value,
    default_decay,
    dict_get,
    group_alternatives,
    group_dicts,
    params_arg,
    returned_lists,
    switched_decay,
    weight_decay_arg,
)

__all__ = ["check_sg102"]


def _shown_decay(node: ast.expr, value: object) -> str:
    """A weight decay as a message shows it: the number when it is known, else the expression with
    the condition under which the finding bites."""
    return f"{value:g}" if isinstance(value, float) else f"`{short(node, 40)}` (if it is > 0)"


def _shown_parameters(facts: Facts, model: ast.expr) -> str:
    """``model.parameters()``; for a loop variable (``for module in modules_new:
    groups.append(dict(params=module.parameters(), ...))``) the modules it runs over."""
    node: ast.AST | None = model
    if isinstance(model, ast.Name):
        while node is not None:
            node = facts.parents.get(node)
            if (
                isinstance(node, (ast.For, ast.AsyncFor))
                and isinstance(node.target, ast.Name)
                and node.target.id == model.id
            ):
                return f"each `{model.id}.parameters()` of `{short(node.iter, 40)}`"
    return f"{short(model, 40)}.parameters()"


def _all_parameters(facts: Facts, node: ast.expr | None, depth: int = 0) -> list[ast.expr] | None:
    """The models whose parameters `node` lists without any filter by name or shape, else None.

    ``model.parameters()``, ``list(model.parameters())``, ``filter(lambda p: p.requires_grad,
    model.parameters())``, ``[p for n, p in model.named_parameters()]`` (no ``if``; the element
    may be a copy such as ``p.detach().clone().float()``), ``itertools.chain(a.parameters(),
    b.parameters())``, either side of ``x if cond else y``, or a name bound to one of these (in
    any branch).
    """
    if node is None or depth > 6:
        return None
    if isinstance(node, ast.Name):
        for value in assigned_values(facts, node.id, node):
            found = _all_parameters(facts, value, depth + 1)
            if found:
                return found
        return _extended_parameters(facts, node, depth) or _passed_parameters(facts, node, depth)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        # `list(a.parameters()) + list(b.parameters())`
        left = _all_parameters(facts, node.left, depth + 1)
        right = _all_parameters(facts, node.right, depth + 1) if left else None
        return [*left, *right] if left and right else None
    if isinstance(node, ast.Attribute) and dotted(node.value) == "self":
        # `self.master_params = self.model_params`, `self.model_params = list(m.parameters())`
        cls = facts.class_of(node)
        for value in _attribute_values(facts, cls, f"self.{node.attr}"):
            found = _all_parameters(facts, value, depth + 1)
            if found:
                return found
        return None
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        # `model.params2`, the model's class listing `list(self.fcs.parameters())` in __init__
        return attribute_parameters(facts, node, node)
    if isinstance(node, ast.IfExp):
        return _all_parameters(facts, node.body, depth + 1) or _all_parameters(
            facts, node.orelse, depth + 1
        )
    if isinstance(node, ast.Call):
        name = call_name(node)
        if (
            name in ("parameters", "named_parameters")
            and isinstance(node.func, ast.Attribute)
            and not node.args
        ):
            # torch >= 2.3 optimizers take ``model.named_parameters()`` as well
            return [node.func.value]
        if name in ("list", "tuple") and len(node.args) == 1:
            return _all_parameters(facts, node.args[0], depth + 1)
        if name == "filter" and len(node.args) == 2 and _requires_grad_only(node.args[0]):
            return _all_parameters(facts, node.args[1], depth + 1)
        if name == "chain" and node.args:
            parts = [_all_parameters(facts, a, depth + 1) for a in node.args]
            if all(parts):
                return [m for part in parts if part for m in part]
        return _returned_parameters(facts, node, depth)
    if isinstance(node, (ast.ListComp, ast.GeneratorExp)) and len(node.generators) == 1:
        rest = _all_but_linear_weights(facts, node)
        if rest is not None:
            return [rest]
        gen = node.generators[0]
        it = gen.iter
        if (
            isinstance(it, ast.Call)
            and call_name(it) in ("parameters", "named_parameters")
            and all(_requires_grad_only_test(c) for c in gen.ifs)
            and isinstance(it.func, ast.Attribute)
            and _copy_of_target(node.elt, gen.target)
        ):
            return [it.func.value]
    return None


def _all_but_linear_weights(facts: Facts, node: ast.ListComp | ast.GeneratorExp) -> ast.expr | None:
    """M for ``[p for p in M.parameters() if id(p) not in ids]`` where ``ids = [id(p) for p in
    picked]`` and ``picked`` gets only ``module.weight`` of ``nn.Linear`` modules of M (GaLore's
    ``regular_params``): every parameter of M but some weight matrices, so all its biases,
    normalization and embedding weights."""
    gen = node.generators[0]
    it = gen.iter
    if not (
        isinstance(it, ast.Call)
        and call_name(it) == "parameters"
        and isinstance(it.func, ast.Attribute)
        and isinstance(gen.target, ast.Name)
        and len(gen.ifs) == 1
    ):
        return None
    test = gen.ifs[0]
    if not (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.NotIn)
        and isinstance(test.left, ast.Call)
        and call_name(test.left) == "id"
        and isinstance(test.comparators[0], ast.Name)
    ):
        return None
    bound = assigned_values(facts, test.comparators[0].id, node)
    ids = bound[0] if len(bound) == 1 else None
    if not (
        isinstance(ids, (ast.ListComp, ast.SetComp))
        and len(ids.generators) == 1
        and isinstance(ids.elt, ast.Call)
        and call_name(ids.elt) == "id"
        and isinstance(ids.generators[0].iter, ast.Name)
    ):
        return None
    picked = ids.generators[0].iter.id
    scope = facts.function_of(node)
    adds = [
        c
        for c in facts.calls
        if isinstance(c.func, ast.Attribute)
        and isinstance(c.func.value, ast.Name)
        and c.func.value.id == picked
        and facts.function_of(c) is scope
    ]
    if not adds:
        return None
    for c in adds:
        if not (
            isinstance(c.func, ast.Attribute)
            and c.func.attr == "append"
            and len(c.args) == 1
            and isinstance(c.args[0], ast.Attribute)
            and c.args[0].attr == "weight"
        ):
            return None
        owner = dotted(c.args[0].value)
        guard = facts.parents.get(facts.parents.get(c) or c)
        linear = isinstance(guard, ast.If) and any(
            isinstance(n, ast.Call)
            and call_name(n) == "isinstance"
            and len(n.args) == 2
            and dotted(n.args[0]) == owner
            and (dotted(n.args[1]) or "").rsplit(".", 1)[-1] == "Linear"
            for n in walk(guard.test)
        )
        if not linear:
            return None
    return it.func.value


def _returned_parameters(facts: Facts, call: ast.Call, depth: int) -> list[ast.expr] | None:
    """The models whose parameters a helper of the file or tree returns (``params =
    get_learnable_params(cfg, encoder, llm)`` where the helper builds ``params = []`` and adds
    ``list(encoder.parameters())`` under flags): every ``return`` of it must list whole models.
    The models are read in the helper's file."""
    found = callee(facts, call, training=False)
    if found is None:
        return None
    hf, func = found
    returns = [
        n.value
        for n in walk(func)
        if isinstance(n, ast.Return) and n.value is not None and hf.function_of(n) is func
    ]
    out: list[ast.expr] = []
    for r in returns:
        part = _all_parameters(hf, r, depth + 1)
        if not part:
            return None
        out += part
    return out or None


def _extended_parameters(facts: Facts, node: ast.Name, depth: int) -> list[ast.expr] | None:
    """The modules whose parameters a list built up in place holds: ``params =
    list(a.parameters())`` then ``params += list(b.parameters())`` (or ``params.extend(...)``),
    in the same function; None when any change of the name is something else."""
    scope = facts.function_of(node)
    found: list[ast.expr] = []
    for a in facts.assigns:
        if facts.function_of(a) is not scope:
            continue
        if isinstance(a, ast.AugAssign):
            if not (isinstance(a.target, ast.Name) and a.target.id == node.id):
                continue
            if not isinstance(a.op, ast.Add):
                return None
            value: ast.expr | None = a.value
        elif isinstance(a, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == node.id for t in a.targets
        ):
            value = a.value
        else:
            continue
        if isinstance(value, ast.List) and not value.elts:
            continue  # `params = []`, filled below
        part = _all_parameters(facts, value, depth + 1)
        if not part:
            return None
        found += part
    for c in facts.calls:
        f = c.func
        if (
            isinstance(f, ast.Attribute)
            and isinstance(f.value, ast.Name)
            and f.value.id == node.id
            and f.attr in ("append", "extend", "insert")
            and facts.function_of(c) is scope
        ):
            part = (
                _all_parameters(facts, c.args[0], depth + 1)
                if f.attr == "extend" and c.args
                else None
            )
            if not part:
                return None
            found += part
    return found or None


def _passed_parameters(facts: Facts, node: ast.Name, depth: int) -> list[ast.expr] | None:
    """The models whose parameters every same-file caller passes for the parameter `node` of the
    function around it (``def build(cfg, params): AdamW(params, ...)`` called as ``build(cfg,
    params=model.parameters())``); None when a caller passes anything else or there is none."""
    scope = facts.function_of(node)
    if not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    args = scope.args
    pos = [a.arg for a in (*args.posonlyargs, *args.args)]
    if node.id not in pos + [a.arg for a in args.kwonlyargs]:
        return None
    if any(facts.function_of(a) is scope for a in facts._assignments_of(node.id)):
        return None
    found: list[ast.expr] = []
    calls = [(facts, c) for c in calls_of(facts, scope)] or _dynamic_callers(facts, scope)
    if not calls and facts.class_of(scope) is None:
        # a module-level helper called from other files of the tree (``from train import
        # get_optimizer(...)`` ... ``get_optimizer(configs, params=model.parameters())``)
        calls = [(cf, c) for cf, c in callers(facts, scope) if cf is not facts]
    for cf, c in calls:
        i = pos.index(node.id) if node.id in pos else len(c.args)
        passed = (
            c.args[i]
            if i < len(c.args) and not any(isinstance(a, ast.Starred) for a in c.args[: i + 1])
            else passed_argument(c, scope, node.id, pos)
        )  # a positional argument is visible even beside a ``**kwargs`` one
        if passed is None or isinstance(passed, ast.Starred):
            return None
        part = _all_parameters(cf, passed, depth + 1)
        if not part:
            return None
        found += part
    return found or None


def _dynamic_callers(facts: Facts, func: FuncDef) -> list[tuple[Facts, ast.Call]]:
    """The calls of a module-level function the tree imports by a module name built at run time
    (``Optimizer = importlib.import_module("graphs.optimizers." + cfg.optimizer)
    .__getattribute__("Optimizer")`` ... ``Optimizer(model.parameters(), **vars(cfg))``): each
    call of the bound name, when the prefix leads to `func`'s module. Project mode only."""
    project = facts.project
    if project is None or facts.function_of(func) is not facts.tree:
        return []
    module = os.path.normpath(facts.path)[:-3].replace(os.sep, ".")
    stem = module.rsplit(".", 1)[-1]
    out: list[tuple[Facts, ast.Call]] = []
    for path in project.files:
        if path == facts.path:
            continue
        text = project.text(path)
        if text is None or "import_module" not in text or func.name not in text:
            continue
        other = project.definitions(path)
        if other is None:
            continue
        for a in other.assigns:
            if not (
                isinstance(a, ast.Assign)
                and len(a.targets) == 1
                and isinstance(a.targets[0], ast.Name)
                and _imported_by_name(a.value, func.name, module, stem)
            ):
                continue
            bound, scope = a.targets[0].id, other.function_of(a)
            out += [
                (other, c)
                for c in other.calls
                if isinstance(c.func, ast.Name)
                and c.func.id == bound
                and other.function_of(c) is scope
            ]
    return out


def _imported_by_name(value: ast.expr, name: str, module: str, stem: str) -> bool:
    """`value` is ``import_module(PREFIX + x).__getattribute__(name)`` (or ``getattr(...,
    name)``) with ``PREFIX + stem`` the end of `module`."""
    if not isinstance(value, ast.Call) or len(value.args) not in (1, 2):
        return False
    if call_name(value) == "__getattribute__" and isinstance(value.func, ast.Attribute):
        holder, attr = value.func.value, value.args[0]
    elif call_name(value) == "getattr" and len(value.args) == 2:
        holder, attr = value.args
    else:
        return False
    if not (isinstance(attr, ast.Constant) and attr.value == name):
        return False
    if not (isinstance(holder, ast.Call) and call_name(holder) == "import_module" and holder.args):
        return False
    arg = holder.args[0]
    prefix: ast.expr | None = None
    if isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Add):
        prefix = arg.left
    elif isinstance(arg, ast.JoinedStr) and arg.values:
        prefix = arg.values[0]
    return (
        isinstance(prefix, ast.Constant)
        and isinstance(prefix.value, str)
        and prefix.value.endswith(".")
        and module.endswith(prefix.value + stem)
    )


def _attribute_values(facts: Facts, cls: ast.ClassDef | None, target: str) -> list[ast.expr]:
    """The values `cls`'s methods assign to the attribute `target` (``self.x``)."""
    if cls is None:
        return []
    return [
        node.value
        for node in facts.assigns
        if isinstance(node, ast.Assign)
        and any(dotted(t) == target for t in node.targets)
        and facts.class_of(node) is cls
    ]


def _copy_of_target(elt: ast.expr, target: ast.expr) -> bool:
    """`elt` is the loop's parameter, or a copy of it (``p.detach().clone().float()``)."""
    names = {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    while isinstance(elt, ast.Call) and isinstance(elt.func, ast.Attribute) and not elt.keywords:
        elt = elt.func.value
    return isinstance(elt, ast.Name) and elt.id in names


def _requires_grad_only(fn: ast.expr) -> bool:
    return isinstance(fn, ast.Lambda) and _requires_grad_only_test(fn.body)


def _requires_grad_only_test(test: ast.expr) -> bool:
    return isinstance(test, ast.Attribute) and test.attr == "requires_grad"


def check_sg102(facts: Facts) -> list[Violation]:
    """SG102: weight_decay > 0 on ``model.parameters()`` (or all named parameters), no no-decay
    group, in some way the file builds the groups; silent when only adapters are trainable or the
    model visibly holds no bias, normalization or embedding parameter (`stepguard.lint._models`)."""
    out = []
    adapters: bool | None = None
    gate = peft_gate(facts)
    if gate is not None:
        adapters = False  # adapters only when the gate is on: reported under it being off
    for call in decay_builds(facts):
        choices = facts.optimizer_choices(call)
        if not choices:
            continue
        cls = " or ".join(dict.fromkeys(c[0] for c in choices))
        picked = _decaying_choice(facts, call, choices, cls)
        if picked is not None:
            cls = picked[0]
        params = params_arg(call, facts)
        alternatives = group_alternatives(facts, params)
        options: list[tuple[list[ast.Dict] | None, list[list[ast.expr] | None]]]
        if alternatives is None:
            options = [(None, [_all_parameters(facts, params)])]
        else:
            options = [
                (g, [_all_parameters(facts, dict_get(d, "params")) for d in g])
                for g in alternatives
            ]
        all_values = decay_alternatives(facts, call, cls)
        if all_values is None or len(all_values) != len(options):
            continue
        for (groups, models), values in zip(options, all_values, strict=True):
            if not values:
                continue
            if any(isinstance(v, float) and v <= 0 for v in values) or any(
                m is None for m in models
            ):
                # Some group without decay, or one the linter cannot read: a group that holds
                # every parameter of some modules and decays them is still SG102.
                found = _whole_module_group(facts, call, cls, groups, models, values)
                if found is None:
                    continue
                if adapters is None:
                    adapters = only_adapters_trainable(facts)
                if adapters:
                    break
                out.append(found)
                break
            if adapters is None:
                adapters = only_adapters_trainable(facts)
            flat = [m for ms in models if ms for m in ms]
            if adapters and not freezes_other_modules(facts, flat):
                break
            if not all(holds_no_decay_parameters(facts, m, call) for m in flat):
                # some groups hold weight matrices only: a group whose modules hold biases or
                # normalization/embedding weights and decays is still SG102
                found = (
                    _whole_module_group(facts, call, cls, groups, models, values)
                    if groups is not None and len(groups) > 1
                    else None
                )
                if found is not None:
                    out.append(found)
                break
            out.append(_sg102(facts, call, cls, values, groups, flat, picked))
            break
        else:
            first = cls.split(" or ")[0]
            found = _no_decay_group(facts, call, first)
            if found is None:
                if adapters is None:
                    adapters = only_adapters_trainable(facts)
                if not adapters:  # the first group shape that reads as decaying what must not
                    found = next(
                        (
                            v
                            for shape in _GROUP_SHAPES
                            if (v := shape(facts, call, first)) is not None
                        ),
                        None,
                    )
            if found is not None:
                out.append(found)
    if "timm" in facts.source:
        out += [v for c in facts.calls if (v := _timm_wrapped(facts, c)) is not None]
    if "deepspeed" in facts.source:
        out += [v for c in facts.calls if (v := _deepspeed_config(facts, c)) is not None]
    if gate is not None:
        off = Condition(short(gate, 50), (gate,), facts, "false", neutral=True)
        note = (
            f"; the model trains whole unless `{short(gate, 50)}` (the only PEFT wrap of the file "
            "is under that test)"
        )
        out = [
            dataclasses.replace(
                v,
                conditions=(*v.conditions, off),
                finding=dataclasses.replace(v.finding, message=v.finding.message + note),
            )
            for v in out
        ]
    if "OptimWrapper" in facts.source:
        out += [v for c in facts.calls if (v := _fastai_bn_wd(facts, c)) is not None]
    if "type=" in facts.source and "model" in facts.source:
        found = _mm_config(facts)
        if found is not None:
            out.append(found)
    return explain_config_builds(facts, out)


def _mm_config(facts: Facts) -> Violation | None:
    """An OpenMMLab (mmcv / mmengine) Python config that defines the model (``model =
    dict(type=...)``) and its optimizer (``optimizer = dict(type="SGD", ..., weight_decay=X)``,
    or ``optim_wrapper = dict(optimizer=dict(...))``) without a ``paramwise_cfg``: the runner builds
    one group over every parameter, so the norms, biases and embeddings decay (``paramwise_cfg=
    dict(norm_decay_mult=0.0, bias_decay_mult=0.0)`` keeps them out). A config with ``_base_``
    files may inherit a ``paramwise_cfg``: nothing is claimed there."""
    top: dict[str, ast.expr] = {}
    for stmt in facts.tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            t = stmt.targets[0]
            if isinstance(t, ast.Name):
                top[t.id] = stmt.value
        elif not isinstance(stmt, (ast.Expr, ast.Import, ast.ImportFrom)):
            return None  # code, not a config
    if "_base_" in top or not _dict_call(top.get("model")):
        return None
    holder = top.get("optim_wrapper")
    opt = top.get("optimizer")
    if _dict_call(holder):
        assert isinstance(holder, ast.Call)
        if kwarg(holder, "paramwise_cfg") is not None or any(
            k.arg is None for k in holder.keywords
        ):
            return None
        opt = kwarg(holder, "optimizer")
    elif holder is not None or "paramwise_cfg" in top:
        return None
    if not _dict_call(opt):
        return None
    assert isinstance(opt, ast.Call)
    if kwarg(opt, "paramwise_cfg") is not None or any(k.arg is None for k in opt.keywords):
        return None
    kind = kwarg(opt, "type")
    node = kwarg(opt, "weight_decay")
    if not (isinstance(kind, ast.Constant) and isinstance(kind.value, str)) or node is None:
        return None
    value = decay_value(facts, node, opt)
    if value is None or (isinstance(value, float) and value <= 0):
        return None
    shown = _shown_decay(node, value)
    message = (
        f"the config's optimizer ({kind.value}, weight_decay={shown}) has no paramwise_cfg: the "
        "runner builds one group over every parameter of the config's model, so its "
        "normalization weights, biases and embeddings decay; add paramwise_cfg=dict("
        "norm_decay_mult=0.0, bias_decay_mult=0.0) (and custom_keys for embeddings)"
    )
    conditions = [Condition("weight_decay", (node,), facts, ">0")]
    return violation(facts, opt, "SG102", message, (), conditions, optimizer=kind.value)


def _dict_call(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict"


def _fastai_bn_wd(facts: Facts, call: ast.Call) -> Violation | None:
    """fastai v1's ``OptimWrapper.create(opt_func, lr, layer_groups, wd=X, true_wd=...,
    bn_wd=True)`` (copied into OpenPCDet, SECOND, Det3D, CenterPoint as ``fastai_optim.py``):
    with ``bn_wd`` true (its default) the BatchNorm weights and biases and every bias are in the
    decayed groups; ``bn_wd=False`` splits them out with no decay."""
    if not (
        call_name(call) == "create"
        and isinstance(call.func, ast.Attribute)
        and (dotted(call.func.value) or "").rsplit(".", 1)[-1] == "OptimWrapper"
    ):
        return None
    bn_wd = kwarg(call, "bn_wd")
    if bn_wd is None and len(call.args) > 6:
        bn_wd = call.args[6]
    if isinstance(bn_wd, ast.Constant) and not bn_wd.value:
        return None
    if bn_wd is not None and not isinstance(bn_wd, ast.Constant):
        return None  # a flag the linter does not follow: nothing claimed
    node = kwarg(call, "wd") or (call.args[3] if len(call.args) > 3 else None)
    if node is None:
        return None  # OptimWrapper.create's own default is wd=0
    value = decay_value(facts, node, call)
    if value is None or (isinstance(value, float) and value <= 0):
        return None
    if only_adapters_trainable(facts):
        return None
    shown = _shown_decay(node, value)
    message = (
        f"OptimWrapper.create(..., wd={shown}, bn_wd={'True' if bn_wd is not None else 'True (its default)'}) "
        "puts the BatchNorm weights and biases and every bias in the decayed groups; pass "
        "bn_wd=False (fastai then gives them weight decay 0), or build the groups with "
        "stepguard.param_groups(model, weight_decay=...)"
    )
    conditions = [Condition("wd", (node,), facts, ">0"), *branch_conditions(facts, call)]
    return violation(facts, call, "SG102", message, (), conditions, optimizer="OptimWrapper")


# -- MAE-style layer-decay groups called without their skip list ---------------------------------

#: Parameter names of a group builder's list of names to keep out of decay.
_SKIP_PARAMS = ("no_weight_decay_list", "skip_list", "no_decay_list", "skip", "no_decay_names")
#: The model is a vision transformer (``models_vit.__dict__[args.model]``, ``vit_base_patch16``).
_VIT = re.compile(r"(?i)(vit|vision_?transformer|deit|beit|mae)")


def _skip_list_omitted(facts: Facts, call: ast.Call, cls: str) -> Violation | None:
    """An optimizer over ``param_groups_lrd(model, wd, ...)`` (MAE / BEiT layer decay), a function
    of the tree whose ``no_weight_decay_list`` defaults to empty and is not passed, when the model
    is a vision transformer: the split keeps only 1-D tensors out, so the ViT's ``cls_token`` and
    ``pos_embed`` (3-D) decay. MAE passes ``model.no_weight_decay()`` there."""
    params = params_arg(call, facts)
    built = facts.local_value(params.id, call) if isinstance(params, ast.Name) else params
    if not isinstance(built, ast.Call) or not built.args:
        return None
    found = callee(facts, built)
    if found is None:
        return None
    hf, func = found
    args = func.args
    pos = [a.arg for a in (*args.posonlyargs, *args.args)]
    defaults = dict(zip(pos[len(pos) - len(args.defaults) :], args.defaults, strict=True))
    skip = next((n for n in _SKIP_PARAMS if n in defaults), None)
    if skip is None or passed_argument(built, func, skip, pos) is not None:
        return None
    default = defaults[skip]
    if not (
        (isinstance(default, ast.Constant) and default.value is None)
        or (isinstance(default, (ast.List, ast.Tuple)) and not default.elts)
    ):
        return None
    if not any(
        isinstance(n, ast.Compare)
        and any(isinstance(o, ast.In) for o in n.ops)
        and any(dotted(c) == skip for c in n.comparators)
        for n in walk(func)
    ):
        return None  # the list is not what keeps names out of decay
    model = built.args[0]
    origin = facts.local_value(model.id, call) if isinstance(model, ast.Name) else model
    if origin is None or not _VIT.search(ast.unparse(origin)):
        return None
    wd_name = pos[1] if len(pos) > 1 else None
    node = passed_argument(built, func, wd_name, pos) if wd_name else None
    if node is None and wd_name in defaults:
        node, owner = defaults[wd_name], hf
    else:
        owner = facts
    if node is None or isinstance(node, ast.Starred):
        return None
    value = decay_value(owner, node, built if owner is facts else node)
    if value is None or (isinstance(value, float) and value <= 0):
        return None
    shown = _shown_decay(node, value)
    message = (
        f"{_who(facts, call)}{cls}(...): its groups come from `{func.name}()`, called without "
        f"`{skip}`: that split keeps only 1-D tensors out of decay, so the vision transformer's "
        f"cls_token and pos_embed (3-D) get weight_decay={shown}; pass "
        f"`{skip}=model.no_weight_decay()` as MAE does (or build the groups with "
        "stepguard.param_groups(model, weight_decay=...))"
    )
    conditions = [Condition("weight_decay", (node,), owner, ">0"), *branch_conditions(facts, call)]
    # reported where the list is missing: the group builder's call
    return violation(facts, built, "SG102", message, (), conditions, call, optimizer=cls)


# -- an optimizer DeepSpeed builds from its config dict -------------------------------------------


def _deepspeed_config(facts: Facts, call: ast.Call) -> Violation | None:
    """``deepspeed.initialize(model=M, model_parameters=M.parameters(), config=CFG)`` without an
    ``optimizer=``, where CFG is a dict of the file (a literal, a name bound to one, or what a
    function of the file returns) whose ``"optimizer"`` entry has ``"params": {"weight_decay": X}``
    with X > 0: DeepSpeed builds that optimizer over one group, every parameter of M."""
    if call_name(call) != "initialize" or not (facts.resolve(call.func) or "").startswith(
        "deepspeed"
    ):
        return None
    if kwarg(call, "optimizer") is not None:
        return None
    model = kwarg(call, "model")
    params = kwarg(call, "model_parameters")
    if params is not None:
        if not (
            isinstance(params, ast.Call)
            and call_name(params) == "parameters"
            and isinstance(params.func, ast.Attribute)
            and not params.args
        ):
            return None
        model = params.func.value
    if model is None:
        return None
    cfg = kwarg(call, "config") or kwarg(call, "config_params")
    found = _config_dict(facts, cfg, call)
    if found is None:
        return None
    owner, config = found
    opt = dict_get(config, "optimizer")
    if not isinstance(opt, ast.Dict):
        return None
    kind = dict_get(opt, "type")
    hyper = dict_get(opt, "params")
    if not (isinstance(kind, ast.Constant) and isinstance(kind.value, str)) or not isinstance(
        hyper, ast.Dict
    ):
        return None
    node = dict_get(hyper, "weight_decay")
    if node is None:
        return None
    value = decay_value(owner, node, hyper)
    if value is None or (isinstance(value, float) and value <= 0):
        return None
    if only_adapters_trainable(facts) or not holds_no_decay_parameters(facts, model, call):
        return None
    kinds = no_decay_kinds(facts, [model], call)
    held = "its " + " and ".join(kinds) if kinds else "biases and normalization/embedding weights"
    shown = _shown_decay(node, value)
    where = f"line {config.lineno}" if owner is facts else f"{owner.path}:{config.lineno}"
    message = (
        f"deepspeed.initialize(...) builds the config's {kind.value} (the dict at {where}: "
        f'"optimizer" params weight_decay={shown}) over one group, every parameter of '
        f"`{short(model, 30)}`, including {held}; pass model_parameters="
        "stepguard.param_groups(model, weight_decay=...) so that they get weight_decay=0.0"
    )
    conditions = [
        Condition("weight_decay", (node,), owner, ">0"),
        *branch_conditions(facts, call),
    ]
    return violation(facts, call, "SG102", message, (), conditions, optimizer=kind.value)


def _config_dict(
    facts: Facts, node: ast.expr | None, at: ast.AST, depth: int = 0
) -> tuple[Facts, ast.Dict] | None:
    """The dict literal `node` holds: itself, a name's single binding, or the one dict a
    function of the file returns (``make_ds_config(cfg)``)."""
    if node is None or depth > 3:
        return None
    if isinstance(node, ast.Dict):
        return facts, node
    if isinstance(node, ast.Name):
        bound = facts.local_value(node.id, at)
        return None if bound is None else _config_dict(facts, bound, bound, depth + 1)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        funcs = facts.functions.get(node.func.id, [])
        if len(funcs) != 1:
            return None
        returned = [
            r.value for r in ast.walk(funcs[0]) if isinstance(r, ast.Return) and r.value is not None
        ]
        if len(returned) == 1:
            return _config_dict(facts, returned[0], returned[0], depth + 1)
    return None


def _timm_split(facts: Facts, call: ast.Call, cls: str) -> Violation | None:
    """An optimizer over timm's ``add_weight_decay(model, wd)`` with no skip list, when the
    model holds a token embedding: the shape rule (``ndim <= 1``) keeps the 2-D table in the
    decayed group (`stepguard.lint._timm_decay`)."""
    split = timm_split_call(facts, params_arg(call, facts))
    if split is None:
        return None
    why = split_without_skip(facts, split)
    wd = split.args[1] if len(split.args) > 1 else kwarg(split, "weight_decay")
    if why is None or wd is None:
        return None
    value = decay_value(facts, wd, split)
    if isinstance(value, float) and value <= 0:
        return None
    shown = _shown_decay(wd, value)
    message = (
        f"{_who(facts, call)}{cls}(...) is given timm's `{short(split.func, 40)}(...)` groups "
        f"(line {split.lineno}), which keep out only tensors of one dimension and the names of a "
        f"skip list, and none is passed; {why}, a 2-D table that gets weight_decay={shown}; "
        "pass skip_list=... naming it, or use stepguard.param_groups(model, weight_decay=...)"
    )
    conditions = [Condition("weight_decay", (wd,), facts, ">0"), *branch_conditions(facts, call)]
    return violation(facts, call, "SG102", message, (), conditions, optimizer=cls)


def _timm_wrapped(facts: Facts, call: ast.Call) -> Violation | None:
    """timm's ``create_optimizer(args, model)`` given the DDP wrapper: it looks for
    ``model.no_weight_decay()``, which the wrapper does not have, so the model's skip list
    (position embeddings, class tokens) is decayed (`stepguard.lint._timm_decay`)."""
    found = wrapped_skip_list(facts, call)
    if found is None:
        return None
    why, under = found
    wd = kwarg(call, "weight_decay")
    if wd is None and call_name(call) == "create_optimizer" and call.args:
        wd = ast.Attribute(
            value=call.args[0],
            attr="weight_decay",
            ctx=ast.Load(),
            lineno=call.lineno,
            col_offset=call.col_offset,
        )
        facts.parents[wd] = call
    if wd is None:
        return None
    value = decay_value(facts, wd, call)
    if isinstance(value, float) and value <= 0:
        return None
    where = f" (under `if {short(under.test, 40)}`)" if under is not None else ""
    message = (
        f"{_who(facts, call)}timm's {call_name(call)}(...) is given the DDP wrapper"
        f"{where}, which has no no_weight_decay(); {why}, and those parameters (of two or more "
        "dimensions) now decay; pass the unwrapped model (model.module, or the model before "
        "wrapping)"
    )
    conditions = [Condition("weight_decay", (wd,), facts, ">0"), *branch_conditions(facts, call)]
    if under is not None:
        conditions.append(
            Condition(short(under.test, 50), (under.test,), facts, "true", neutral=True)
        )
    return violation(facts, call, "SG102", message, (), conditions, optimizer="timm")


def _group_decay(
    facts: Facts, call: ast.Call, cls: str, g: ast.Dict, gfacts: Facts | None = None
) -> tuple[ast.expr, Decay] | None:
    """The weight decay group `g` applies (its own, read where the group is built: `gfacts`'s
    file, maybe a helper; or the optimizer's it inherits) when it may be > 0: (the expression,
    its value); None when it is provably 0."""
    node = dict_get(g, "weight_decay")
    if node is not None:
        value = decay_value(gfacts or facts, node, g)
    else:
        node = weight_decay_arg(call, cls, facts) or ast.Constant(
            value=default_decay(facts, call, cls), lineno=call.lineno, col_offset=call.col_offset
        )
        value = decay_value(facts, node, call)
    if value is None or (isinstance(value, float) and value <= 0):
        return None
    return node, value


def _bias_only_group(
    facts: Facts,
    call: ast.Call,
    cls: str,
    given: list[ast.Dict] | None = None,
    gfacts: Facts | None = None,
    helper: tuple[ast.Call, FuncDef] | None = None,
) -> Violation | None:
    """A decaying param group built by a split that keeps only the biases apart: the model's
    normalization and embedding weights stay in it (``weight_p`` of ``(bias_p if "bias" in n
    else weight_p).append(p)``), or both sides put back together (``weight_p + bias_p``); or a
    split by BERT's norm name (``["bias", "LayerNorm.weight"]``) over a causal language model,
    whose norms are named otherwise (`helper`: the call of the function that builds the groups,
    to see which model it is given)."""
    gf = gfacts or facts
    groups = given if given is not None else _file_groups(facts, call)
    found: list[tuple[int, ast.Dict, str, ast.expr, ast.expr, Decay]] = []
    for g in groups:
        split = bias_split(gf, dict_get(g, "params"), g)
        decay = _group_decay(facts, call, cls, g, gf) if split is not None else None
        if split is None or decay is None:
            continue
        kind, model = split
        at = call if gf is facts else g
        if kind == "no-bias" and holds_norm_or_embedding(gf, model, at):
            found.append((0, g, kind, model, *decay))
        elif kind == "all" and holds_no_decay_parameters(gf, model, at):
            found.append((1, g, kind, model, *decay))
        elif kind == "cased-norm":
            lm = _causal_lm(facts, gf, model, g, helper)
            if lm is not None:
                found.append((2, g, lm, model, *decay))
            else:
                named = norm_named_otherwise(gf, model, at)
                if named is not None:
                    found.append((3, g, f"norm:{named}", model, *decay))
    if not found:
        return None
    _, g, kind, model, node, value = min(found, key=lambda f: f[0])
    shown = _shown_decay(node, value)
    if kind == "no-bias":
        what = (
            f"keeps only the biases of `{short(model, 30)}` out of decay: its normalization and "
            "embedding weights"
        )
    elif kind == "all":
        what = (
            f"puts both sides of the bias split of `{short(model, 30)}` back together: its "
            "biases and normalization/embedding weights"
        )
    elif kind.startswith("norm:"):
        held = embeddings_held(gf, model, call if gf is facts else g)
        what = (
            f"keeps norms out by BERT's name `LayerNorm`, but the class of `{short(model, 30)}` "
            f"names its norms otherwise (`{kind[5:]}`): its normalization weights"
            + (f" and {held.describe()}" if held is not None else "")
        )
    else:
        what = (
            f"keeps norms out by BERT's name `LayerNorm`, but `{short(model, 30)}` is a causal "
            f"language model ({kind}) whose norms are named otherwise (ln_1, ln_f, "
            "input_layernorm, self_attn_layer_norm, final_layer_norm, norm): its normalization "
            "weights and its input embedding tables (the list names no embedding; stepguard.audit "
            "treats embeddings as no-decay)"
        )
    message = (
        f"{_who(facts, call)}{cls}(...): the param group at {_at(facts, gf, g)} {what} get "
        f"weight_decay={shown}; keep them out by role, not by name (stepguard.param_groups(model, "
        "weight_decay=...) puts biases, norms and embeddings in the no-decay group)"
    )
    conditions = [
        Condition("weight_decay", (node,), _facts_of(facts, gf, g, node), ">0"),
        *branch_conditions(facts, call),
    ]
    return violation(facts, call, "SG102", message, (), conditions, g, optimizer=cls)


def _whole_module_group(
    facts: Facts,
    call: ast.Call,
    cls: str,
    groups: list[ast.Dict] | None,
    models: list[list[ast.expr] | None],
    values: tuple[Decay, ...],
) -> Violation | None:
    """A param group that decays (> 0, or a value not known statically) and holds every parameter
    of some modules (``dict(params=model.conv1.parameters(), weight_decay=5e-4)``) that hold
    biases or normalization/embedding weights: they decay, whatever the other groups do."""
    if groups is None:
        return None
    # Other groups without decay: the code splits on purpose; a module whose class the linter
    # does not see may hold weight matrices only (MACE's product blocks), so nothing is claimed.
    split = any(isinstance(x, float) and x <= 0 for x in values)
    for g, ms, v in zip(groups, models, values, strict=False):
        if not ms or (isinstance(v, float) and v <= 0):
            continue
        if not all(holds_no_decay_parameters(facts, m, call) for m in ms):
            continue
        if split and not all(model_class_seen(facts, m, call) for m in ms):
            continue
        name = cls.split(" or ")[0]
        node = dict_get(g, "weight_decay")
        shown = f"weight_decay={v:g}" if isinstance(v, float) else _wd_text(None, node or v)
        if node is None:
            shown += _default_note(facts, call, name) or " (the optimizer's value)"
        source = ", ".join(sorted({_shown_parameters(facts, m) for m in ms}))
        listed = dict_get(g, "params")
        if isinstance(listed, ast.Name):
            bound = assigned_values(facts, listed.id, listed)
            listed = bound[0] if len(bound) == 1 else None
        if isinstance(listed, ast.ListComp) and _all_but_linear_weights(facts, listed):
            source += " but the nn.Linear weights picked for the other group"
        unknown = "" if isinstance(v, float) else " (not known statically; if it is > 0)"
        message = (
            f"{_who(facts, call)}{cls}(...): the param group at line {g.lineno} decays every "
            f"parameter of {source} with {shown}{unknown}, including biases and "
            "normalization/embedding weights; give them a group with weight_decay=0.0 "
            "(stepguard.param_groups(model, weight_decay=...) builds both)"
        )
        conditions = [decay_condition(facts, call, name, [g])]
        data = {"weight_decay": v} if isinstance(v, float) else _data(None, node or v)
        return violation(facts, call, "SG102", message, (), conditions, optimizer=cls, **data)
    return None


def _no_decay_group(
    facts: Facts,
    call: ast.Call,
    cls: str,
    given: list[ast.Dict] | None = None,
    gfacts: Facts | None = None,
) -> Violation | None:
    """A param group that holds exactly the parameters that must not decay (`selects_no_decay`:
    an inverted no-decay filter, a list of biases) and gets a weight decay > 0."""
    gf = gfacts or facts
    groups = given if given is not None else _file_groups(facts, call)
    if not groups:
        return None
    top_node = weight_decay_arg(call, cls, facts)
    for g in groups:
        why = selects_no_decay(gf, g, dict_get(g, "params"))
        if why is None:
            continue
        node = dict_get(g, "weight_decay")
        inherited = node is None
        if switched_decay(node) is not None:
            continue  # exempted unless a switch opts in (``cfg.BIAS_DECAY and wd or 0``)
        if node is None:
            node = top_node or ast.Constant(
                value=default_decay(facts, call, cls),
                lineno=call.lineno,
                col_offset=call.col_offset,
            )
        value = decay_value(facts, node, call) if inherited else decay_value(gf, node, g)
        if value is None or (isinstance(value, float) and value <= 0):
            continue
        if inherited and _sets_group_decay(facts):
            continue  # the groups' decay is set at run time (``decay * group["decay_mult"]``)
        shown = f"{value:g}" if isinstance(value, float) else f"`{short(node, 40)}`"
        source = f"{cls}'s default" if inherited and top_node is None else "the optimizer's value"
        decay = f"weight_decay={shown}" + (f" ({source})" if inherited else "")
        ignored = [
            k.value
            for k in g.keys
            if isinstance(k, ast.Constant)
            and isinstance(k.value, str)
            and "decay" in k.value
            and k.value != "weight_decay"
        ]
        if inherited and ignored:
            # TSN / mmcv style multipliers that only the project's own LR code would apply
            decay += f"; torch.optim ignores its `{ignored[0]}`: only a group's weight_decay counts"
        message = (
            f"{_who(facts, call)}{cls}(...): the param group at {_at(facts, gf, g)} holds the "
            f"parameters that must not decay ({why}) but gets {decay}; give that group "
            "weight_decay=0.0 (or build the groups with stepguard.param_groups(model, ...))"
        )
        # The `if` blocks around the construction and around the group decide too.
        conditions = [
            Condition("weight_decay", (node,), _facts_of(facts, gf, g, node), ">0"),
            *branch_conditions(facts, call),
        ]
        return violation(facts, call, "SG102", message, (), conditions, g, optimizer=cls)
    return None


def _sets_group_decay(facts: Facts) -> bool:
    """The file sets a param group's weight decay at run time (``param_group["weight_decay"] =
    decay * param_group["decay_mult"]``) at module level or in a function it calls."""
    for a in facts.assigns:
        targets = a.targets if isinstance(a, ast.Assign) else [a.target]
        if not any(
            isinstance(t, ast.Subscript)
            and isinstance(t.slice, ast.Constant)
            and t.slice.value == "weight_decay"
            for t in targets
        ):
            continue
        func = facts.function_of(a)
        if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)) or calls_of(facts, func):
            return True
    return False


def _decaying_choice(
    facts: Facts, call: ast.Call, choices: list[OptimizerChoice], cls: str
) -> OptimizerChoice | None:
    """For a class chosen at run time (``optimizer_class = bnb.optim.AdamW8bit if ... else
    torch.optim.AdamW``) built without a ``weight_decay``: the first choice whose own default
    decays (torch AdamW's 0.01), when the classes together have no known default. The finding
    then holds under the test that picks it (`choice_condition`)."""
    if len({c[0] for c in choices}) < 2 or weight_decay_arg(call, cls, facts) is not None:
        return None
    if default_decay(facts, call, cls) > 0:
        return None
    return next((c for c in choices if default_decay(facts, call, c[0]) > 0), None)


def _sg102(
    facts: Facts,
    call: ast.Call,
    cls: str,
    values: tuple[Decay, ...],
    groups: list[ast.Dict] | None,
    models: list[ast.expr],
    picked: OptimizerChoice | None = None,
) -> Violation:
    wd, expr = _known(values, "min"), _unknown(values)
    name = _who(facts, call)
    source = ", ".join(sorted({_shown_parameters(facts, m) for m in models}))
    test, polarity = (picked[2], picked[3]) if picked is not None else (None, True)
    if expr is None:
        wd_text = _wd_text(wd, None) + _default_note(facts, call, cls.split(" or ")[0])
        what = f"{call_text(call, cls, wd_text, test, polarity, facts)} decays"
    else:
        what = (
            f"{call_text(call, cls, _wd_text(None, expr), test, polarity, facts)}: the value is not "
            "known statically; if it is > 0, it decays"
        )
    if groups is not None and len(group_alternatives(facts, params_arg(call, facts)) or []) > 1:
        what += f" (with the param groups built at line {groups[0].lineno})"
    kinds = no_decay_kinds(facts, models, call)
    held = (
        "its " + " and ".join(kinds)  # only what the visible classes register
        if kinds
        else "biases and normalization/embedding weights"
    )
    message = (
        f"{name}{what} every parameter of {source}, including {held}; build groups with "
        "stepguard.param_groups(model, weight_decay=...)"
    )
    peft = peft_trains_more(facts)
    if peft is not None:  # a PEFT model: only its trainable parameters reach the step
        message = (
            f"{name}{what} every trainable parameter of {source}: besides the LoRA matrices, "
            f"{peft}, and those biases or normalization/embedding weights decay too; give them "
            "a group with weight_decay=0.0 (stepguard.param_groups(model, weight_decay=...) "
            "skips frozen parameters)"
        )
    if expr is not None:
        wd = None
    conditions = [
        decay_condition(facts, call, cls.split(" or ")[0], groups),
        *choice_condition(test, polarity, facts),
    ]
    return violation(
        facts, call, "SG102", message, (), conditions, optimizer=cls, **_data(wd, expr)
    )


# -- groups split by a name test that is not about decay -----------------------------------------

# A literal of a group's filter: (the test's text with the loop variables renamed, the test, the
# truth it must have).
_Literal = tuple[str, ast.expr, bool]


def _split_groups(
    facts: Facts,
    call: ast.Call,
    cls: str,
    given: list[list[ast.Dict]] | None = None,
    gfacts: Facts | None = None,
) -> Violation | None:
    """Param groups that split one model's named parameters by tests that are not about decay
    (``"backbone" in n`` vs ``"backbone" not in n``, for a different learning rate) and all
    decay: whatever the tests mean, the groups together hold every parameter of the model, so its
    biases and normalization/embedding weights decay on every side of the split.

    Each group's ``params`` is a comprehension over ``M.named_parameters()`` whose ``if`` is a
    conjunction of tests (``p.requires_grad`` aside); the groups that may decay (> 0, or a value
    not known statically) must cover every truth assignment of the tests. A group that provably
    does not decay, an ``or``, or another source of parameters ends the search."""
    gf = gfacts or facts
    options = given if given is not None else group_alternatives(facts, params_arg(call, facts))
    for groups in options or []:
        model: ast.expr | None = None
        clauses: list[list[_Literal]] = []
        decaying: list[tuple[ast.Dict, ast.expr, Decay]] = []
        for g in groups:
            found = _filtered_by(gf, dict_get(g, "params"), g)
            if found is None:
                continue
            m, alternatives = found
            if model is not None and ast.dump(m) != ast.dump(model):
                break
            model = m
            decay = _group_decay(facts, call, cls, g, gf)
            if decay is None:
                break  # a group without decay: the split may be the no-decay one
            clauses.extend(alternatives)
            decaying.append((g, *decay))
        else:
            if model is None or len(decaying) < 2 or not _covers(clauses):
                continue
            if not holds_no_decay_parameters(gf, model, call if gf is facts else groups[0]):
                continue
            return _split_violation(facts, call, cls, model, decaying, gf)
    return None


#: Words of a name test that may pick the parameters that must not decay (a bias, a norm, an
#: embedding, a 1-D scale): a split by such a word is read by the other shapes, never by this one.
_KIND_WORDS = (
    *("bias", "norm", "ln", "bn", "gamma", "beta", "embed", "emb", "wte", "wpe", "pos", "tok"),
    *("cls", "scale", "gain", "decay", "wd", "1d", "skip", "ndim", "token", "prompt", "query"),
)


def _word_exempt_split(facts: Facts, call: ast.Call, cls: str) -> Violation | None:
    """Param groups that split one model's named parameters by name words that name no bias,
    normalization or embedding (NExpR's ``if "basis" in n: basis_params.append(p) else:
    other_params.append(p)`` with ``{"params": basis_params, "weight_decay": 0}``): the group
    exempted from decay is the one the word picks, and the group of every other name, which
    holds the model's biases and norms (a ``conv.bias`` matches no such word), decays. Every test
    must be ``"word" in name`` (or its negation); silent when the model visibly holds no bias,
    norm or embedding, or when the decaying groups do not take the names that match no word."""
    for groups in group_alternatives(facts, params_arg(call, facts)) or []:
        model: ast.expr | None = None
        decaying: list[tuple[ast.Dict, ast.expr, Decay]] = []
        exempt: list[str] = []
        rest = False  # a decaying group takes the names that match none of the words
        for g in groups:
            found = _filtered_by(facts, dict_get(g, "params"), g)
            if found is None:
                break
            m, clauses = found
            if model is not None and ast.dump(m) != ast.dump(model):
                break
            model = m
            words = [_name_word(test) for clause in clauses for _, test, _ in clause]
            if any(w is None or any(k in w.lower() for k in _KIND_WORDS) for w in words):
                break
            decay = _group_decay(facts, call, cls, g)
            if decay is None:
                exempt += [w for w in words if w is not None]
                continue
            decaying.append((g, *decay))
            rest = rest or any(all(not truth for _, _, truth in clause) for clause in clauses)
        else:
            if model is None or not decaying or not exempt or not rest:
                continue
            if not holds_no_decay_parameters(facts, model, call):
                continue
            g, node, value = decaying[0]
            shown = _shown_decay(node, value)
            listed = ", ".join(repr(w) for w in dict.fromkeys(exempt))
            message = (
                f"{_who(facts, call)}{cls}(...): the param groups split the parameters of "
                f"`{short(model, 30)}` by name, and the one kept out of decay holds the names "
                f"matching [{listed}], a word that names no bias, normalization or embedding; "
                f"the group at line {g.lineno} takes every other parameter, biases and "
                f"normalization weights included, and gets weight_decay={shown}; give biases and "
                "norms their own weight_decay=0.0 group (stepguard.param_groups(model, "
                "weight_decay=...) builds them)"
            )
            conditions = [
                Condition("weight_decay", (node,), facts, ">0"),
                *branch_conditions(facts, call),
            ]
            data = _data(value, None) if isinstance(value, float) else _data(None, node)
            return violation(
                facts, call, "SG102", message, (), conditions, g, optimizer=cls, **data
            )
    return None


def _name_word(test: ast.expr) -> str | None:
    """The word of ``"word" in name`` (the literal `_literal` keeps), else None."""
    if (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], (ast.In, ast.NotIn))
        and isinstance(test.left, ast.Constant)
        and isinstance(test.left.value, str)
        and isinstance(test.comparators[0], ast.Name)
    ):
        return test.left.value
    return None


def _split_violation(
    facts: Facts,
    call: ast.Call,
    cls: str,
    model: ast.expr,
    decaying: list[tuple[ast.Dict, ast.expr, Decay]],
    gf: Facts,
) -> Violation:
    known = [v for _, _, v in decaying if isinstance(v, float)]
    unknown = next((n for _, n, v in decaying if not isinstance(v, float)), None)
    shown = (
        f"weight_decay={min(known):g}"
        if unknown is None
        else f"weight_decay=`{short(unknown, 40)}` (if it is > 0)"
    )
    linenos = list(dict.fromkeys(str(g.lineno) for g, _, _ in decaying))
    lines = ("lines " if len(linenos) > 1 else "line ") + ", ".join(linenos)
    if gf is not facts:
        lines += f" of {gf.path}"
    message = (
        f"{_who(facts, call)}{cls}(...): the param groups at {lines} split the parameters "
        f"of `{short(model, 30)}` by name tests that are not about decay, and every group gets "
        f"{shown}: together they decay every parameter of `{short(model, 30)}`, biases and "
        "normalization/embedding weights included; split each group into decay and no-decay "
        "parts (stepguard.param_groups(model, weight_decay=...) builds them)"
    )
    if gf is facts:
        nodes = tuple(n for _, n, _ in decaying)
        decides = Condition("weight_decay", nodes, facts, ">0")
    else:  # the values are in two files: the first group's decides
        g, n, _ = decaying[0]
        decides = Condition("weight_decay", (n,), _facts_of(facts, gf, g, n), ">0")
    conditions = [decides, *branch_conditions(facts, call)]
    data = {"weight_decay": min(known)} if unknown is None else _data(None, unknown)
    return violation(facts, call, "SG102", message, (), conditions, optimizer=cls, **data)


def _filtered_by(
    facts: Facts, params: ast.expr | None, at: ast.AST
) -> tuple[ast.expr, list[list[_Literal]]] | None:
    """``[p for n, p in M.named_parameters() if t1 and not t2]`` (or a name bound to it), or a
    list filled by ``.append(p)`` in a loop over ``M.named_parameters()`` under ``if`` tests: M
    and the conjunctions of tests that put a parameter in (one per append), ``p.requires_grad``
    left out; None for anything else."""
    if isinstance(params, ast.Name):
        appended = _appended_by_tests(facts, params.id, at)
        if appended is not None:
            return appended
        params = facts.local_value(params.id, at)
    if not isinstance(params, (ast.ListComp, ast.GeneratorExp)) or len(params.generators) != 1:
        return None
    gen = params.generators[0]
    it = gen.iter
    if not (
        isinstance(it, ast.Call)
        and call_name(it) == "named_parameters"
        and isinstance(it.func, ast.Attribute)
        and not it.args
        and not it.keywords
        and isinstance(gen.target, ast.Tuple)
        and len(gen.target.elts) == 2
        and all(isinstance(e, ast.Name) for e in gen.target.elts)
        and not gen.is_async
    ):
        return None
    if not _copy_of_target(params.elt, gen.target.elts[1]):
        return None
    names = {e.id: f"_v{i}" for i, e in enumerate(gen.target.elts) if isinstance(e, ast.Name)}
    clause: list[_Literal] = []
    for test in gen.ifs:
        parts = (
            test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) else [test]
        )
        for part in parts:
            literal = _literal(part, names)
            if literal is None:
                return None
            if literal[0]:
                clause.append(literal)
    return it.func.value, [clause]


def _appended_by_tests(
    facts: Facts, name: str, at: ast.AST
) -> tuple[ast.expr, list[list[_Literal]]] | None:
    """A list `name` filled by ``name.append(p)`` inside ``for n, p in M.named_parameters():``
    (directly or under ``if``/``elif``/``else`` tests, after ``if <test>: continue`` guards):
    M and one conjunction of tests per append. None when it is filled or emptied any other way
    (appends elsewhere, ``remove``/``pop``, a ``break``, a nested ``continue``)."""
    scope = facts.function_of(at)
    appends: list[ast.Call] = []
    for c in facts.calls:
        f = c.func
        if not (isinstance(f, ast.Attribute) and dotted(f.value) == name):
            continue
        if facts.function_of(c) is not scope:
            continue
        if f.attr != "append":
            return None  # extend / remove / pop / clear / insert: not a plain split
        appends.append(c)
    if not appends:
        return None
    model: ast.expr | None = None
    out: list[list[_Literal]] = []
    for c in appends:
        loop = facts.enclosing(c, (ast.For,))
        if not isinstance(loop, ast.For) or facts.function_of(loop) is not scope:
            return None
        it, target = loop.iter, loop.target
        if not (
            isinstance(it, ast.Call)
            and call_name(it) == "named_parameters"
            and isinstance(it.func, ast.Attribute)
            and not it.args
            and not it.keywords
            and isinstance(target, ast.Tuple)
            and len(target.elts) == 2
            and all(isinstance(e, ast.Name) for e in target.elts)
            and len(c.args) == 1
            and _copy_of_target(c.args[0], target.elts[1])
        ):
            return None
        if model is not None and ast.dump(model) != ast.dump(it.func.value):
            return None
        model = it.func.value
        names = {e.id: f"_v{i}" for i, e in enumerate(target.elts) if isinstance(e, ast.Name)}
        clause = _loop_guards(loop, names)
        if clause is None:
            return None
        for if_node, test, truth in facts.branches(c):
            if not _inside(facts, if_node, loop):
                break
            literal = _literal(test, names)
            if literal is None:
                return None
            if literal[0]:
                clause.append((literal[0], literal[1], literal[2] == truth))
        out.append(clause)
    return (model, out) if model is not None else None


def _inside(facts: Facts, node: ast.AST, loop: ast.For) -> bool:
    p = facts.parents.get(node)
    while p is not None:
        if p is loop:
            return True
        p = facts.parents.get(p)
    return False


def _loop_guards(loop: ast.For, names: dict[str, str]) -> list[_Literal] | None:
    """The tests of ``if <test>: continue`` statements at the top of `loop`'s body, negated (a
    parameter that reaches the rest of the body fails them); None for any other ``continue`` or
    ``break`` in the body."""
    guards: list[_Literal] = []
    for stmt in loop.body:
        if (
            isinstance(stmt, ast.If)
            and len(stmt.body) == 1
            and isinstance(stmt.body[0], ast.Continue)
            and not stmt.orelse
        ):
            literal = _literal(stmt.test, names)
            if literal is None:
                return None
            if literal[0]:
                guards.append((literal[0], literal[1], not literal[2]))
            continue
        for n in ast.walk(stmt):
            if isinstance(n, (ast.Continue, ast.Break)):
                return None
    return guards


def _literal(test: ast.expr, names: dict[str, str]) -> _Literal | None:
    """`test` as a literal over the loop variables: ``("", ...)`` for a requires-grad test (no
    constraint on which parameters), None for a test that is not a plain one."""
    truth = True
    while isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test, truth = test.operand, not truth
    if _requires_grad_only_test(test):
        return "", test, truth
    if isinstance(test, ast.BoolOp):
        return None
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.NotIn):
        test = ast.Compare(left=test.left, ops=[ast.In()], comparators=test.comparators)
        truth = not truth
    used = {n.id for n in ast.walk(test) if isinstance(n, ast.Name)}
    if not used & set(names):
        return None  # a test that does not look at the parameter
    if any(isinstance(n, (ast.NamedExpr, ast.Lambda, ast.Await)) for n in ast.walk(test)):
        return None
    return _renamed(test, names), test, truth


def _renamed(test: ast.expr, names: dict[str, str]) -> str:
    """The test's dump with the loop variables named by position, so ``"x" in n`` and ``"x" in
    name`` of two comprehensions are the same test."""

    class _Rename(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.AST:
            return ast.Name(id=names.get(node.id, node.id), ctx=ast.Load())

    copy = _Rename().visit(ast.parse(ast.unparse(test), mode="eval").body)
    return ast.dump(copy, annotate_fields=False)


def _covers(clauses: list[list[_Literal]]) -> bool:
    """Every truth assignment of the tests satisfies some clause (at most 5 distinct tests)."""
    atoms = sorted({key for clause in clauses for key, _, _ in clause})
    if len(atoms) > 5:
        return False
    for bits in range(1 << len(atoms)):
        value = {a: bool(bits >> i & 1) for i, a in enumerate(atoms)}
        if not any(all(value[k] == truth for k, _, truth in clause) for clause in clauses):
            return False
    return True


# -- param groups built by a helper in another file of the tree ---------------------------------


def _file_groups(facts: Facts, call: ast.Call) -> list[ast.Dict]:
    """The param-group dicts the file shows for `call`: literals (or a same-file helper's),
    groups added with ``add_param_group``, dicts appended to the list it is given."""
    params = params_arg(call, facts)
    return [
        *(group_dicts(facts, params) or []),
        *added_groups(facts, call),
        *built_groups(facts, params, call),
    ]


def _at(facts: Facts, gf: Facts, g: ast.Dict) -> str:
    """Where a group dict is: ``line 12`` in this file, ``utils/utils.py:12`` in another."""
    return f"line {g.lineno}" if gf is facts else f"{gf.path}:{g.lineno}"


def _facts_of(facts: Facts, gf: Facts, g: ast.Dict, node: ast.expr) -> Facts:
    """The file a group's weight-decay expression is written in: the group's own value is in the
    group's file, an inherited one at the optimizer."""
    return gf if dict_get(g, "weight_decay") is node else facts


def _imported_groups(facts: Facts, call: ast.Call, cls: str) -> Violation | None:
    """Param groups returned by a helper of another file of the tree (``groups =
    get_optimizer_grouped_parameters(model, args.weight_decay)`` imported from ``utils``),
    checked like a literal where the helper builds them: a no-decay group that decays, a split
    that keeps only the biases out, a name split where every group decays."""
    params = params_arg(call, facts)
    if not isinstance(params, ast.Name) or facts.project is None:
        return None
    bound = assigned_values(facts, params.id, params)
    if len(bound) != 1 or not isinstance(bound[0], ast.Call):
        return None
    found = callee(facts, bound[0], training=False)
    if found is None or found[0] is facts:
        found = _method_of_instance(facts, bound[0])
    if found is None:
        return None
    gf, func = found
    alternatives: list[list[ast.Dict]] = []
    for built in returned_lists(gf, func):
        if not isinstance(built, (ast.List, ast.Tuple)) or not built.elts:
            return None
        groups = [as_group(gf, e) for e in built.elts]
        if any(g is None for g in groups):
            return None
        alternatives.append([g for g in groups if g is not None])
    if not alternatives:
        return None
    flat = [g for alt in alternatives for g in alt]
    return (
        _no_decay_group(facts, call, cls, flat, gf)
        or _bias_only_group(facts, call, cls, flat, gf, (bound[0], func))
        or _split_groups(facts, call, cls, alternatives, gf)
    )


_CAUSAL_LM = ("ForCausalLM", "LMHeadModel")


def _causal_lm(
    facts: Facts,
    gf: Facts,
    model: ast.expr,
    at: ast.AST,
    helper: tuple[ast.Call, FuncDef] | None,
) -> str | None:
    """How `model` (an expression of `gf`, maybe a parameter of the helper `helper` calls) is
    loaded when that is a causal language model of transformers (``AutoModelForCausalLM``,
    ``GPT2LMHeadModel``, ``create_hf_model(AutoModelForCausalLM, ...)``), else None."""
    where = gf
    if helper is not None and isinstance(model, ast.Name):
        call, func = helper
        pos = [a.arg for a in (*func.args.posonlyargs, *func.args.args)]
        passed = passed_argument(call, func, model.id, pos)
        if passed is None:
            return None
        model, where, at = passed, facts, call
    for _ in range(3):
        if not isinstance(model, ast.Name):
            break
        value = reaching_value(where, model.id, at)
        if value is None:
            return None
        model, at = value, value
    if not isinstance(model, ast.Call):
        return None
    for node in (model.func, *model.args):
        text = dotted(node) or ""
        if any(k in text for k in _CAUSAL_LM):
            return f"`{short(node, 40)}`"
    return None


def _method_of_instance(facts: Facts, call: ast.Call) -> tuple[Facts, FuncDef] | None:
    """The method ``model.get_optim_policies()`` calls when ``model`` was last bound, before the
    call and in the same block of the same function, to an instance of a class of the tree
    (``model = VideoModel(...)``, wrapped in ``DataParallel`` only afterwards)."""
    f = call.func
    if not (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name)):
        return None
    scope = facts.function_of(call)
    before = [
        a
        for a in facts.assigns
        if isinstance(a, ast.Assign)
        and facts.function_of(a) is scope
        and any(isinstance(t, ast.Name) and t.id == f.value.id for t in a.targets)
        and (a.lineno, a.col_offset) < (call.lineno, call.col_offset)
    ]
    if not before:
        return None
    last = max(before, key=lambda a: (a.lineno, a.col_offset))
    stmt = facts.enclosing(call, (ast.stmt,))
    if stmt is None or facts.parents.get(last) is not facts.parents.get(stmt):
        return None  # bound in another block (a branch, a loop): not the only binding that reaches
    if not isinstance(last.value, ast.Call):
        return None
    cls = class_of_call(facts, last.value)
    if cls is None:
        return None
    found = method_of(cls[0], cls[1], f.attr, 0, False)
    if found is None or not isinstance(found[1], (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    return found[0], found[1]


# -- per-parameter groups with hyperparameter overrides (Detectron2-style helpers) ---------------

_COPIES = ("copy", "deepcopy", "dict")
_NORM_NAMES = ("Norm", "norm")


def _override_groups(facts: Facts, call: ast.Call, cls: str) -> Violation | None:
    """Param groups built one per parameter by a helper, each ``{"params": [p], **hyperparams}``
    where ``hyperparams`` copies a dict of defaults and takes overrides for norms and biases
    (``if name == "bias": hyperparams.update(bias_overrides)``), the bias override set only when
    an optional argument is not None (Detectron2's ``get_default_optimizer_params(...,
    weight_decay_bias=None)``). When the caller leaves that argument None (or passes a setting
    that may be None), the biases of every layer that is not a norm keep the optimizer's decay.

    Every test around an override must be read (a bias test on the parameter's name, an
    ``isinstance`` on norm layer types, ``arg is not None`` on the helper's arguments); anything
    else keeps the rule silent."""
    params = params_arg(call, facts)
    if not isinstance(params, ast.Name):
        return None
    bound = assigned_values(facts, params.id, params)
    if len(bound) != 1 or not isinstance(bound[0], ast.Call):
        return None
    helper_call = bound[0]
    found = callee(facts, helper_call, training=False)
    if found is None:
        return None
    hf, func = found
    shape = _per_parameter_append(hf, func)
    if shape is None:
        return None
    append, spread, loop = shape
    pname = loop.target.elts[0].id  # type: ignore[attr-defined]
    base, overrides = _hyperparams(hf, loop, spread)
    if base is None or overrides is None:
        return None
    args = _argument_values(hf, func, helper_call)
    model = loop_model(hf, loop)
    passed_model = args.get(model.id) if isinstance(model, ast.Name) else None
    if passed_model is not None and not holds_no_decay_parameters(facts, passed_model, call):
        return None  # the model is visibly built from weight matrices only
    entry = _dict_entries_wd(hf, func, base)
    if entry is None:
        return None
    # The biases of layers that are not norms: which value do they get?
    value: tuple[str, ast.expr | None] = ("inherit", None)  # the optimizer's weight decay
    for guard_value, guards in entry:
        state = _guards_state(hf, guards, pname, args)
        if state is None:
            return None
        if state is True:
            value = ("helper", guard_value)
        elif state is not False:
            return None  # the default decay itself is conditional on a setting: not read
    unless: list[ast.expr] = []
    for guards, source in overrides:
        state = _guards_state(hf, guards, pname, args)
        if state is None:
            return None
        if state is False:
            continue
        entries = _override_entries(hf, func, source)
        if entries is None:
            return None
        for ov_value, ov_guards in entries:
            inner = _guards_state(hf, ov_guards, pname, args)
            if inner is None:
                return None
            if inner is False:
                continue
            if state is True and inner is True:
                value = ("helper", ov_value)
                unless = []
            else:
                unsettled = [
                    *(state if isinstance(state, list) else []),
                    *(inner if isinstance(inner, list) else []),
                ]
                unless += unsettled
    if value[0] == "helper":
        node = value[1]
        if node is None:
            return None
        v = _helper_value(hf, func, node, helper_call, facts)
        if v is None or (isinstance(v, float) and v <= 0):
            return None
        top_node: ast.expr = node
        shown = f"{v:g}" if isinstance(v, float) else f"`{short(node, 40)}`"
        source_text = "the helper's default decay"
        cond_facts = hf
    else:
        top = weight_decay_arg(call, cls, facts)
        top_node = top or ast.Constant(
            value=default_decay(facts, call, cls), lineno=call.lineno, col_offset=call.col_offset
        )
        v = decay_value(facts, top_node, call)
        if v is None or (isinstance(v, float) and v <= 0):
            return None
        shown = f"{v:g}" if isinstance(v, float) else f"`{short(top_node, 40)}`"
        source_text = "the optimizer's value"
        cond_facts = facts
    where = f"line {append.lineno}" if hf is facts else f"{hf.path}:{append.lineno}"
    settings = ", ".join(f"`{short(u, 40)}`" for u in unless)
    why = (
        f"; the bias override applies only when {settings} is not None"
        if unless
        else "; no bias override applies with the arguments given"
    )
    message = (
        f"{_who(facts, call)}{cls}(...): the per-parameter groups built by "
        f"`{short(helper_call.func, 40)}()` ({where}) give the biases of layers that are not "
        f"norms weight_decay={shown} ({source_text}){why}; give biases weight_decay=0.0 "
        "(stepguard.param_groups(model, weight_decay=...) does)"
    )
    conditions = [Condition("weight_decay", (top_node,), cond_facts, ">0")]
    conditions += [Condition(f"`{short(u, 40)}` unset", (u,), facts, "false") for u in unless]
    return violation(facts, call, "SG102", message, (), conditions, optimizer=cls)


def _per_parameter_append(hf: Facts, func: FuncDef) -> tuple[ast.Call, str, ast.For] | None:
    """``out.append({"params": [p], **hyperparams})`` inside a loop over a module's own named
    parameters, where `func` returns ``out``: (the append, ``hyperparams``, the loop)."""
    rets = [
        n.value
        for n in walk(func)
        if isinstance(n, ast.Return) and n.value is not None and hf.function_of(n) is func
    ]
    if len(rets) != 1 or not isinstance(rets[0], ast.Name):
        return None
    out = rets[0].id
    appends = [
        c
        for c in hf.calls
        if call_name(c) == "append"
        and isinstance(c.func, ast.Attribute)
        and dotted(c.func.value) == out
        and hf.function_of(c) is func
    ]
    if len(appends) != 1 or len(appends[0].args) != 1:
        return None
    append = appends[0]
    d = append.args[0]
    if not isinstance(d, ast.Dict) or dict_get(d, "weight_decay") is not None:
        return None
    spreads = [v for k, v in zip(d.keys, d.values, strict=True) if k is None]
    loop = hf.enclosing(append, (ast.For,))
    if len(spreads) != 1 or not isinstance(spreads[0], ast.Name) or not isinstance(loop, ast.For):
        return None
    target = loop.target
    if not (
        isinstance(target, ast.Tuple)
        and len(target.elts) == 2
        and all(isinstance(e, ast.Name) for e in target.elts)
        and loop_model(hf, loop) is not None
    ):
        return None
    plist = next(
        (
            v
            for k, v in zip(d.keys, d.values, strict=True)
            if isinstance(k, ast.Constant) and k.value == "params"
        ),
        None,
    )
    if not (
        isinstance(plist, ast.List)
        and len(plist.elts) == 1
        and dotted(plist.elts[0]) == dotted(target.elts[1])
    ):
        return None
    return append, spreads[0].id, loop


_Guards = list[tuple[ast.expr, bool]]


def _guards(hf: Facts, node: ast.AST, stop: ast.AST) -> _Guards:
    """The ``if`` tests around `node` up to `stop` (exclusive), with the truth each must have."""
    out: _Guards = []
    for if_node, test, truth in hf.branches(node):
        if not _inside(hf, if_node, stop):  # type: ignore[arg-type]
            break
        out.append((test, truth))
    return out


def _hyperparams(
    hf: Facts, loop: ast.For, name: str
) -> tuple[str | None, list[tuple[_Guards, ast.expr]] | None]:
    """In `loop`'s body: the dict ``name`` copies (``copy.copy(defaults)``) and its weight-decay
    overrides in order, each (its guards, what it takes the value from: an expression assigned to
    ``name["weight_decay"]`` or a dict passed to ``name.update``); (None, None) when ``name`` is
    changed any other way."""
    base: str | None = None
    overrides: list[tuple[_Guards, ast.expr]] = []
    for node in walk(loop):
        if isinstance(node, ast.Assign) and any(dotted(t) == name for t in node.targets):
            value = node.value
            src = None
            if isinstance(value, ast.Call) and call_name(value) in _COPIES and len(value.args) == 1:
                src = dotted(value.args[0])
            elif isinstance(value, ast.Call) and call_name(value) == "copy" and not value.args:
                src = dotted(value.func.value) if isinstance(value.func, ast.Attribute) else None
            if base is not None or src is None:
                return None, None
            base = src
        elif isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, ast.Subscript) and dotted(t.value) == name:
                    key = t.slice
                    if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                        return None, None
                    if key.value == "weight_decay":
                        wrap = ast.Dict(
                            keys=[ast.Constant(value="weight_decay")], values=[node.value]
                        )
                        overrides.append((_guards(hf, node, loop), wrap))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if dotted(node.func.value) != name:
                continue
            if node.func.attr != "update" or len(node.args) != 1 or node.keywords:
                return None, None
            overrides.append((_guards(hf, node, loop), node.args[0]))
    return base, overrides


def _dict_entries_wd(
    hf: Facts, func: FuncDef, name: str | None
) -> list[tuple[ast.expr, _Guards]] | None:
    """The values function `func` puts under "weight_decay" in the dict `name` (built empty,
    filled by ``name["key"] = value`` under ``if`` tests), each with its guards."""
    if name is None:
        return None
    out: list[tuple[ast.expr, _Guards]] = []
    for node in walk(func):
        if hf.function_of(node) is not func:
            continue
        if isinstance(node, ast.Assign):
            for t in node.targets:
                if dotted(t) == name:
                    if not (isinstance(node.value, ast.Dict) and not node.value.keys):
                        return None
                elif isinstance(t, ast.Subscript) and dotted(t.value) == name:
                    key = t.slice
                    if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                        return None
                    if key.value == "weight_decay":
                        out.append((node.value, _guards(hf, node, func)))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and dotted(node.func.value) == name
            and node.func.attr not in ("copy", "get")
        ):
            return None
    return out


def _override_entries(
    hf: Facts, func: FuncDef, source: ast.expr
) -> list[tuple[ast.expr, _Guards]] | None:
    """The weight-decay values an override source carries: a dict literal's entry (no guard), or
    the entries of a dict the function fills (`_dict_entries_wd`)."""
    if isinstance(source, ast.Dict):
        value = dict_get(source, "weight_decay")
        if any(k is None for k in source.keys):
            return None
        return [] if value is None else [(value, [])]
    if isinstance(source, ast.Name):
        return _dict_entries_wd(hf, func, source.id)
    return None


def _argument_values(hf: Facts, func: FuncDef, call: ast.Call) -> dict[str, ast.expr | None]:
    """What `call` passes for each parameter of `func` (its default when omitted; None for a
    parameter without one that is not passed)."""
    args = func.args
    pos = [a.arg for a in (*args.posonlyargs, *args.args)]
    defaults = dict(zip(pos[len(pos) - len(args.defaults) :], args.defaults, strict=True))
    defaults.update(
        {a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None}
    )
    out: dict[str, ast.expr | None] = {}
    for name in [*pos, *(a.arg for a in args.kwonlyargs)]:
        passed = passed_argument(call, func, name, pos, bound=False)
        out[name] = passed if passed is not None else defaults.get(name)
    return out


def _guards_state(
    hf: Facts, guards: _Guards, pname: str, args: dict[str, ast.expr | None]
) -> bool | list[ast.expr] | None:
    """Whether `guards` hold for the bias of a layer that is not a norm: True, False, the list of
    caller expressions they depend on (``arg is not None`` with a setting passed), or None when a
    test cannot be read."""
    unknown: list[ast.expr] = []
    for test, truth in guards:
        parts = (
            test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) else [test]
        )
        if len(parts) > 1 and not truth:
            return None  # `not (a and b)`: not read
        states = [_test_state(hf, p, pname, args) for p in parts]
        if any(s is None for s in states):
            return None
        if any(s is False for s in states):
            if truth:
                return False
            continue
        exprs = [e for s in states if isinstance(s, list) for e in s]
        if not truth:
            if exprs:
                return None
            return False
        unknown += exprs
    return unknown or True


def _test_state(
    hf: Facts, test: ast.expr, pname: str, args: dict[str, ast.expr | None]
) -> bool | list[ast.expr] | None:
    """One test, for a bias of a layer that is not a norm (see `_guards_state`)."""
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        op, left, right = test.ops[0], test.left, test.comparators[0]
        if (
            dotted(left) == pname
            and isinstance(right, ast.Constant)
            and isinstance(right.value, str)
            and isinstance(op, (ast.Eq, ast.NotEq))
        ):
            is_bias = right.value == "bias"
            return is_bias if isinstance(op, ast.Eq) else not is_bias
        if (
            isinstance(op, (ast.In, ast.NotIn))
            and dotted(right) == pname
            and isinstance(left, ast.Constant)
            and left.value == "bias"
        ):
            return isinstance(op, ast.In)
        if (
            isinstance(op, (ast.Is, ast.IsNot))
            and isinstance(left, ast.Name)
            and isinstance(right, ast.Constant)
            and right.value is None
            and left.id in args
        ):
            passed = args[left.id]
            if passed is None or (isinstance(passed, ast.Constant) and passed.value is None):
                return isinstance(op, ast.Is)
            if isinstance(passed, ast.Constant):
                return isinstance(op, ast.IsNot)
            return [passed] if isinstance(op, ast.IsNot) else None
        return None
    if isinstance(test, ast.Call) and call_name(test) == "isinstance" and len(test.args) == 2:
        kinds = test.args[1]
        if isinstance(kinds, ast.Name):
            kinds = hf.local_value(kinds.id, test) or kinds
        text = ast.unparse(kinds)
        if any(n in text for n in _NORM_NAMES):
            return False  # a norm-layer test: not the bias of a linear or conv layer
        return None
    return None


def _helper_value(
    hf: Facts, func: FuncDef, node: ast.expr, call: ast.Call, facts: Facts
) -> Decay | None:
    """The value of a helper expression for the decay (a parameter: what the call passes)."""
    if isinstance(node, ast.Name):
        args = _argument_values(hf, func, call)
        if node.id in args:
            passed = args[node.id]
            if passed is None:
                return None
            return decay_value(facts, passed, call)
    return decay_value(hf, node, node)


# -- groups a helper builds for other reasons (learning rates), none of them about decay ----------

_DECAY_WORDS = ("decay", "bias", "norm", "ndim", "dim(", "shape", "**", "embed", "ln_", "gamma")


def _undecided_groups(facts: Facts, call: ast.Call, cls: str) -> Violation | None:
    """Param groups a helper builds from the model's parameters for some other reason (a
    learning rate per submodule, ``groups.append({"params": [p for p in module.parameters()],
    "lr": lr})``) when neither the helper nor the caller says anything about decay: no group sets
    a weight_decay, none is split by bias, normalization, embedding or shape, so every group
    inherits the optimizer's weight_decay (> 0, or a value not known statically) and the model's
    biases and normalization/embedding weights decay with the rest."""
    params = params_arg(call, facts)
    if not isinstance(params, ast.Name):
        return None
    bound = assigned_values(facts, params.id, params)
    if len(bound) != 1 or not isinstance(bound[0], ast.Call):
        return None
    found = callee(facts, bound[0], training=False)
    if found is None:
        return None
    gf, func = found
    text = ast.get_source_segment(gf.source, func) or ""
    lowered = text.lower()
    if any(w in lowered for w in _DECAY_WORDS) or "parameters()" not in text:
        return None
    caller = facts.function_of(call)
    if any(
        isinstance(n, ast.Constant) and isinstance(n.value, str) and "decay" in n.value
        for n in walk(caller)
    ):
        return None  # the caller sets a group's decay itself (``g["weight_decay"] = ...``)
    groups = [
        g
        for n in walk(func)
        if (g := as_group(gf, n)) is not None and dict_get(g, "params") is not None
    ]
    if not groups:
        return None
    decay = _positive_decay(facts, call, cls)
    if decay is None:
        return None
    node, shown = decay
    where = f"{func.name}() ({gf.path}:{func.lineno})" if gf is not facts else f"{func.name}()"
    message = (
        f"{_who(facts, call)}{cls}(..., weight_decay={shown}): the param groups that "
        f"{where} builds set no weight_decay and do not keep biases or normalization/embedding "
        "weights apart, so these decay with the rest; give them a group with weight_decay=0.0 "
        "(stepguard.param_groups(model, weight_decay=...) builds both, and takes per-module "
        "learning rates)"
    )
    conditions = [Condition("weight_decay", (node,), facts, ">0"), *branch_conditions(facts, call)]
    return violation(facts, call, "SG102", message, (), conditions, optimizer=cls)


def _positive_decay(facts: Facts, call: ast.Call, cls: str) -> tuple[ast.expr, str] | None:
    """The weight decay `call` applies (its argument, else `cls`'s default) and how a message
    shows it (``0.1``, ``0.01 (AdamW's default)``, ```args.wd` (if it is > 0)``); None when it is
    0 or cannot be positive."""
    node = weight_decay_arg(call, cls, facts)
    inherited = node is None
    if node is None:
        node = ast.Constant(
            value=default_decay(facts, call, cls), lineno=call.lineno, col_offset=call.col_offset
        )
    value = decay_value(facts, node, call)
    if value is None or (isinstance(value, float) and value <= 0):
        return None
    shown = _shown_decay(node, value)
    return node, shown + (f" ({cls}'s default)" if inherited else "")


# -- a list of parameters split off by shape or name, then decayed anyway -----------------------

# The kinds of parameters that must not decay a filter can be read for: (what it is called, its
# number of dimensions, whether its name carries an embedding word).
_EMBED_WORDS = ("embed", "wte", "wpe", "tok_emb", "pos_emb")
_NORM_WORDS = ("norm", "ln_")
_KINDS: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("1-D parameters (biases, normalization weights)", 1, ()),
    ("embeddings", 2, _EMBED_WORDS),
    ("normalization weights", 1, _NORM_WORDS),
)


def _split_list(facts: Facts, call: ast.Call, cls: str) -> Violation | None:
    """An optimizer over one list of a split of a model's named parameters (``adamw_params`` of
    ``if p.ndim != 2 or min(p.shape) == 1: adamw_params.append((n, p))``, or the ``elif`` that
    collects embeddings by name) with a weight decay > 0: the split put the parameters that must
    not decay in that list, and the optimizer decays them anyway. The list may be filled in the
    function that builds the optimizer or returned (in a tuple) by a helper of the file or tree.
    Every test on the way to the ``append`` must be read for the kind of parameter (its
    dimensions, or an embedding word in a name list); anything else keeps the rule silent."""
    params = params_arg(call, facts)
    if not isinstance(params, ast.Name):
        return None
    source = _list_source(facts, params)
    if source is None:
        return None
    lf, name, at = source
    held = _list_holds(lf, name, at)
    if held is None:
        return None
    kind, model, test = held
    if not holds_no_decay_parameters(lf, model, at):
        return None
    decay = _positive_decay(facts, call, cls)
    if decay is None:
        return None
    node, shown = decay
    where = "" if lf is facts else f" ({lf.path})"
    message = (
        f"{_who(facts, call)}{cls}(..., weight_decay={shown}) is given `{params.id}`, "
        f"the list a split of `{short(model, 30)}`'s parameters fills with its {kind} "
        f"(`{short(test, 50)}`{where}): they decay; give that list weight_decay=0.0 "
        "(stepguard.param_groups(model, weight_decay=...) keeps them out)"
    )
    conditions = [Condition("weight_decay", (node,), facts, ">0"), *branch_conditions(facts, call)]
    return violation(facts, call, "SG102", message, (), conditions, optimizer=cls)


def _flagged_split(facts: Facts, call: ast.Call, cls: str) -> Violation | None:
    """A decaying group that keeps out the names of a list (``not any(nd in n for nd in
    no_decay)``) which starts empty and is filled only under a flag (``if args.embed_no_wd:
    ... no_decay.append(name)``): with the flag off the list stays empty, and the group holds
    every parameter of the model, biases, norms and embeddings included."""
    for g in _file_groups(facts, call):
        params = dict_get(g, "params")
        found = _names_excluded(params)
        if found is None:
            continue
        model, names = found
        flag = _filled_only_under(facts, names, g)
        if flag is None:
            continue
        decay = _group_decay(facts, call, cls, g)
        if decay is None or not holds_no_decay_parameters(facts, model, call):
            continue
        node, value = decay
        shown = _shown_decay(node, value)
        message = (
            f"{_who(facts, call)}{cls}(...): the param group at line {g.lineno} keeps out the "
            f"names in `{names.id}`, but that list is filled only under `if {short(flag, 40)}`; "
            f"otherwise it stays empty and the group gives every parameter of "
            f"`{short(model, 30)}` (biases, normalization and embedding weights included) "
            f"weight_decay={shown}; keep them out by role whatever the flag "
            "(stepguard.param_groups(model, weight_decay=...))"
        )
        conditions = _decay_unless_flag(facts, call, node, flag)
        return violation(facts, call, "SG102", message, (), conditions, g, optimizer=cls)
    return None


def _decay_unless_flag(
    facts: Facts, call: ast.Call, decay: ast.expr, flag: ast.expr
) -> list[Condition]:
    """What a finding that holds while `flag` is off depends on: a decay > 0 at `decay`, the flag
    false, and the branches around the optimizer call."""
    return [
        Condition("weight_decay", (decay,), facts, ">0"),
        Condition(short(flag, 50), (flag,), facts, "false", neutral=True),
        *branch_conditions(facts, call),
    ]


def _switched_filter(facts: Facts, call: ast.Call, cls: str) -> Violation | None:
    """A decaying group whose list is filled in a loop over a model's parameters, on the ``else``
    side of ``if <flag> and (<no-decay test>): no_decay.append(p)`` (3DETR's
    ``--filter_biases_wd``): with the flag off every parameter lands in it, biases, normalization
    and embedding weights included."""
    for g in _file_groups(facts, call):
        params = dict_get(g, "params")
        if not isinstance(params, ast.Name):
            continue
        found = _filled_unless_flag(facts, params, g)
        if found is None:
            continue
        model, flag = found
        if _under_test(facts, g, flag):
            continue  # the groups built when the flag is on
        decay = _group_decay(facts, call, cls, g)
        if decay is None or not holds_no_decay_parameters(facts, model, call):
            continue
        node, value = decay
        message = (
            f"{_who(facts, call)}{cls}(...): the param group at line {g.lineno} holds "
            f"`{params.id}`, which the loop over `{short(model, 30)}` fills with every parameter "
            f"unless `{short(flag, 40)}` is set; without it the biases, normalization and "
            f"embedding weights get weight_decay={_shown_decay(node, value)}; keep them out by "
            "role whatever the flag (stepguard.param_groups(model, weight_decay=...))"
        )
        conditions = _decay_unless_flag(facts, call, node, flag)
        return violation(facts, call, "SG102", message, (), conditions, g, optimizer=cls)
    return None


def _under_test(facts: Facts, node: ast.AST, test: ast.expr) -> bool:
    """`node` sits in the body of an ``if`` whose test is `test`."""
    child: ast.AST = node
    parent = facts.parents.get(node)
    while parent is not None:
        if (
            isinstance(parent, ast.If)
            and child in parent.body
            and ast.dump(parent.test) == ast.dump(test)
        ):
            return True
        child, parent = parent, facts.parents.get(parent)
    return False


def _filled_unless_flag(
    facts: Facts, name: ast.Name, at: ast.AST
) -> tuple[ast.expr, ast.expr] | None:
    """(M, flag) when list `name` starts empty and its one ``append`` is the ``else`` of ``if
    flag and (...)`` inside ``for n, p in M.named_parameters()`` (or ``for p in
    M.parameters()``), appending the loop's parameter, with only ``requires_grad`` guards that
    ``continue``."""
    if [type(v) for v in assigned_values(facts, name.id, at)] != [ast.List]:
        return None
    scope = facts.function_of(at)
    appends = [
        c
        for c in facts.calls
        if isinstance(c.func, ast.Attribute)
        and isinstance(c.func.value, ast.Name)
        and c.func.value.id == name.id
        and facts.function_of(c) is scope
    ]
    if len(appends) != 1 or appends[0].func.attr != "append" or len(appends[0].args) != 1:  # type: ignore[attr-defined]
        return None
    app = appends[0]
    stmt = facts.parents.get(app)
    branch = facts.parents.get(stmt) if isinstance(stmt, ast.Expr) else None
    if not (
        isinstance(branch, ast.If)
        and stmt in branch.orelse
        and isinstance(branch.test, ast.BoolOp)
        and isinstance(branch.test.op, ast.And)
        and isinstance(branch.test.values[0], (ast.Name, ast.Attribute))
    ):
        return None
    loop = facts.parents.get(branch)
    if not isinstance(loop, ast.For) or branch not in loop.body:
        return None
    it = loop.iter
    if not (
        isinstance(it, ast.Call)
        and isinstance(it.func, ast.Attribute)
        and it.func.attr in ("parameters", "named_parameters")
        and not it.args
    ):
        return None
    target = loop.target
    if it.func.attr == "named_parameters":
        if not (isinstance(target, ast.Tuple) and len(target.elts) == 2):
            return None
        target = target.elts[1]
    if not (isinstance(target, ast.Name) and dotted(app.args[0]) == target.id):
        return None
    guards = _continue_guards(loop)
    if guards is None or any("requires_grad" not in ast.unparse(t) for t in guards):
        return None
    return it.func.value, branch.test.values[0]


def _names_excluded(params: ast.expr | None) -> tuple[ast.expr, ast.Name] | None:
    """(M, L) for ``[p for n, p in M.named_parameters() if not any(nd in n for nd in L)]``."""
    if not isinstance(params, (ast.ListComp, ast.GeneratorExp)) or len(params.generators) != 1:
        return None
    gen = params.generators[0]
    it = gen.iter
    if not (
        isinstance(it, ast.Call)
        and call_name(it) == "named_parameters"
        and isinstance(it.func, ast.Attribute)
        and len(gen.ifs) == 1
    ):
        return None
    model = it.func.value
    test = gen.ifs[0]
    if not (isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)):
        return None
    inner = test.operand
    if not (isinstance(inner, ast.Call) and call_name(inner) == "any" and len(inner.args) == 1):
        return None
    arg = inner.args[0]
    if not (isinstance(arg, ast.GeneratorExp) and isinstance(arg.generators[0].iter, ast.Name)):
        return None
    return model, arg.generators[0].iter


def _filled_only_under(facts: Facts, names: ast.Name, at: ast.AST) -> ast.expr | None:
    """The flag test (``args.x``, ``cfg["x"]``, ``self.x``) under which every change of the list
    `names` happens, when the function binds it once to ``[]`` and fills it only with
    ``append``/``extend`` there; None otherwise."""
    scope = facts.function_of(at)
    bindings = [
        a
        for a in facts.assigns
        if facts.function_of(a) is scope
        and any(
            names.id in _names(t) for t in (a.targets if isinstance(a, ast.Assign) else [a.target])
        )
    ]
    if (
        len(bindings) != 1
        or not isinstance(bindings[0], ast.Assign)
        or not isinstance(bindings[0].value, ast.List)
        or bindings[0].value.elts
    ):
        return None
    fills = [
        c
        for c in facts.calls
        if isinstance(c.func, ast.Attribute)
        and dotted(c.func.value) == names.id
        and facts.function_of(c) is scope
    ]
    if not fills or any(call_name(c) not in ("append", "extend") for c in fills):
        return None
    flag: ast.expr | None = None
    for c in fills:
        outer = [(t, truth) for _, t, truth in facts.branches(c)]
        if not outer:
            return None
        test, truth = outer[-1]
        if not truth or not isinstance(test, (ast.Name, ast.Attribute, ast.Subscript)):
            return None
        if flag is not None and ast.dump(flag) != ast.dump(test):
            return None
        flag = test
    return flag


def _list_source(facts: Facts, params: ast.Name) -> tuple[Facts, str, ast.AST] | None:
    """Where the list `params` names is filled: (that file, the list's name there, a node of
    the function that fills it). The same function's list, or the element of the tuple a helper
    returns (``muon, adamw, other = split_params(model)``)."""
    scope = facts.function_of(params)
    unpacks = [
        a
        for a in facts.assigns
        if isinstance(a, ast.Assign)
        and facts.function_of(a) is scope
        and any(params.id in _names(t) for t in a.targets)
    ]
    if len(unpacks) != 1:
        return None
    a = unpacks[0]
    if (
        len(a.targets) == 1
        and isinstance(a.value, ast.List)
        and not a.value.elts
        and isinstance(a.targets[0], ast.Name)
    ):
        return facts, params.id, a  # `params = []`, filled below
    target = a.targets[0]
    if (
        len(a.targets) != 1
        or not isinstance(target, ast.Tuple)
        or not isinstance(a.value, ast.Call)
    ):
        return None
    index = next(
        (i for i, e in enumerate(target.elts) if isinstance(e, ast.Name) and e.id == params.id),
        None,
    )
    found = callee(facts, a.value, training=False)
    if index is None or found is None:
        return None
    hf, func = found
    rets = [
        n.value
        for n in walk(func)
        if isinstance(n, ast.Return) and n.value is not None and hf.function_of(n) is func
    ]
    if (
        len(rets) != 1
        or not isinstance(rets[0], ast.Tuple)
        or len(rets[0].elts) != len(target.elts)
    ):
        return None
    element = rets[0].elts[index]
    if not isinstance(element, ast.Name):
        return None
    return hf, element.id, rets[0]


def _names(t: ast.expr) -> list[str]:
    if isinstance(t, ast.Name):
        return [t.id]
    if isinstance(t, (ast.Tuple, ast.List)):
        return [n for e in t.elts for n in _names(e)]
    return []


def _bound_once(facts: Facts, name: str, scope: ast.AST) -> bool:
    """Whether `name` is bound exactly once in `scope`, by a plain assignment (no ``+=``, no
    second binding)."""
    bindings = [
        a
        for a in facts.assigns
        if facts.function_of(a) is scope
        and any(name in _names(t) for t in (a.targets if isinstance(a, ast.Assign) else [a.target]))
    ]
    return len(bindings) == 1 and isinstance(bindings[0], ast.Assign)


def _list_holds(facts: Facts, name: str, at: ast.AST) -> tuple[str, ast.expr, ast.expr] | None:
    """(the kind of no-decay parameters list `name` surely collects, the model, the deciding
    test) when every ``append`` to it sits in a plain loop over ``M.named_parameters()`` and its
    tests hold for that kind; None otherwise (also for any other change of the list)."""
    scope = facts.function_of(at)
    fills = [
        c
        for c in facts.calls
        if isinstance(c.func, ast.Attribute)
        and dotted(c.func.value) == name
        and facts.function_of(c) is scope
    ]
    if not fills or any(call_name(c) != "append" or len(c.args) != 1 for c in fills):
        return None
    if not _bound_once(facts, name, scope):
        return None  # rebound or extended in place (``+=``): not the plain split
    for label, ndim, words in _KINDS:
        result: tuple[str, ast.expr, ast.expr] | None = None
        for c in fills:
            loop = facts.enclosing(c, (ast.For,))
            if not isinstance(loop, ast.For) or facts.function_of(loop) is not scope:
                return None
            model = loop_model(facts, loop)
            names = _target_names(loop.target, True)
            if model is None or names is None:
                return None
            pname, param = names
            arg = c.args[0]
            elts = arg.elts if isinstance(arg, ast.Tuple) else [arg]
            if not any(isinstance(e, ast.Name) and e.id == param for e in elts):
                return None
            path = [(t, truth) for n, t, truth in facts.branches(c) if _inside(facts, n, loop)]
            guards = _continue_guards(loop)
            if guards is None:
                return None
            path += [(t, False) for t in guards]
            decided = [(t, _kind_truth(facts, t, pname, param, ndim, words, at)) for t, _ in path]
            if all(
                v is not None and v == truth
                for (_, v), (_, truth) in zip(decided, path, strict=True)
            ):
                deciding = next(
                    (t for t, truth in path if truth and not _requires_grad_only_test(t)), None
                )
                if deciding is not None:
                    result = (label, model, deciding)
        if result is not None:
            return result
    return None


def _continue_guards(loop: ast.For) -> list[ast.expr] | None:
    """The tests of ``if <test>: continue`` at the top of `loop`'s body; None for any other
    ``continue`` or ``break``."""
    out: list[ast.expr] = []
    for stmt in loop.body:
        if (
            isinstance(stmt, ast.If)
            and len(stmt.body) == 1
            and isinstance(stmt.body[0], ast.Continue)
            and not stmt.orelse
        ):
            out.append(stmt.test)
            continue
        if any(isinstance(n, (ast.Continue, ast.Break)) for n in walk(stmt)):
            return None
    return out


def _kind_truth(
    facts: Facts,
    test: ast.expr,
    pname: str,
    param: str,
    ndim: int,
    words: tuple[str, ...],
    at: ast.AST,
) -> bool | None:
    """The value of `test` for a trainable parameter with `ndim` dimensions whose name carries
    one of `words` (an embedding's, a norm's; none for a bias), when a name list it is tested
    against holds such a word; None when it depends on more than that."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = _kind_truth(facts, test.operand, pname, param, ndim, words, at)
        return None if inner is None else not inner
    if isinstance(test, ast.BoolOp):
        values = [_kind_truth(facts, v, pname, param, ndim, words, at) for v in test.values]
        if isinstance(test.op, ast.Or):
            if any(v is True for v in values):
                return True
            return False if all(v is False for v in values) else None
        if any(v is False for v in values):
            return False
        return True if all(v is True for v in values) else None
    if (
        isinstance(test, ast.Attribute)
        and test.attr == "requires_grad"
        and dotted(test.value) == param
    ):
        return True
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        left, op, right = test.left, test.ops[0], test.comparators[0]
        rank = (
            (
                isinstance(left, ast.Attribute)
                and left.attr == "ndim"
                and dotted(left.value) == param
            )
            or (
                isinstance(left, ast.Call)
                and call_name(left) == "dim"
                and isinstance(left.func, ast.Attribute)
                and dotted(left.func.value) == param
            )
            or (
                isinstance(left, ast.Call)
                and call_name(left) == "len"
                and len(left.args) == 1
                and dotted(left.args[0]) == f"{param}.shape"
            )
        )
        if rank and isinstance(right, ast.Constant) and isinstance(right.value, int):
            n = right.value
            ops = {
                ast.Eq: ndim == n,
                ast.NotEq: ndim != n,
                ast.Lt: ndim < n,
                ast.LtE: ndim <= n,
                ast.Gt: ndim > n,
                ast.GtE: ndim >= n,
            }
            return ops.get(type(op))
        smallest = (
            isinstance(left, ast.Call)
            and call_name(left) == "min"
            and len(left.args) == 1
            and dotted(left.args[0]) == f"{param}.shape"
        )
        if smallest and isinstance(right, ast.Constant) and right.value == 1:
            # a bias, a norm gain or an embedding table is larger than 1 along every dimension
            return {ast.Eq: False, ast.LtE: False, ast.NotEq: True, ast.Gt: True}.get(type(op))
        return None
    if isinstance(test, ast.Call) and call_name(test) == "any" and len(test.args) == 1:
        gen = test.args[0]
        if not (
            isinstance(gen, ast.GeneratorExp)
            and len(gen.generators) == 1
            and isinstance(gen.elt, ast.Compare)
            and len(gen.elt.ops) == 1
            and isinstance(gen.elt.ops[0], ast.In)
            and dotted(gen.elt.comparators[0]) == pname
        ):
            return None
        listed = gen.generators[0].iter
        if isinstance(listed, ast.Name):
            listed = facts.local_value(listed.id, at) or listed
        if not isinstance(listed, (ast.Tuple, ast.List)) or not all(
            isinstance(w, ast.Constant) and isinstance(w.value, str) for w in listed.elts
        ):
            return None
        texts = [w.value.lower() for w in listed.elts]  # type: ignore[attr-defined]
        if words and any(e in t for t in texts for e in words):
            return True  # the names of embedding tables (or norms) match it
        return None
    return None


# -- nanoGPT's split by number of dimensions, over a model with embeddings ----------------------


def _rank_split(facts: Facts, call: ast.Call, cls: str) -> Violation | None:
    """A decaying param group that keeps a model's parameters of two or more dimensions (nanoGPT's
    ``[p for n, p in params.items() if p.dim() >= 2]``, or a list filled under such a test) when
    the model visibly holds an embedding (`stepguard.lint._embeddings`): the token and position
    tables are 2-D and decay with the weight matrices. The lead's convention: stepguard keeps
    embeddings undecayed, so this is SG102 although nanoGPT and GPT-2 do it on purpose. The same
    for an optimizer given such a list directly (``AdamW(matrices, weight_decay=0.1)`` beside a
    second optimizer for the rest)."""
    groups = _file_groups(facts, call)
    for g in groups:
        found = _rank_selected(facts, dict_get(g, "params"), g)
        decay = _group_decay(facts, call, cls, g) if found is not None else None
        if found is None or decay is None:
            continue
        held = embeddings_held(facts, model := found[0], g)
        if held is not None:
            where = f"the param group at line {g.lineno}"
            return _rank_violation(facts, call, cls, where, model, found[1], held, decay, g)
    params = params_arg(call, facts)
    if groups or params is None:
        return None
    found = _rank_selected(facts, params, call)
    if found is None:
        return None
    node = weight_decay_arg(call, cls, facts) or ast.Constant(
        value=default_decay(facts, call, cls), lineno=call.lineno, col_offset=call.col_offset
    )
    value = decay_value(facts, node, call)
    if value is None or (isinstance(value, float) and value <= 0):
        return None
    held = embeddings_held(facts, found[0], call)
    if held is None:
        return None
    where = f"the list `{short(params, 30)}` it is given"
    return _rank_violation(facts, call, cls, where, found[0], found[1], held, (node, value), None)


def _rank_violation(
    facts: Facts,
    call: ast.Call,
    cls: str,
    where: str,
    model: ast.expr,
    test: ast.expr,
    held: Embeddings,
    decay: tuple[ast.expr, Decay],
    g: ast.Dict | None,
) -> Violation:
    node, value = decay
    shown = _shown_decay(node, value)
    message = (
        f"{_who(facts, call)}{cls}(...): {where} keeps the parameters of `{short(model, 30)}` "
        f"with `{short(test, 40)}` and gives them weight_decay={shown}; embedding tables are 2-D, "
        f"so {held.describe()} {'decay' if len(held.names) > 1 else 'decays'}. nanoGPT and GPT-2 "
        "do this deliberately, but stepguard.param_groups leaves embeddings undecayed: exempt the "
        "Embedding modules by type (isinstance(module, nn.Embedding)) or build the groups with "
        "stepguard.param_groups(model, weight_decay=...)"
    )
    conditions = [Condition("weight_decay", (node,), facts, ">0"), *branch_conditions(facts, call)]
    if g is None:
        return violation(facts, call, "SG102", message, (), conditions, optimizer=cls)
    return violation(facts, call, "SG102", message, (), conditions, g, optimizer=cls)


def _rank_selected(
    facts: Facts, params: ast.expr | None, at: ast.AST
) -> tuple[ast.expr, ast.expr] | None:
    """(the model, the deciding test) when `params` keeps exactly the trainable parameters a
    rank test admits for a 2-D embedding table: a comprehension over ``M.named_parameters()``
    / ``M.parameters()`` or over a dict of them (``{n: p for n, p in M.named_parameters() if
    p.requires_grad}`` read through ``.items()`` / ``.values()``), or a list a loop fills under
    such tests (`_list_holds`). Every test must be read (`_kind_truth`) and one must be about
    the number of dimensions."""
    if isinstance(params, ast.Name):
        bound = facts.local_value(params.id, at)
        if not isinstance(bound, (ast.ListComp, ast.GeneratorExp)):
            # ``decay = []`` (or ``decay, no_decay = [], []``) filled in a loop below
            held = _list_holds(facts, params.id, at)
            if held is None:
                return _chosen_list(facts, params.id, at)
            if held[0] != _KINDS[1][0]:
                return None
            return held[1], held[2]
        params = bound
    if not isinstance(params, (ast.ListComp, ast.GeneratorExp)) or len(params.generators) != 1:
        return None
    gen = params.generators[0]
    source = _parameters_source(facts, gen.iter, at)
    if source is None or not gen.ifs or gen.is_async:
        return None
    model, named = source
    names = _target_names(gen.target, named)
    if names is None:
        return None
    pname, param = names
    if not (isinstance(params.elt, ast.Name) and params.elt.id == param):
        return None
    deciding: ast.expr | None = None
    for test in gen.ifs:
        if _kind_truth(facts, test, pname, param, 2, _EMBED_WORDS, at) is not True:
            return None
        if _kind_truth(facts, test, pname, param, 1, (), at) is False:
            deciding = deciding or test  # a test about rank: keeps 2-D, drops 1-D
    return None if deciding is None else (model, deciding)


def _chosen_list(facts: Facts, name: str, at: ast.AST) -> tuple[ast.expr, ast.expr] | None:
    """(the model, the rank test) when list `name` is filled only by ``(name if TEST else
    other).append(p)`` directly in a loop over ``M.parameters()`` / ``M.named_parameters()``, and
    TEST sends a 2-D embedding table to `name` and a 1-D tensor to the other list (PicoLLM's
    ``(decay if parameter.ndim >= 2 else scales).append(parameter)``)."""
    scope = facts.function_of(at)
    fills = [
        c
        for c in facts.calls
        if isinstance(c.func, ast.Attribute)
        and facts.function_of(c) is scope
        and (
            dotted(c.func.value) == name
            or (
                isinstance(c.func.value, ast.IfExp)
                and name in (dotted(c.func.value.body), dotted(c.func.value.orelse))
            )
        )
    ]
    if len(fills) != 1:
        return None
    c = fills[0]
    choice = c.func.value  # type: ignore[attr-defined]
    if call_name(c) != "append" or len(c.args) != 1 or not isinstance(choice, ast.IfExp):
        return None
    if not _bound_once(facts, name, scope):
        return None
    loop = facts.enclosing(c, (ast.For,))
    if (
        not isinstance(loop, ast.For)
        or facts.function_of(loop) is not scope
        or any(_inside(facts, n, loop) for n, _, _ in facts.branches(c))
        or _continue_guards(loop) != []
    ):
        return None
    source = _parameters_source(facts, loop.iter, at)
    if source is None:
        return None
    model, named = source
    names = _target_names(loop.target, named)
    if names is None:
        return None
    pname, param = names
    if dotted(c.args[0]) != param:
        return None
    into = dotted(choice.body) == name
    if _kind_truth(facts, choice.test, pname, param, 2, _EMBED_WORDS, at) is not into:
        return None
    if _kind_truth(facts, choice.test, pname, param, 1, (), at) is not (not into):
        return None
    return model, choice.test


def _target_names(target: ast.expr, named: bool) -> tuple[str, str] | None:
    """(name variable, parameter variable) bound by a loop or comprehension target over
    ``named_parameters()`` (``n, p``) or ``parameters()`` (``p``: no name variable, ""); None for
    any other target."""
    if not named:
        return ("", target.id) if isinstance(target, ast.Name) else None
    if (
        isinstance(target, ast.Tuple)
        and len(target.elts) == 2
        and isinstance(target.elts[0], ast.Name)
        and isinstance(target.elts[1], ast.Name)
    ):
        return target.elts[0].id, target.elts[1].id
    return None


def _parameters_source(
    facts: Facts, it: ast.expr, at: ast.AST, depth: int = 0
) -> tuple[ast.expr, bool] | None:
    """(the model, whether names come along) for ``M.named_parameters()``, ``M.parameters()``,
    or ``D.items()`` / ``D.values()`` of a dict ``D`` of ``M``'s named parameters: ``{n: p for
    n, p in M.named_parameters()}`` or ``dict(M.named_parameters())``, maybe filtered again by
    ``requires_grad`` into the same name (nanoGPT's two steps)."""
    if depth > 3 or not (
        isinstance(it, ast.Call) and isinstance(it.func, ast.Attribute) and not it.args
    ):
        return None
    name = it.func.attr
    if name in ("named_parameters", "parameters"):
        return it.func.value, name == "named_parameters"
    if name not in ("items", "values") or not isinstance(it.func.value, ast.Name):
        return None
    bound = reaching_value(facts, it.func.value.id, at)
    model: ast.expr | None = None
    if isinstance(bound, ast.DictComp) and len(bound.generators) == 1:
        gen = bound.generators[0]
        if (
            all(_requires_grad_only_test(t) for t in gen.ifs)
            and isinstance(gen.target, ast.Tuple)
            and len(gen.target.elts) == 2
            and dotted(bound.key) == dotted(gen.target.elts[0])
            and dotted(bound.value) == dotted(gen.target.elts[1])
        ):
            inner = _parameters_source(facts, gen.iter, bound, depth + 1)
            if inner is not None and (
                (isinstance(gen.iter, ast.Call) and call_name(gen.iter) == "items")
                or inner[1]  # names come along
            ):
                model = inner[0]
    elif (
        isinstance(bound, ast.Call)
        and call_name(bound) == "dict"
        and len(bound.args) == 1
        and isinstance(bound.args[0], ast.Call)
        and call_name(bound.args[0]) == "named_parameters"
        and isinstance(bound.args[0].func, ast.Attribute)
    ):
        model = bound.args[0].func.value
    if model is None:
        return None
    return model, name == "items"


# -- a no-decay name list without embeddings (the BERT / Hugging Face recipe) --------------------

#: Words of a no-decay name list: biases and norms (``["bias", "LayerNorm.weight"]``,
#: ``["bias", "gamma", "beta", "LayerNorm"]``).
_NAME_SPLIT_WORDS = ("bias", "norm", "ln", "gamma", "beta", "bn")


def _looped_modules(facts: Facts, model: ast.expr) -> tuple[ast.expr, list[ast.expr]] | None:
    """For a loop variable (``for layer in layers:``), the loop's iterable and the modules it
    visibly lists (``[model.backbone.embeddings] + list(model.backbone.encoder.layer)``, or a name
    bound once to that, also reversed in place); None when `model` is not a loop variable."""
    if not isinstance(model, ast.Name):
        return None
    node: ast.AST | None = model
    while node is not None:
        node = facts.parents.get(node)
        if (
            isinstance(node, (ast.For, ast.AsyncFor))
            and isinstance(node.target, ast.Name)
            and node.target.id == model.id
        ):
            break
    else:
        return None
    assert isinstance(node, (ast.For, ast.AsyncFor))
    it: ast.expr | None = node.iter
    if isinstance(it, ast.Name):
        bound = assigned_values(facts, it.id, it)
        it = bound[0] if len(bound) == 1 else None
    listed: list[ast.expr] = []
    parts = [it]
    while parts:
        part = parts.pop()
        if isinstance(part, ast.BinOp) and isinstance(part.op, ast.Add):
            parts += [part.left, part.right]
        elif isinstance(part, (ast.List, ast.Tuple)):
            listed += part.elts
    return node.iter, listed


def _name_split(facts: Facts, call: ast.Call, cls: str) -> Violation | None:
    """A decaying param group that keeps out, by name, the biases and norms of a model but not
    its embeddings (BERT's ``no_decay = ["bias", "LayerNorm.weight"]`` and the Hugging Face
    examples: ``[p for n, p in model.named_parameters() if not any(nd in n for nd in
    no_decay)]``), when the linter can establish that the model holds embeddings: a class of the
    tree that builds an ``nn.Embedding`` (`stepguard.lint._embeddings`), or a transformers model
    (``AutoModel*.from_pretrained``, ``BertForSequenceClassification``...: every one has input
    embeddings). The lead's convention: decayed embeddings are SG102 whatever recipe decays them
    (`stepguard.audit` reports the same groups); silent when the model is not known."""
    for g in _file_groups(facts, call):
        found = _name_selected(facts, dict_get(g, "params"), g)
        if found is None:
            continue
        model, words = found
        decay = _group_decay(facts, call, cls, g)
        if decay is None:
            continue
        held = embeddings_held(facts, model, g)
        verb = "decay"
        looped = _looped_modules(facts, model)
        if looped is not None:
            # ``for layer in [model.backbone.embeddings] + list(model.backbone.encoder.layer)``
            # (layer-wise LR decay): only a listed embedding module holds tables
            embedding = next(
                (e for e in looped[1] if names_embedding((dotted(e) or "").rsplit(".", 1)[-1])),
                None,
            )
            if embedding is None:
                continue
            tables = (
                f"the embedding tables of `{short(embedding, 40)}`, which the loop over "
                f"`{short(looped[0], 40)}` puts in this group"
            )
            verb = "decay"
        elif held is not None:
            tables = held.describe()
            verb = "decay" if len(held.names) > 1 else "decays"
        else:
            hf = transformers_model(facts, model, g)
            if hf is not None:
                tables = (
                    f"the input embedding tables of the transformers model `{short(model, 30)}` "
                    f"(`{hf}`: word / position embeddings, `get_input_embeddings()`)"
                )
            elif (
                (naming := hf_norm_naming(words)) is not None
                and model_unseen(facts, model, g)
                and (where := imports_hf_library(facts)) is not None
            ):
                # the model cannot be seen, but the list speaks Hugging Face's parameter names
                tables = (
                    f"the input embedding tables of `{short(model, 30)}` (assumed a Hugging Face "
                    f"transformers model: the no-decay list uses its `{naming}` naming and "
                    f"{where}; every such model has input embeddings, `get_input_embeddings()`)"
                )
            else:
                continue
        node, value = decay
        shown = _shown_decay(node, value)
        listed = ", ".join(repr(w) for w in words[:4]) + (", …" if len(words) > 4 else "")
        message = (
            f"{_who(facts, call)}{cls}(...): the param group at line {g.lineno} keeps out of "
            f"decay only the names matching [{listed}] and gets weight_decay={shown}, so "
            f"{tables} {verb}. This is the BERT / Hugging Face recipe (deliberate there, like "
            "nanoGPT's), but stepguard.audit and stepguard.param_groups treat embeddings as "
            "no-decay: exempt the Embedding modules by type (isinstance(module, nn.Embedding)) "
            "or build the groups with stepguard.param_groups(model, weight_decay=...)"
        )
        conditions = [
            Condition("weight_decay", (node,), facts, ">0"),
            *branch_conditions(facts, call),
        ]
        return violation(facts, call, "SG102", message, (), conditions, g, optimizer=cls)
    return None


def _name_selected(
    facts: Facts, params: ast.expr | None, at: ast.AST
) -> tuple[ast.expr, list[str]] | None:
    """(the model, the words) when `params` keeps the named parameters of a model whose names
    match no word of literal no-decay lists that name biases (and maybe norms) but no embedding:
    ``[p for n, p in M.named_parameters() if not any(nd in n for nd in no_decay)]``, the pairs
    maybe bound first (``param_optimizer = list(M.named_parameters())``); ``p.requires_grad``
    tests aside."""
    if isinstance(params, ast.Name):
        params = facts.local_value(params.id, at)
    if not isinstance(params, (ast.ListComp, ast.GeneratorExp)) or len(params.generators) != 1:
        return None
    gen = params.generators[0]
    it = gen.iter
    if isinstance(it, ast.Name):
        it = facts.local_value(it.id, at) or it
    if isinstance(it, ast.Call) and call_name(it) == "list" and len(it.args) == 1:
        it = it.args[0]
    if not (
        isinstance(it, ast.Call)
        and call_name(it) == "named_parameters"
        and isinstance(it.func, ast.Attribute)
        and isinstance(gen.target, ast.Tuple)
        and len(gen.target.elts) == 2
        and isinstance(gen.target.elts[0], ast.Name)
        and dotted(params.elt) == dotted(gen.target.elts[1])
    ):
        return None
    pname = gen.target.elts[0].id
    words: list[str] = []
    for t in gen.ifs:
        for c in t.values if isinstance(t, ast.BoolOp) and isinstance(t.op, ast.And) else [t]:
            if _requires_grad_only_test(c):
                continue
            found = _excluded_words(facts, c, pname, at)
            if found is None:
                return None
            words += found
    if not any("bias" in w.lower() for w in words) or any(names_embedding(w) for w in words):
        return None
    if not all(any(k in w.lower() for k in _NAME_SPLIT_WORDS) for w in words):
        return None
    return it.func.value, words


def _excluded_words(facts: Facts, test: ast.expr, pname: str, at: ast.AST) -> list[str] | None:
    """The words of ``not any(nd in n for nd in WORDS)`` (a literal list or a name bound to one)
    or of ``"bias" not in n``; None for any other test."""
    if (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.NotIn)
        and isinstance(test.left, ast.Constant)
        and isinstance(test.left.value, str)
        and dotted(test.comparators[0]) == pname
    ):
        return [test.left.value]
    if not (isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)):
        return None
    inner = test.operand
    if not (isinstance(inner, ast.Call) and call_name(inner) == "any" and len(inner.args) == 1):
        return None
    gen = inner.args[0]
    if not (
        isinstance(gen, ast.GeneratorExp)
        and len(gen.generators) == 1
        and isinstance(gen.elt, ast.Compare)
        and len(gen.elt.ops) == 1
        and isinstance(gen.elt.ops[0], ast.In)
        and dotted(gen.elt.left) == dotted(gen.generators[0].target)
        and dotted(gen.elt.comparators[0]) == pname
    ):
        return None
    words: ast.expr | None = gen.generators[0].iter
    if isinstance(words, ast.Name):
        words = name_list(facts, words.id, at)
    if not isinstance(words, (ast.List, ast.Tuple, ast.Set)) or not words.elts:
        return None
    out = [e.value for e in words.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return out if len(out) == len(words.elts) else None


#: The ways of building groups that still decay biases, norms or embeddings, tried in this order
#: (after `_no_decay_group`, and only when more than adapters train); the first finding wins.
_GROUP_SHAPES: tuple[Callable[[Facts, ast.Call, str], Violation | None], ...] = (
    _bias_only_group,
    _split_groups,
    _imported_groups,
    _override_groups,
    _undecided_groups,
    _split_list,
    _flagged_split,
    _switched_filter,
    _timm_split,
    _rank_split,
    _name_split,
    _word_exempt_split,
    _skip_list_omitted,
)

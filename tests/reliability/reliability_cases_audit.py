"""Reliability cases for the audit (`stepguard.audit`) and the weight-decay conventions
(`decay_timescale`, `weight_decay_for_timescale`, `convert_weight_decay`, `schedule_length`):
what a new user passes by mistake, and the edges of valid input."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import torch
from reliability_harness import Case
from reliability_models import adamw, frozen, loss, meta, net
from torch import nn
from torch.optim import lr_scheduler as L

from stepguard import (
    Report,
    Severity,
    audit,
    convert_weight_decay,
    decay_timescale,
    param_groups,
    schedule_length,
    weight_decay_for_timescale,
)


def E(name: str, run: Callable[[], Any], match: str, **kw: Any) -> Case:
    return Case("audit", name, run, match=match, **kw)


def OK(name: str, run: Callable[[], Any], check: Callable[[Any], bool | str] | None = None) -> Case:
    return Case("audit", name, run, expect="ok", check=check)


def _audit(**kw: Any) -> Report:
    m = net()
    return audit(m, adamw(m), **kw)


def _with_group(key: str, value: Any) -> Callable[[], Report]:
    def run() -> Report:
        m = net()
        opt = adamw(m)
        opt.param_groups[0][key] = value
        return audit(m, opt, total_steps=100)

    return run


def _sgd(momentum: float, dampening: float, total: int = 100, wd: float = 0.5) -> Report:
    m = net()
    opt = torch.optim.SGD(
        m.parameters(), lr=0.1, momentum=momentum, dampening=dampening, weight_decay=wd
    )
    return audit(m, opt, total_steps=total)


def _advice_runs(report: Report) -> bool | str:
    """SG105's fix is a call; running it gives the value it prints and the one in `data`."""
    [f] = report.by_code("SG105")
    code, printed = f.fix.split("  # = ")
    namespace: dict[str, Any] = {"weight_decay_for_timescale": weight_decay_for_timescale}
    exec(code, namespace)
    value = namespace["weight_decay"]
    if value != f.data["suggested_weight_decay"] or printed != f"{value:.3g}":
        return f"advice {f.fix!r} returns {value!r}"
    return True


def _sg105(report: Report) -> list[Any]:
    return report.by_code("SG105")


def _other_optimizer_scheduler() -> Report:
    m = net()
    stale = adamw(m)
    sched = L.CosineAnnealingLR(stale, T_max=100)
    return audit(m, adamw(m), scheduler=sched, total_steps=100)


def _own_scheduler(make: Callable[[torch.optim.Optimizer], Any], **kw: Any) -> Report:
    m = net()
    opt = adamw(m)
    return audit(m, opt, scheduler=make(opt), **kw)


def _two_optimizers_same_params() -> Report:
    m = net()
    return audit(m, [adamw(m), adamw(m)])


def _tied() -> Report:
    tied = nn.Sequential(nn.Embedding(10, 8), nn.Linear(8, 10, bias=False))
    tied[1].weight = tied[0].weight
    return audit(tied, torch.optim.AdamW(param_groups(tied, 0.1)))


def _lazy() -> Report:
    m = nn.Sequential(nn.LazyLinear(4), nn.ReLU(), nn.Linear(4, 2))
    return audit(m, torch.optim.AdamW(m.parameters(), lr=1e-3))


def _foreign() -> Report:
    return audit(net(), adamw(net()))


def _penalty() -> Report:
    m = net()
    opt = adamw(m, weight_decay=0.1)
    penalised = loss(m) + 1e-4 * sum(p.pow(2).sum() for p in m.parameters())
    return audit(m, opt, loss=penalised)


def _nan_loss() -> Report:
    m = net()
    return audit(m, adamw(m), loss=loss(m) * float("nan"))


def _sched_len(make: Callable[[torch.optim.Optimizer], Any]) -> tuple[int | None, str]:
    return schedule_length(make(adamw(net())))


def _hf_cosine(opt: torch.optim.Optimizer) -> Any:
    from transformers import get_cosine_schedule_with_warmup

    return get_cosine_schedule_with_warmup(opt, 10, 500)


def _wsd(opt: torch.optim.Optimizer) -> Any:
    def shape(
        step: int, num_warmup_steps: int, num_stable_steps: int, num_decay_steps: int
    ) -> float:
        return 1.0

    return L.LambdaLR(
        opt,
        functools.partial(shape, num_warmup_steps=10, num_stable_steps=80, num_decay_steps=10),
    )


CASES = [
    # --- what is audited: the model
    E("audit(None, opt)", lambda: audit(None, adamw(net())), r"nn\.Module, got NoneType"),
    E(
        "audit(model.parameters(), opt)",
        lambda: audit(net().parameters(), adamw(net())),
        r"nn\.Module, got generator",
    ),
    E(
        "audit(model.state_dict(), opt)",
        lambda: audit(net().state_dict(), adamw(net())),
        r"nn\.Module, got OrderedDict.*not model\.parameters\(\) or a state_dict",
    ),
    E("audit('model', opt)", lambda: audit("model", adamw(net())), r"nn\.Module, got str"),
    E(
        "audit(frozen model, opt)",
        lambda: audit(frozen(), adamw(net())),
        r"Net has no trainable parameters .*unfreeze",
    ),
    E(
        "audit(nn.Module(), opt): no parameters at all",
        lambda: audit(nn.Module(), adamw(net())),
        r"Module has no trainable parameters \(0 tensors",
    ),
    E(
        "audit(model on the meta device, opt)",
        lambda: audit(meta(), torch.optim.AdamW(meta().parameters())),
        r"on the meta device.*allow_meta=True",
    ),
    OK(
        "audit(meta model, opt, allow_meta=True): structure only",
        lambda: (
            lambda m: audit(m, torch.optim.AdamW(m.parameters(), weight_decay=0.1), allow_meta=True)
        )(meta()),
        lambda r: r.codes == ["SG102"] or f"codes {r.codes}",
    ),
    OK(
        "audit(model with an uninitialised LazyLinear)",
        _lazy,
        lambda r: "SG104" not in r.codes or f"codes {r.codes}",
    ),
    OK(
        "audit(nn.DataParallel(model), opt)",
        lambda: (lambda m: audit(nn.DataParallel(m), adamw(m)))(net()),
        lambda r: r.summary["model tensors"] == 7 or r.summary,
    ),
    OK(
        "audit(tied embedding/output weights)",
        _tied,
        lambda r: r.summary["model tensors"] == 1 or r.summary,  # one tensor, two names
    ),
    # --- the optimizer
    E("audit(model, None)", lambda: audit(net(), None), r"Optimizer, got NoneType"),
    E("audit(model, 'adamw')", lambda: audit(net(), "adamw"), r"Optimizer, got str"),
    E(
        "audit(model, torch.optim.AdamW): the class, not an instance",
        lambda: audit(net(), torch.optim.AdamW),
        r"Optimizer, got type",
    ),
    E("audit(model, [])", lambda: audit(net(), []), r"list of nothing"),
    E(
        "audit(model, param_groups(...)): the groups, not the optimizer",
        lambda: (lambda m: audit(m, param_groups(m, 0.1)))(net()),
        r"not its param groups",
    ),
    E(
        "audit(model, opt.state_dict())",
        lambda: (lambda m: audit(m, adamw(m).state_dict()))(net()),
        r"Optimizer, got dict",
    ),
    E(
        "audit(model, (opt, sched)): configure_optimizers' tuple",
        lambda: (lambda m, o: audit(m, (o, L.StepLR(o, 10))))(net(), adamw(net())),
        r"tuple of AdamW, StepLR",
    ),
    OK(
        "audit(model, optimizer of another model instance): SG104",
        _foreign,
        lambda r: "SG104" in r.codes or f"codes {r.codes}",
    ),
    OK(
        "audit(model, [opt, opt2]) holding the same tensors: SG104 duplicate",
        _two_optimizers_same_params,
        lambda r: any(f.data.get("kind") == "duplicate" for f in r.by_code("SG104")) or r.codes,
    ),
    # --- param-group values changed after the optimizer was built
    E("param group lr = nan", _with_group("lr", float("nan")), r"group 0 has lr=nan"),
    E("param group lr = inf", _with_group("lr", math.inf), r"group 0 has lr=inf"),
    E("param group lr = -1e-3", _with_group("lr", -1e-3), r"group 0 has lr=-0.001"),
    E(
        "param group weight_decay = nan",
        _with_group("weight_decay", float("nan")),
        r"group 0 has weight_decay=nan",
    ),
    E(
        "param group weight_decay = -0.1",
        _with_group("weight_decay", -0.1),
        r"weight_decay=-0.1.*finite weight_decay >= 0",
    ),
    E(
        "param group weight_decay = 'high'",
        _with_group("weight_decay", "high"),
        r"weight_decay='high', not a number",
    ),
    OK(
        "param group weight_decay = tensor(0.01)",
        _with_group("weight_decay", torch.tensor(0.01)),
        lambda r: isinstance(r, Report),
    ),
    OK(
        "param group weight_decay = None",
        _with_group("weight_decay", None),
        lambda r: "SG102" not in r.codes or r.codes,
    ),
    # --- run lengths
    E("total_steps=0", lambda: _audit(total_steps=0), r"total_steps must be an integer >= 1"),
    E("total_steps=-5", lambda: _audit(total_steps=-5), r"total_steps must be an integer >= 1"),
    E("total_steps=10.5", lambda: _audit(total_steps=10.5), r"total_steps .* got 10\.5"),
    E("total_steps=nan", lambda: _audit(total_steps=float("nan")), r"total_steps .* got nan"),
    E("total_steps=inf", lambda: _audit(total_steps=math.inf), r"total_steps .* got inf"),
    E("total_steps='1000'", lambda: _audit(total_steps="1000"), r"total_steps .* got '1000'"),
    E("total_steps=True", lambda: _audit(total_steps=True), r"total_steps .* got True"),
    E("accum_steps=0", lambda: _audit(accum_steps=0), r"accum_steps must be an integer >= 1"),
    E("accum_steps=2.0", lambda: _audit(accum_steps=2.0), r"accum_steps .* got 2\.0"),
    E("accum_steps=None", lambda: _audit(accum_steps=None), r"accum_steps .* got None"),
    E("steps_per_epoch=0", lambda: _audit(steps_per_epoch=0), r"steps_per_epoch .* >= 1"),
    OK(
        "total_steps as a numpy int64",
        lambda: _audit(total_steps=__import__("numpy").int64(100)),
        lambda r: r.summary["total_steps"] == 100 or r.summary,
    ),
    # --- SG105's band
    E(
        "tau_band=(10, 0.01): reversed",
        lambda: _audit(total_steps=10, tau_band=(10.0, 0.01)),
        r"0 < low < high",
    ),
    E("tau_band=None", lambda: _audit(total_steps=10, tau_band=None), r"pair of numbers"),
    E(
        "tau_band=(nan, 1)",
        lambda: _audit(total_steps=10, tau_band=(float("nan"), 1.0)),
        r"0 < low < high",
    ),
    E("tau_band='ab'", lambda: _audit(total_steps=10, tau_band="ab"), r"pair of numbers"),
    E(
        "tau_band=(0.01, 10, 100): three values",
        lambda: _audit(total_steps=10, tau_band=(0.01, 10, 100)),
        r"pair of numbers",
    ),
    E("tau_band=(0, 10)", lambda: _audit(total_steps=10, tau_band=(0, 10)), r"0 < low < high"),
    OK(
        "tau_band=(0.01, inf): no info side, even on a long run with tiny decay",
        lambda: (
            lambda m: audit(
                m, adamw(m, weight_decay=1e-6), total_steps=10**6, tau_band=(0.01, math.inf)
            )
        )(net()),
        lambda r: _sg105(r) == [] or r.codes,
    ),
    # --- defect 9: SGD with momentum
    OK(
        "SGD(momentum=0.9, dampening=1.0, weight_decay>0), total_steps=100: no ZeroDivisionError",
        lambda: _sgd(0.9, 1.0),
        lambda r: _sg105(r) == [] or r.codes,
    ),
    OK(
        "SGD(momentum=1.0): no steady state, SG105 skipped",
        lambda: _sgd(1.0, 0.0),
        lambda r: _sg105(r) == [],
    ),
    OK("SGD(momentum=1.5): no steady state", lambda: _sgd(1.5, 0.0), lambda r: _sg105(r) == []),
    OK("SGD(dampening=1.5)", lambda: _sgd(0.9, 1.5), lambda r: _sg105(r) == []),
    OK(
        "SG105 advice for SGD(momentum=0.9) prints what the call returns",
        lambda: _sgd(0.9, 0.0, total=10_000),
        _advice_runs,
    ),
    OK(
        "SG105 advice for SGD(momentum=0.9, dampening=0.5) prints what the call returns",
        lambda: _sgd(0.9, 0.5, total=10_000),
        _advice_runs,
    ),
    OK(
        "SG105 advice for plain SGD prints what the call returns",
        lambda: _sgd(0.0, 0.0, total=10_000),
        _advice_runs,
    ),
    OK(
        "SG105 advice for AdamW prints what the call returns",
        lambda: (lambda m: audit(m, adamw(m, weight_decay=10.0), total_steps=100_000))(net()),
        _advice_runs,
    ),
    OK(
        "SG105 info silent on a 100-step toy run (advice would be weight_decay = 30)",
        lambda: _audit(total_steps=100),
        lambda r: _sg105(r) == [] or [f.fix for f in _sg105(r)],
    ),
    OK(
        "SG105 info silent on seed 000's fix (460 steps, advice would be 21.7)",
        lambda: (
            lambda m: audit(m, torch.optim.AdamW(param_groups(m, 1e-2), lr=3e-4), total_steps=460)
        )(net()),
        lambda r: _sg105(r) == [] or [f.fix for f in _sg105(r)],
    ),
    OK(
        "SG105 info fires on a long run where decay does nothing (sane advice 0.03)",
        lambda: (
            lambda m: audit(
                m, torch.optim.AdamW(param_groups(m, 1e-4), lr=1e-3), total_steps=100_000
            )
        )(net()),
        lambda r: [f.severity for f in _sg105(r)] == [Severity.INFO] or r.codes,
    ),
    OK(
        "SG105 warning still fires on a short run with a huge decay",
        lambda: (lambda m: audit(m, adamw(m, weight_decay=1000.0), total_steps=1000))(net()),
        lambda r: [f.severity for f in _sg105(r)] == [Severity.WARNING] or r.codes,
    ),
    # --- the scheduler
    E(
        "scheduler='cos'",
        lambda: _audit(scheduler="cos", total_steps=100),
        r"scheduler must be a learning-rate scheduler.*got str",
    ),
    E("scheduler=5", lambda: _audit(scheduler=5), r"scheduler must be .*got int"),
    E(
        "scheduler=CosineAnnealingLR: the class",
        lambda: _audit(scheduler=L.CosineAnnealingLR),
        r"scheduler must be .*got type",
    ),
    E(
        "scheduler bound to another optimizer",
        _other_optimizer_scheduler,
        r"drives another AdamW, not the optimizer being audited",
    ),
    E(
        "scheduler={'interval': 'step'}: Lightning dict without the scheduler",
        lambda: _audit(scheduler={"interval": "step"}),
        r"without a 'scheduler' key",
    ),
    OK(
        "scheduler={'scheduler': sched, 'interval': 'step'}: Lightning's dict",
        lambda: _own_scheduler(
            lambda o: {"scheduler": L.CosineAnnealingLR(o, 50)}, total_steps=100
        ),
        lambda r: r.summary["schedule length"] == 50 or r.summary,
    ),
    OK(
        "scheduler=ReduceLROnPlateau: no length, no error",
        lambda: _own_scheduler(L.ReduceLROnPlateau, total_steps=100),
        lambda r: str(r.summary["schedule length"]).startswith("unknown") or r.summary,
    ),
    OK(
        "scheduler=LambdaLR(plain lambda): length unknown",
        lambda: _own_scheduler(
            lambda o: L.LambdaLR(o, lambda s: 1.0), total_steps=100, accum_steps=4
        ),
        lambda r: "SG205" not in r.codes or r.codes,
    ),
    # --- the loss
    E("loss=1.23 (loss.item())", lambda: _audit(loss=1.23), r"not `loss\.item\(\)`"),
    E(
        "loss=model output (not reduced)",
        lambda: (lambda m: audit(m, adamw(m), loss=m(torch.randn(3, 8))))(net()),
        r"scalar tensor, got shape \(3, 2\)",
    ),
    E(
        "loss detached",
        lambda: (lambda m: audit(m, adamw(m), loss=loss(m).detach()))(net()),
        r"no autograd graph",
    ),
    E("loss='ce'", lambda: _audit(loss="ce"), r"loss must be the loss tensor"),
    OK(
        "loss that is NaN: its graph is still read",
        _nan_loss,
        lambda r: r.summary["norm-penalised tensors (loss)"] == 0 or r.summary,
    ),
    OK(
        "loss with an explicit L2 penalty while AdamW decays: SG103",
        _penalty,
        lambda r: "SG103" in r.codes or r.codes,
    ),
    # --- classify's options through the audit
    E("patterns=None", lambda: _audit(patterns=None), r"patterns must be a collection of strings"),
    E("patterns='bias': a string", lambda: _audit(patterns="bias"), r"not the string 'bias'"),
    E("no_decay=None", lambda: _audit(no_decay=None), r"no_decay must be a collection"),
    E("no_decay={'bogus'}", lambda: _audit(no_decay={"bogus"}), r"unknown no_decay categories"),
    E(
        "decay_embeddings='yes'",
        lambda: _audit(decay_embeddings="yes"),
        r"decay_embeddings must be True or False",
    ),
    E("allow_meta=1", lambda: _audit(allow_meta=1), r"allow_meta must be True or False"),
    # --- decay_timescale / weight_decay_for_timescale / convert_weight_decay
    E("decay_timescale(lr=0, 0.1)", lambda: decay_timescale(0, 0.1), r"lr must be > 0"),
    E("decay_timescale(lr=-1e-3, 0.1)", lambda: decay_timescale(-1e-3, 0.1), r"lr must be > 0"),
    E(
        "decay_timescale(lr=nan, 0.1)",
        lambda: decay_timescale(float("nan"), 0.1),
        r"lr must be finite",
    ),
    E("decay_timescale(lr=inf, 0.1)", lambda: decay_timescale(math.inf, 0.1), r"lr must be finite"),
    E(
        "decay_timescale(1e-3, weight_decay=-0.1)",
        lambda: decay_timescale(1e-3, -0.1),
        r"weight_decay must be >= 0",
    ),
    E(
        "decay_timescale('1e-3', 0.1)",
        lambda: decay_timescale("1e-3", 0.1),
        r"lr must be a real number",
    ),
    E(
        "decay_timescale(None, 0.1)",
        lambda: decay_timescale(None, 0.1),
        r"lr must be a real number",
    ),
    E(
        "decay_timescale(True, 0.1)",
        lambda: decay_timescale(True, 0.1),
        r"lr must be a real number",
    ),
    E(
        "decay_timescale(tensor(1e-3), 0.1)",
        lambda: decay_timescale(torch.tensor(1e-3), 0.1),
        r"lr must be a real number",
    ),
    OK(
        "decay_timescale(1e-3, 0): no decay",
        lambda: decay_timescale(1e-3, 0),
        lambda v: v == math.inf,
    ),
    OK(
        "decay_timescale(1e-3, 0.1) == 10000",
        lambda: decay_timescale(1e-3, 0.1),
        lambda v: v == 10_000,
    ),
    E(
        "weight_decay_for_timescale(0, 1e-3)",
        lambda: weight_decay_for_timescale(0, 1e-3),
        r"tau_steps must be > 0",
    ),
    E(
        "weight_decay_for_timescale(-5, 1e-3)",
        lambda: weight_decay_for_timescale(-5, 1e-3),
        r"tau_steps must be > 0",
    ),
    E(
        "weight_decay_for_timescale(nan, 1e-3)",
        lambda: weight_decay_for_timescale(float("nan"), 1e-3),
        r"tau_steps must be finite",
    ),
    E(
        "weight_decay_for_timescale(1e4, lr=0)",
        lambda: weight_decay_for_timescale(1e4, 0),
        r"lr must be > 0",
    ),
    E(
        "weight_decay_for_timescale('1e4', 1e-3)",
        lambda: weight_decay_for_timescale("1e4", 1e-3),
        r"tau_steps must be a real number",
    ),
    OK(
        "weight_decay_for_timescale(inf, 1e-3) == 0",
        lambda: weight_decay_for_timescale(math.inf, 1e-3),
        lambda v: v == 0.0,
    ),
    OK(
        "weight_decay_for_timescale inverts decay_timescale",
        lambda: weight_decay_for_timescale(decay_timescale(3e-4, 0.05), 3e-4),
        lambda v: math.isclose(v, 0.05, rel_tol=1e-12) or v,
    ),
    E(
        "convert_weight_decay(to='adam')",
        lambda: convert_weight_decay(0.1, from_="torch", to="adam"),
        r"to='adam' is not a convention",
    ),
    E(
        "convert_weight_decay(from_=None)",
        lambda: convert_weight_decay(0.1, from_=None, to="torch"),
        r"from_=None is not a convention",
    ),
    E(
        "convert_weight_decay torch -> decoupled without lr",
        lambda: convert_weight_decay(0.1, from_="torch", to="decoupled"),
        r"lr must be a real number",
    ),
    E(
        "convert_weight_decay -> tau_epochs without steps_per_epoch",
        lambda: convert_weight_decay(1e-4, from_="decoupled", to="tau_epochs"),
        r"needs steps_per_epoch=",
    ),
    E(
        "convert_weight_decay(steps_per_epoch=0)",
        lambda: convert_weight_decay(1e-4, from_="decoupled", to="tau_epochs", steps_per_epoch=0),
        r"steps_per_epoch must be > 0",
    ),
    E(
        "convert_weight_decay(-0.1)",
        lambda: convert_weight_decay(-0.1, from_="torch", to="decoupled", lr=1e-3),
        r"value must be >= 0",
    ),
    E(
        "convert_weight_decay(nan)",
        lambda: convert_weight_decay(float("nan"), from_="torch", to="decoupled", lr=1e-3),
        r"value must be finite",
    ),
    E(
        "convert_weight_decay(tau_steps=0)",
        lambda: convert_weight_decay(0, from_="tau_steps", to="torch", lr=1e-3),
        r"value must be > 0",
    ),
    E(
        "convert_weight_decay(lr=0)",
        lambda: convert_weight_decay(0.1, from_="torch", to="decoupled", lr=0),
        r"lr must be > 0",
    ),
    OK(
        "convert_weight_decay(0, torch -> tau_steps) == inf",
        lambda: convert_weight_decay(0.0, from_="torch", to="tau_steps", lr=1e-3),
        lambda v: v == math.inf,
    ),
    OK(
        "convert_weight_decay round trip torch -> tau_epochs -> torch",
        lambda: convert_weight_decay(
            convert_weight_decay(0.1, from_="torch", to="tau_epochs", lr=1e-3, steps_per_epoch=500),
            from_="tau_epochs",
            to="torch",
            lr=1e-3,
            steps_per_epoch=500,
        ),
        lambda v: math.isclose(v, 0.1, rel_tol=1e-12) or v,
    ),
    # --- schedule_length
    E(
        "schedule_length(None)",
        lambda: schedule_length(None),
        r"needs a learning-rate scheduler object",
    ),
    E("schedule_length('cosine')", lambda: schedule_length("cosine"), r"got str 'cosine'"),
    E(
        "schedule_length(CosineAnnealingLR): the class",
        lambda: schedule_length(L.CosineAnnealingLR),
        r"got type",
    ),
    E("schedule_length({})", lambda: schedule_length({}), r"without a 'scheduler' key"),
    OK(
        "schedule_length(CosineAnnealingLR(T_max=300))",
        lambda: _sched_len(lambda o: L.CosineAnnealingLR(o, 300)),
        lambda v: v[0] == 300 or v,
    ),
    OK(
        "schedule_length(OneCycleLR(total_steps=120))",
        lambda: _sched_len(lambda o: L.OneCycleLR(o, 0.1, total_steps=120)),
        lambda v: v[0] == 120 or v,
    ),
    OK(
        "schedule_length(StepLR): no run length",
        lambda: _sched_len(lambda o: L.StepLR(o, 10)),
        lambda v: v[0] is None or v,
    ),
    OK(
        "schedule_length(LambdaLR(lambda)): unknown",
        lambda: _sched_len(lambda o: L.LambdaLR(o, lambda s: 1.0)),
        lambda v: v[0] is None or v,
    ),
    OK(
        "schedule_length(transformers cosine with warmup)",
        lambda: _sched_len(_hf_cosine),
        lambda v: v[0] == 500 or v,
    ),
    OK("schedule_length(WSD partial)", lambda: _sched_len(_wsd), lambda v: v[0] == 100 or v),
    OK(
        "schedule_length(SequentialLR warmup + cosine)",
        lambda: _sched_len(
            lambda o: L.SequentialLR(
                o, [L.LinearLR(o, 0.1, 1.0, 10), L.CosineAnnealingLR(o, 90)], milestones=[10]
            )
        ),
        lambda v: v[0] == 100 or v,
    ),
]

"""Monitor: attaching and detaching, the detections on the seeds' buggy vs fixed loops."""

from __future__ import annotations

import warnings

import pytest
import torch
import torch.nn.functional as F
import torch.nn.utils.clip_grad as clip_grad_mod
from torch import nn
from torch.nn.utils import clip_grad_norm_ as clip_imported_before_attach
from torch.optim import optimizer as optim_mod

from stepguard.monitoring import Monitor


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    # Tiny tensors: intra-op threads only add contention (and are slow on a shared machine).
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


K = 4
UPDATES = 5
SG2 = {"SG201", "SG202", "SG203", "SG204", "SG208", "SG209", "SG210", "SG211", "SG106"}


def mlp(norm: type[nn.Module] = nn.LayerNorm) -> nn.Module:
    torch.manual_seed(0)
    mid = nn.GroupNorm(4, 16) if norm is nn.GroupNorm else norm(16)
    return nn.Sequential(nn.Linear(8, 16), mid, nn.ReLU(), nn.Linear(16, 2))


def data(n: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    g = torch.Generator().manual_seed(1)
    out = []
    for _ in range(n):
        x = torch.randn(6, 8, generator=g)
        out.append((x, (x[:, 0] > 0).long()))
    return out


def setup(norm: type[nn.Module] = nn.LayerNorm) -> tuple[nn.Module, torch.optim.Optimizer, object]:
    model = mlp(norm)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=1e-2)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 10))
    return model, opt, sched


def seed003_loop(model, opt, sched, *, bug: bool, k: int = K, updates: int = UPDATES) -> None:
    """The seed's accumulation loop (bug: no /k, clip and scheduler per micro-batch)."""
    batches = iter(data(k * updates))
    for _ in range(updates):
        for _ in range(k):
            x, y = next(batches)
            loss = F.cross_entropy(model(x), y)
            if not bug:
                loss = loss / k
            loss.backward()
            if bug:
                nn.utils.clip_grad_norm_(model.parameters(), 0.5)
                sched.step()
        if not bug:
            nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        opt.step()
        opt.zero_grad(set_to_none=True)
        if not bug:
            sched.step()


def run(loop, *, norm: type[nn.Module] = nn.LayerNorm, **kw) -> Monitor:
    model, opt, sched = setup(norm)
    with Monitor(model, opt, scheduler=sched, audit=False) as mon:
        loop(model, opt, sched, **kw)
    return mon


def codes(mon: Monitor) -> set[str]:
    return {f.code for f in mon.findings}


def test_seed003_buggy_loop_fires_sg201_sg202_sg203_on_every_step():
    mon = run(seed003_loop, bug=True)
    found = {f.code: f for f in mon.findings}
    assert codes(mon) == {"SG201", "SG202", "SG203"}
    for code in ("SG201", "SG202", "SG203"):
        assert (found[code].step, found[code].count) == (1, UPDATES)
    assert "4 times" in found["SG202"].message
    assert "[1, 2, 3]" in found["SG203"].message


def test_seed003_fixed_loop_is_silent():
    mon = run(seed003_loop, bug=False)
    assert codes(mon) == set()
    assert [r["micro_batches"] for r in mon.history] == [K] * UPDATES


def test_non_accumulating_loop_with_scheduler_and_clip_per_batch_is_silent():
    mon = run(seed003_loop, bug=True, k=1, updates=4)
    assert codes(mon) == set()


def test_sg201_reads_every_way_of_scaling_the_loss():
    def loop(model, opt, sched, *, how: str) -> None:
        for i, (x, y) in enumerate(data(2 * K)):
            loss = F.cross_entropy(model(x), y)
            if how == "div":
                (loss / K).backward()
            elif how == "mul":
                (loss * (1.0 / K)).backward()
            elif how == "rmul-tensor":
                (torch.tensor(1.0 / K) * loss).backward()
            elif how == "gradient":
                loss.backward(gradient=torch.tensor(1.0 / K))
            elif how == "item-count":
                (F.cross_entropy(model(x), y, reduction="sum") / (K * len(y))).backward()
            else:
                loss.backward()
            if (i + 1) % K == 0:
                opt.step()
                opt.zero_grad()

    for how in ("div", "mul", "rmul-tensor", "gradient", "item-count"):
        assert "SG201" not in codes(run(loop, how=how)), how
    mon = run(loop, how="none")
    assert [(f.code, f.step, f.count) for f in mon.findings] == [("SG201", 1, 2)]


def test_sg201_ignores_the_gradscaler_scale_but_not_a_missing_division():
    def loop(model, opt, sched, *, divide: bool) -> Monitor:
        scaler = torch.amp.GradScaler("cpu", init_scale=8.0)
        with Monitor(model, opt, scaler=scaler, audit=False) as mon:
            for i, (x, y) in enumerate(data(2 * K)):
                loss = F.cross_entropy(model(x), y)
                scaler.scale(loss / K if divide else loss).backward()
                if (i + 1) % K == 0:
                    scaler.step(opt)
                    scaler.update()
                    opt.zero_grad()
        return mon

    assert "SG201" in codes(loop(*setup(), divide=False))
    assert codes(loop(*setup(), divide=True)) == set()


def test_sg203_sees_clip_grad_norm_imported_by_name_before_attach():
    def loop(model, opt, sched) -> None:
        for i, (x, y) in enumerate(data(2 * K)):
            (F.cross_entropy(model(x), y) / K).backward()
            clip_imported_before_attach(model.parameters(), 1.0)
            if (i + 1) % K == 0:
                opt.step()
                opt.zero_grad()

    mon = run(loop)
    assert [(f.code, f.count) for f in mon.findings] == [("SG203", 2)]


def amp_loop(model, opt, sched, scaler, *, unscale: bool, k: int = 2, steps: int = 3) -> None:
    for i, (x, y) in enumerate(data(k * steps)):
        with torch.autocast("cpu", dtype=torch.bfloat16):
            loss = F.cross_entropy(model(x), y) / k
        scaler.scale(loss).backward()
        if (i + 1) % k == 0:
            if unscale:
                scaler.unscale_(opt)
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            scaler.step(opt)
            scaler.update()
            opt.zero_grad()
            sched.step()


def test_sg204_fires_when_clipping_before_unscale_and_not_after():
    for unscale, expected in ((False, [("SG204", 1, 3)]), (True, [])):
        model, opt, sched = setup()
        scaler = torch.amp.GradScaler("cpu")
        with Monitor(model, opt, scheduler=sched, scaler=scaler, audit=False) as mon:
            amp_loop(model, opt, sched, scaler, unscale=unscale)
        assert [(f.code, f.step, f.count) for f in mon.findings] == expected


def test_sg210_fires_when_zero_grad_runs_inside_the_window():
    def loop(model, opt, sched, *, bug: bool) -> None:
        for i, (x, y) in enumerate(data(3 * K)):
            if bug:
                opt.zero_grad()
            (F.cross_entropy(model(x), y) / K).backward()
            if (i + 1) % K == 0:
                opt.step()
                if not bug:
                    model.zero_grad()

    mon = run(loop, bug=True)
    assert [(f.code, f.step, f.count) for f in mon.findings] == [("SG210", 1, 3)]
    assert codes(run(loop, bug=False)) == set()


def skip_loop(model, opt, sched, scaler, *, bug: bool) -> None:
    for i, (x, y) in enumerate(data(4)):
        scaler.scale(F.cross_entropy(model(x), y)).backward()
        if i == 1:  # an overflow: the scaler must skip this step
            model[0].weight.grad[0, 0] = float("inf")
        before = scaler.get_scale()
        scaler.step(opt)
        scaler.update()
        opt.zero_grad()
        if bug or scaler.get_scale() >= before:
            sched.step()


def test_sg211_fires_when_the_scheduler_advances_on_a_skipped_step():
    for bug, expected in ((True, [("SG211", 2, 1)]), (False, [])):
        model, opt, sched = setup()
        scaler = torch.amp.GradScaler("cpu", init_scale=4.0)
        with Monitor(model, opt, scheduler=sched, scaler=scaler, audit=False) as mon:
            skip_loop(model, opt, sched, scaler, bug=bug)
        assert [(f.code, f.step, f.count) for f in mon.findings] == expected
        rows = mon.history
        assert [r["skipped"] for r in rows] == [0, 1, 0, 0]
        assert [r["skipped_steps"] for r in rows] == [0, 1, 1, 1]
        assert [r["scale"] for r in rows] == [4.0, 4.0, 2.0, 2.0]
        assert sched.last_epoch == (4 if bug else 3)


def test_sg209_batchnorm_in_train_mode_under_accumulation_only():
    mon = run(seed003_loop, bug=False, norm=nn.BatchNorm1d)
    (f,) = mon.findings
    assert (f.code, f.step, f.count) == ("SG209", 1, UPDATES)
    assert "1" in f.message  # names the layer: module "1" of the Sequential
    assert codes(run(seed003_loop, bug=False, norm=nn.GroupNorm)) == set()
    assert codes(run(seed003_loop, bug=False, k=1, norm=nn.BatchNorm1d)) == set()


def test_sg106_decayed_parameter_with_all_zero_gradient():
    def loop(model, opt, sched, *, zero: bool) -> None:
        for x, y in data(4):
            F.cross_entropy(model(x), y).backward()
            if zero:
                model[3].weight.grad.zero_()  # "freezing" by zeroing: AdamW still decays it
            opt.step()
            opt.zero_grad()

    mon = run(loop, zero=True)
    (f,) = mon.findings
    assert (f.code, f.step, f.count, f.data["params"]) == ("SG106", 1, 4, ["3.weight"])
    assert codes(run(loop, zero=False)) == set()
    model = mlp()
    groups = [
        {"params": [p for n, p in model.named_parameters() if n != "3.weight"]},
        {"params": [model[3].weight], "weight_decay": 0.0},
    ]
    opt = torch.optim.AdamW(groups, lr=1e-2, weight_decay=1e-2)
    with Monitor(model, opt, audit=False) as mon:
        loop(model, opt, None, zero=True)
    assert codes(mon) == set()


def test_detach_restores_every_patched_object_exactly():
    import torch.nn.utils as nn_utils

    model, opt, sched = setup()
    scaler = torch.amp.GradScaler("cpu")
    torch_objs = {
        "backward": (torch.autograd, torch.autograd.backward),
        "_clip_grads_with_norm_": (clip_grad_mod, clip_grad_mod._clip_grads_with_norm_),
        "clip_grads_with_norm_": (nn_utils, nn_utils.clip_grads_with_norm_),
        "clip_grad_norm_": (nn_utils, nn_utils.clip_grad_norm_),
        "clip_grad_value_": (nn_utils, nn_utils.clip_grad_value_),
    }
    mod_value = clip_grad_mod.clip_grad_value_
    amp_loop(model, opt, sched, scaler, unscale=True, steps=1)  # lazily created state exists
    lr_sched_step_wrapper = vars(opt)["step"]  # installed by the LR scheduler: must survive
    own = {o: set(vars(o)) for o in (model, opt, sched, scaler)}
    classes = {c: dict(vars(c)) for c in (type(model), type(opt), type(sched), type(scaler))}
    mon = Monitor(model, opt, scheduler=sched, scaler=scaler, audit=False).attach()
    assert torch.autograd.backward is not torch_objs["backward"][1]
    assert clip_grad_mod.clip_grad_value_ is not mod_value
    # nothing on the instances: the methods are patched on their classes while watched
    for o, keys in own.items():
        assert set(vars(o)) == keys, type(o).__name__
    assert "step" in vars(type(sched)) and "unscale_" in vars(type(scaler))
    assert "zero_grad" in vars(type(opt)) and "zero_grad" in vars(type(model))
    amp_loop(model, opt, sched, scaler, unscale=True, steps=1)
    assert mon.state.step == 1 and mon.state.sched_total == 1 and mon.state.bw_total == 2
    mon.detach()
    for c, before in classes.items():
        assert vars(c).keys() == before.keys(), c.__name__
        assert all(vars(c)[k] is v for k, v in before.items()), c.__name__
    for name, (owner, obj) in torch_objs.items():
        assert getattr(owner, name) is obj, name
    assert clip_grad_mod.clip_grad_value_ is mod_value
    assert vars(opt)["step"] is lr_sched_step_wrapper
    for o, keys in own.items():
        assert set(vars(o)) == keys, type(o).__name__
    assert not opt._optimizer_step_pre_hooks and not opt._optimizer_step_post_hooks
    assert not optim_mod._global_optimizer_pre_hooks
    assert not optim_mod._global_optimizer_post_hooks
    assert all(not p._post_accumulate_grad_hooks for p in model.parameters())
    steps = mon.state.step
    amp_loop(model, opt, sched, scaler, unscale=False, steps=1)  # no longer watched
    assert mon.state.step == steps and codes(mon) == set()
    mon.detach()  # idempotent


def test_attach_twice_and_bad_arguments_raise_clear_errors():
    model, opt, _ = setup()
    mon = Monitor(model, opt, audit=False).attach()
    try:
        try:
            mon.attach()
            raise AssertionError("expected ValueError")
        except ValueError as e:
            assert "already attached" in str(e)
    finally:
        mon.detach()
    for kwargs, exc, words in (
        ({"model": opt, "optimizer": opt}, TypeError, "torch.nn.Module"),
        ({"model": model, "optimizer": model}, TypeError, "torch.optim.Optimizer"),
        ({"model": model, "optimizer": opt, "every": 0}, ValueError, "positive int"),
        ({"model": model, "optimizer": opt, "scheduler": 3}, TypeError, "step()"),
        ({"model": model, "optimizer": opt, "scaler": object()}, TypeError, "GradScaler"),
    ):
        try:
            Monitor(**kwargs)
            raise AssertionError(f"expected {exc.__name__}")
        except exc as e:
            assert words in str(e)


def test_monitor_unwraps_an_optimizer_held_by_a_framework_wrapper():
    class LightningLikeOptimizer:  # holds the torch optimizer, is not one, has no step hooks
        def __init__(self, optimizer: torch.optim.Optimizer) -> None:
            self._optimizer = optimizer

    model, opt, sched = setup()
    with Monitor(model, LightningLikeOptimizer(opt), scheduler=sched, audit=False) as mon:
        seed003_loop(model, opt, sched, bug=True)
    assert mon.optimizer is opt
    assert codes(mon) == {"SG201", "SG202", "SG203"}
    assert [r["micro_batches"] for r in mon.history] == [K] * UPDATES


def test_on_finding_is_called_once_per_finding_with_its_first_step():
    seen = []
    model, opt, sched = setup()
    with Monitor(model, opt, scheduler=sched, audit=False, on_finding=seen.append):
        seed003_loop(model, opt, sched, bug=True)
    assert sorted((f.code, f.step) for f in seen) == [("SG201", 1), ("SG202", 1), ("SG203", 1)]


def test_sg203_also_sees_clip_grad_value_per_micro_batch():
    def loop(model, opt, sched, *, per_micro: bool) -> None:
        for i, (x, y) in enumerate(data(2 * K)):
            (F.cross_entropy(model(x), y) / K).backward()
            if per_micro or (i + 1) % K == 0:
                nn.utils.clip_grad_value_(model.parameters(), 0.1)
            if (i + 1) % K == 0:
                opt.step()
                opt.zero_grad()

    assert [(f.code, f.count) for f in run(loop, per_micro=True).findings] == [("SG203", 2)]
    assert codes(run(loop, per_micro=False)) == set()


def test_a_monitor_never_attached_has_no_findings_and_no_history():
    model, opt, _ = setup()
    mon = Monitor(model, opt)
    assert mon.findings == [] and mon.history == []
    assert mon.report().summary["steps"] == 0


def test_two_monitors_detached_in_any_order_restore_every_class_and_instance_exactly():
    model, opt, sched = setup()
    seed003_loop(model, opt, sched, bug=False, updates=1)  # lazily created state exists
    objs = (model, opt, sched)
    own = {o: dict(vars(o)) for o in objs}
    classes = {type(o): dict(vars(type(o))) for o in objs}
    backward = torch.autograd.backward
    for order in ("reverse", "attach order"):
        first = Monitor(model, opt, scheduler=sched, audit=False).attach()
        second = Monitor(model, opt, scheduler=sched, audit=False).attach()
        seed003_loop(model, opt, sched, bug=True, updates=1)
        assert codes(first) == codes(second) == {"SG201", "SG202", "SG203"}, order
        assert first.state.sched_total == second.state.sched_total == K
        (second if order == "reverse" else first).detach()
        sched.step()  # still watched by the other one only
        (first if order == "reverse" else second).detach()
        assert {first.state.sched_total, second.state.sched_total} == {K, K + 1}
        for o, before in own.items():
            assert vars(o).keys() == before.keys(), order
            assert all(vars(o)[k] is v for k, v in before.items() if callable(v)), order
        for c, before in classes.items():  # no pass-through layer left on any class
            assert vars(c).keys() == before.keys() and all(
                vars(c)[k] is v for k, v in before.items()
            ), (order, c.__name__)
        assert torch.autograd.backward is backward
        steps = first.state.sched_total
        sched.step()  # no longer watched by anyone
        assert first.state.sched_total == steps


def epochs_loop(model, opt, sched, *, last: str, n: int = 10, epochs: int = 2) -> None:
    """k=4 over 10 batches per epoch; `last` says what happens to the 2 left-over batches."""
    for _ in range(epochs):
        for i, (x, y) in enumerate(data(n)):
            size = K if i < n - n % K else n % K
            divisor = size if last == "scale-by-size" else K
            (F.cross_entropy(model(x), y) / divisor).backward()
            if (i + 1) % K == 0 or (last != "leak" and i == n - 1):
                opt.step()
                opt.zero_grad()


def test_sg206_partial_window_leaked_scaled_by_1_over_k_or_dropped():
    mon = run(epochs_loop, last="leak")
    (f,) = mon.findings
    # epoch 2's first step gets 2 + 4 passes (step 3); the final 2 are never stepped (step 5)
    assert (f.code, f.step, f.count) == ("SG206", 3, 2)
    assert "6 backward passes where 4 is usual" in f.message
    assert [r["micro_batches"] for r in mon.history] == [4, 4, 6, 4]
    mon = run(epochs_loop, last="scale-by-k")
    assert [(f.code, f.step, f.count) for f in mon.findings] == [("SG206", 3, 2)]
    assert "scaled by 1/4" in mon.findings[0].message
    assert codes(run(epochs_loop, last="scale-by-size")) == set()


def test_sg205_schedule_sized_in_micro_batches_fires_at_the_end_of_the_run():
    def run_with(total_steps: int) -> Monitor:
        model = mlp()
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=total_steps)
        with Monitor(model, opt, scheduler=sched, audit=False) as mon:
            seed003_loop(model, opt, sched, bug=False)  # K=4 micro-batches x UPDATES steps
        return mon

    mon = run_with(K * UPDATES)
    assert [(f.code, f.step) for f in mon.findings] == [("SG205", UPDATES)]
    assert "sized for 20 scheduler steps" in mon.findings[0].message
    assert codes(run_with(UPDATES)) == set()


def test_sg205_is_silent_on_a_short_correct_run_and_fires_on_its_micro_batch_schedule():
    # k=2, 2 optimizer steps, 4 backward passes: a correct schedule of 2 steps is as close to the
    # backward-pass count as the window size, yet it is the optimizer-step count
    def run_with(total_steps: int) -> Monitor:
        model = mlp()
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=total_steps)
        with Monitor(model, opt, scheduler=sched, audit=False) as mon:
            seed003_loop(model, opt, sched, bug=False, k=2, updates=2)
        return mon

    assert codes(run_with(2)) == set()
    mon = run_with(4)
    assert [(f.code, f.step) for f in mon.findings] == [("SG205", 2)]
    assert "sized for 4 scheduler steps" in mon.findings[0].message


def token_batches(k: int, steps: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Micro-batches of 6 'tokens' with 1..5 of them padding (ignore_index=-100)."""
    out = []
    for x, y in data(k * steps):
        y = y.clone()
        y[: 1 + len(out) % 5] = -100
        out.append((x, y))
    return out


def test_sg207_mean_of_token_means_over_unequal_micro_batches():
    def loop(model, opt, sched, *, how: str) -> None:
        window = []
        for i, (x, y) in enumerate(token_batches(K, 2)):
            window.append(y)
            if how == "mean-of-means":
                loss = F.cross_entropy(model(x), y) / K
            else:  # sum-reduce, divide by the window's token count (known ahead in real code)
                first = i - i % K
                n = sum(int((t != -100).sum()) for _, t in token_batches(K, 2)[first : first + K])
                loss = F.cross_entropy(model(x), y, reduction="sum") / n
            loss.backward()
            if (i + 1) % K == 0:
                opt.step()
                opt.zero_grad()

    mon = run(loop, how="mean-of-means")
    (f,) = mon.findings
    assert (f.code, f.step, f.count) == ("SG207", 1, 2)
    assert "(5, 4, 3, 2)" in f.message
    assert codes(run(loop, how="window-token-sum")) == set()


def test_leaving_the_with_block_on_an_exception_skips_the_end_of_run_checks():
    model, opt, sched = setup()
    mon = Monitor(model, opt, audit=False)
    with pytest.raises(RuntimeError, match="data loader died"), mon:
        epochs_loop(model, opt, sched, last="leak", epochs=1)  # 2 passes left, never stepped
        raise RuntimeError("data loader died")
    assert codes(mon) == set()
    mon.attach()
    mon.detach()  # a normal end: the same unfinished window is now reported
    assert [(f.code, f.step) for f in mon.findings] == [("SG206", 3)]


def test_sg207_counts_kept_on_a_device_are_judged_when_findings_are_read():
    # What the Monitor stores for windows on an accelerator: (step, counts) read later at once.
    model, opt, _ = setup()
    mon = Monitor(model, opt, audit=False)
    mon.state.deferred_counts = [
        (2, torch.tensor([3.0, 3.0])),
        (5, torch.tensor([4.0, 2.0, 4.0])),
        (7, torch.tensor([1.0, 6.0])),
    ]
    (f,) = mon.findings
    assert (f.code, f.step, f.count) == ("SG207", 5, 2)
    assert "(4, 2, 4)" in f.message
    assert mon.state.deferred_counts == [] and len(mon.findings) == 1


def test_torch_scheduler_warnings_still_point_at_the_users_line():
    model, opt, sched = setup()
    with Monitor(model, opt, scheduler=sched, audit=False), pytest.warns(UserWarning) as rec:
        sched.step()  # before any optimizer.step(): torch warns about the order
    assert [w.filename for w in rec if "lr_scheduler.step()" in str(w.message)] == [__file__]


def test_torch_scheduler_warnings_point_at_the_users_line_for_an_unwatched_scheduler_too():
    # While one scheduler is watched, its class's `step` is patched; another instance of the same
    # class (not watched) goes through the patch to the original, and torch's warning still names
    # the user's line, not stepguard's.
    model, opt, sched = setup()
    _, _, other = setup()
    plain_step = type(other).step
    with Monitor(model, opt, scheduler=sched, audit=False), pytest.warns(UserWarning) as rec:
        assert type(other).step is not plain_step  # the class is patched while watched
        other.step()  # the unwatched scheduler, before its optimizer stepped
    assert type(other).step is plain_step
    assert [w.filename for w in rec if "lr_scheduler.step()" in str(w.message)] == [__file__]


def test_a_scheduler_step_that_warns_and_raises_keeps_its_warnings_and_its_error():
    class Failing(torch.optim.lr_scheduler.LambdaLR):
        def step(self, epoch=None):  # type: ignore[override]
            if self.last_epoch < 0:  # the constructor's own first step
                return super().step()
            warnings.warn("named at the caller", UserWarning, stacklevel=2)
            warnings.warn_explicit("named elsewhere", UserWarning, "elsewhere.py", 7)
            raise RuntimeError("scheduler broke")

    model, opt, _ = setup()
    sched = Failing(opt, lambda s: 1.0)
    with (
        Monitor(model, opt, scheduler=sched, audit=False),
        pytest.warns(UserWarning) as rec,
        pytest.raises(RuntimeError, match="scheduler broke"),
    ):
        sched.step()
    assert [(str(w.message), w.filename) for w in rec] == [
        ("named at the caller", __file__),
        ("named elsewhere", "elsewhere.py"),
    ]

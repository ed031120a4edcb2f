"""`Accumulator` under AMP, checkpoint/resume mid-window, bad input, and float32 accumulation."""

from __future__ import annotations

import copy
import io
from typing import Any

import pytest
import torch
import torch.nn.functional as F
from accumulate_workers import (
    TokenModel,
    concat,
    count_tokens,
    max_diff,
    micro_batches,
    mlp,
    sequences,
    token_loss,
    warmup_cosine,
    windows,
)
from torch import nn

from stepguard.accumulation import Accumulator

K = 4


# ----------------------------------------------------------------------------------------- AMP
def _amp_model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(6, 32), nn.GELU(), nn.Linear(32, 3))


def _amp_data(n: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    return [(x.float(), y) for x, y in micro_batches(n)]


def _amp_loss(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    with torch.autocast("cpu", dtype=torch.bfloat16):
        logits = model(x)
    return F.cross_entropy(logits.float(), y)


def test_amp_accumulation_equals_the_hand_written_correct_amp_loop_bit_for_bit() -> None:
    data = _amp_data(K * 6)
    ref, model = _amp_model(), _amp_model()
    ref_opt = torch.optim.AdamW(ref.parameters(), lr=1e-2)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2)
    ref_sched, sched = warmup_cosine(ref_opt, 6, 2), warmup_cosine(opt, 6, 2)
    ref_scaler, scaler = torch.amp.GradScaler("cpu"), torch.amp.GradScaler("cpu")
    ref_norms = []
    for window in windows(data, K):  # the seed's AMP template (fixed)
        for x, y in window:
            ref_scaler.scale(_amp_loss(ref, x, y) / K).backward()
        ref_scaler.unscale_(ref_opt)
        ref_norms.append(float(nn.utils.clip_grad_norm_(ref.parameters(), 0.5)))
        ref_scaler.step(ref_opt)
        ref_scaler.update()
        ref_opt.zero_grad(set_to_none=True)
        ref_sched.step()
    acc = Accumulator(model, opt, steps=K, scheduler=sched, scaler=scaler, clip_grad_norm=0.5)
    norms = []
    for x, y in acc.iterate(data):
        if acc.backward(_amp_loss(model, x, y)):
            norms.append(acc.last_grad_norm)
    assert max_diff(ref, model) == 0.0
    assert norms == ref_norms  # the norm of UNSCALED gradients: unscale_ ran before clipping
    assert max(norms) < 100  # scaled gradients would have norms ~65536x larger
    assert acc.optimizer_steps == 6 and acc.skipped_steps == 0 and sched.last_epoch == 6


def _inject_inf(model: nn.Module, at_micro: int) -> list[int]:
    calls = [0]

    def hook(g: torch.Tensor) -> torch.Tensor:
        calls[0] += 1
        return g * float("inf") if calls[0] == at_micro + 1 else g

    model[0].weight.register_hook(hook)
    return calls


@pytest.mark.parametrize("step_on_skip", [False, True])
def test_scaler_skip_is_counted_and_holds_the_scheduler(step_on_skip: bool) -> None:
    data = _amp_data(K * 3)
    model = _amp_model()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    scaler = torch.amp.GradScaler("cpu")
    acc = Accumulator(
        model,
        opt,
        steps=K,
        scheduler=sched,
        scaler=scaler,
        clip_grad_norm=1.0,
        step_scheduler_on_skip=step_on_skip,
    )
    _inject_inf(model, at_micro=K + 1)  # a micro-batch of the second window
    snapshots = []
    for x, y in acc.iterate(data):
        if acc.backward(_amp_loss(model, x, y)):
            snapshots.append((copy.deepcopy(model.state_dict()), acc.last_step_skipped))
    assert [s for _, s in snapshots] == [False, True, False]
    assert acc.optimizer_steps == 2 and acc.skipped_steps == 1
    assert all(torch.equal(snapshots[0][0][n], snapshots[1][0][n]) for n in snapshots[0][0])
    assert scaler.get_scale() == 65536.0 * 0.5
    assert sched.last_epoch == (3 if step_on_skip else 2)  # SG211


# ------------------------------------------------------------------------------------- resume
def _setup(seed_model: int = 0) -> tuple[nn.Module, Any, Any, Accumulator]:
    model = mlp(seed_model)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.1)
    sched = warmup_cosine(opt, 6, 2)
    acc = Accumulator(model, opt, steps=K, scheduler=sched, clip_grad_norm=0.3)
    return model, opt, sched, acc


@pytest.mark.parametrize("own_loop", [False, True], ids=["iterate", "own_loop"])
def test_checkpoint_mid_window_resumes_bit_identically(own_loop: bool) -> None:
    data = micro_batches(K * 6)
    cut = 2 * K + 2  # inside the third window

    def run(acc: Accumulator, model: nn.Module, batches: list[Any], stop: int = -1) -> None:
        source = batches if own_loop else acc.iterate(batches)
        for i, (x, y) in enumerate(source):
            acc.backward(F.cross_entropy(model(x), y))
            if i == stop:  # interrupted (e.g. preempted) right after this micro-batch
                break

    model, _, sched, acc = _setup()
    run(acc, model, data)

    m1, o1, s1, a1 = _setup()
    run(a1, m1, data, stop=cut - 1)
    assert a1.window_position == 2
    buf = io.BytesIO()
    torch.save(
        {
            "model": m1.state_dict(),
            "opt": o1.state_dict(),
            "sched": s1.state_dict(),
            "acc": a1.state_dict(),
        },
        buf,
    )
    buf.seek(0)
    ckpt = torch.load(buf)
    m2, o2, s2, a2 = _setup(
        seed_model=5
    )  # different init: everything must come from the checkpoint
    m2.load_state_dict(ckpt["model"])
    o2.load_state_dict(ckpt["opt"])
    s2.load_state_dict(ckpt["sched"])
    a2.load_state_dict(ckpt["acc"])
    assert all(p.grad is not None for p in m2.parameters())
    run(a2, m2, data[cut:])

    assert max_diff(model, m2) == 0.0
    assert all(torch.equal(p, q) for p, q in zip(model.parameters(), m2.parameters(), strict=True))
    assert (a2.optimizer_steps, a2.micro_steps) == (acc.optimizer_steps, acc.micro_steps) == (6, 24)
    assert s2.last_epoch == sched.last_epoch == 6
    assert a2.last_grad_norm == acc.last_grad_norm


def test_load_state_dict_rejects_a_different_window_length() -> None:
    model, opt, _, acc = _setup()
    other = Accumulator(model, opt, steps=K + 1)
    with pytest.raises(ValueError, match="steps=4"):
        other.load_state_dict(acc.state_dict())


# ---------------------------------------------------------------------------------- bad input
def _trained() -> tuple[nn.Module, torch.optim.Optimizer, Any, dict[str, Any], dict[str, Any]]:
    """A model and AdamW with real state after 2 windows, plus snapshots to compare against."""
    model = mlp()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2)
    sched = torch.optim.lr_scheduler.StepLR(opt, 1, 0.9)
    acc = Accumulator(model, opt, steps=K, scheduler=sched)
    for x, y in acc.iterate(micro_batches(2 * K)):
        acc.backward(F.cross_entropy(model(x), y))
    return model, opt, sched, copy.deepcopy(model.state_dict()), copy.deepcopy(opt.state_dict())


def _untouched(model: nn.Module, opt: Any, params: dict[str, Any], state: dict[str, Any]) -> bool:
    same_params = all(torch.equal(v, model.state_dict()[k]) for k, v in params.items())
    now = opt.state_dict()["state"]
    same_state = all(
        torch.equal(now[i][key], state["state"][i][key]) for i in state["state"] for key in now[i]
    )
    return same_params and same_state


@pytest.mark.parametrize("steps", [0, -3, 2.5, True, "4"])
def test_steps_below_one_or_not_an_int_is_rejected(steps: Any) -> None:
    model = mlp()
    with pytest.raises(ValueError, match="steps must be an int >= 1"):
        Accumulator(model, torch.optim.SGD(model.parameters(), lr=0.1), steps=steps)


def test_scheduler_of_another_optimizer_is_rejected() -> None:
    model = mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    other = torch.optim.SGD(mlp().parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(other, 1)
    with pytest.raises(ValueError, match=r"scheduler\.optimizer is not optimizer"):
        Accumulator(model, opt, steps=K, scheduler=sched)


def test_scaler_that_is_not_a_gradscaler_or_on_another_device_is_rejected() -> None:
    model = mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(TypeError, match="GradScaler"):
        Accumulator(model, opt, steps=K, scaler=object())
    meta = nn.Linear(2, 2, device="meta")
    with pytest.raises(ValueError, match="bound to device 'cpu'"):
        Accumulator(
            meta,
            torch.optim.SGD(meta.parameters(), lr=0.1),
            steps=K,
            scaler=torch.amp.GradScaler("cpu"),
        )


def test_non_scalar_loss_is_rejected_before_anything_is_applied() -> None:
    model, opt, _, params, state = _trained()
    acc = Accumulator(model, opt, steps=K)
    x, y = micro_batches(1)[0]
    with pytest.raises(ValueError, match=r"loss must be a scalar, got shape \(4,\)"):
        acc.backward(F.cross_entropy(model(x), y, reduction="none"))
    assert all(p.grad is None for p in model.parameters()) and acc.micro_steps == 0
    assert _untouched(model, opt, params, state)


@pytest.mark.parametrize(("bad", "mode"), [(-2, "items"), (0, "mean_over"), (-1, "mean_over")])
def test_item_count_not_positive_is_rejected_before_the_window_starts(bad: int, mode: str) -> None:
    # A SUM-reduced loss over 0 items weighs 0 (allowed with items=); a MEAN over 0 items is nan.
    model, opt, _, params, state = _trained()
    data = micro_batches(K)
    count = lambda b: bad if b is data[2] else 4  # noqa: E731
    acc = Accumulator(model, opt, steps=K, **{mode: count})
    with pytest.raises(ValueError, match=f"{mode}\\(batch\\) = {bad}"):
        for x, y in acc.iterate(data):
            acc.backward(F.cross_entropy(model(x), y, reduction="sum"))
    assert all(p.grad is None for p in model.parameters()) and acc.micro_steps == 0
    with pytest.raises(ValueError, match="items = -2"):
        Accumulator(model, opt, steps=K).backward(
            F.cross_entropy(model(data[0][0]), data[0][1]), items=-2
        )
    assert _untouched(model, opt, params, state)


def _with_nan(batches: list[Any], index: int) -> list[Any]:
    out = list(batches)
    x, y = out[index]
    x = x.clone()
    x[0, 0] = float("nan")
    out[index] = (x, y)
    return out


def test_nonfinite_loss_raises_and_applies_nothing() -> None:
    model, opt, sched, params, state = _trained()
    acc = Accumulator(model, opt, steps=K, scheduler=sched)
    lr = opt.param_groups[0]["lr"]
    with pytest.raises(FloatingPointError, match=r"micro-batch\(es\) \[2\]"):
        for x, y in acc.iterate(_with_nan(micro_batches(K), 2)):
            acc.backward(F.cross_entropy(model(x), y))
    assert _untouched(model, opt, params, state)
    assert opt.param_groups[0]["lr"] == lr and acc.optimizer_steps == 0
    assert all(p.grad is None for p in model.parameters())


def test_nonfinite_loss_skip_mode_warns_drops_the_window_and_trains_on() -> None:
    data = micro_batches(3 * K)
    ref, model = mlp(), mlp()
    ref_opt = torch.optim.SGD(ref.parameters(), lr=0.2, momentum=0.9)
    opt = torch.optim.SGD(model.parameters(), lr=0.2, momentum=0.9)
    for i, window in enumerate(windows(data, K)):
        if i != 1:
            x, y = concat(window)
            F.cross_entropy(ref(x), y).backward()
            ref_opt.step()
            ref_opt.zero_grad()
    acc = Accumulator(model, opt, steps=K, on_nonfinite="skip")
    with pytest.warns(RuntimeWarning, match="non-finite loss"):
        for x, y in acc.iterate(_with_nan(data, K + 3)):
            acc.backward(F.cross_entropy(model(x), y))
    assert (acc.optimizer_steps, acc.skipped_steps) == (2, 1)
    assert max_diff(ref, model) <= 1e-12


# ------------------------------------------------------------------------- float32 accumulation
def test_float32_accumulation_buffers_keep_a_long_bf16_window_precise() -> None:
    torch.manual_seed(0)
    k = 128
    base = nn.Linear(32, 32)
    xs = torch.randn(k, 2, 32)
    ys = torch.randn(k, 2, 32)
    ref = copy.deepcopy(base).double().to(torch.bfloat16).double()  # same bf16 weights, in f64
    F.mse_loss(ref(xs.flatten(0, 1).double()), ys.flatten(0, 1).double()).backward()
    g_ref = ref.weight.grad

    errors = {}
    for fp32 in (False, True):
        model = copy.deepcopy(base).to(torch.bfloat16)
        opt = torch.optim.SGD(model.parameters(), lr=0.0)
        seen: list[torch.Tensor] = []
        opt.register_step_pre_hook(
            lambda o, a, kw, w=model.weight, seen=seen: seen.append(w.grad.double())
        )
        acc = Accumulator(model, opt, steps=k, accumulate_fp32=fp32)
        for x, y in acc.iterate(list(zip(xs, ys, strict=True))):
            acc.backward(F.mse_loss(model(x.to(torch.bfloat16)).float(), y))
        errors[fp32] = float((seen[0] - g_ref).norm() / g_ref.norm())
    print(
        f"bf16 window of {k}: relative gradient error bf16 sum {errors[False]:.2e}, fp32 sum {errors[True]:.2e}"
    )
    assert errors[True] * 3 < errors[False]
    assert errors[True] < 1e-2


def test_reduce_on_plateau_and_foreign_objects_are_rejected_with_the_fix() -> None:
    model = mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt)
    with pytest.raises(TypeError, match=r"scheduler\.step\(metric\) yourself"):
        Accumulator(model, opt, steps=K, scheduler=plateau)
    with pytest.raises(TypeError, match=r"model must be an nn\.Module"):
        Accumulator(object(), opt, steps=K)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="clip_grad_norm must be > 0"):
        Accumulator(model, opt, steps=K, clip_grad_norm=0.0)


def test_flush_inside_iterate_is_an_error_not_a_mis_scaled_window() -> None:
    model = mlp()
    acc = Accumulator(model, torch.optim.SGD(model.parameters(), lr=0.1), steps=K)
    with pytest.raises(RuntimeError, match=r"window was closed \(acc\.flush\(\)\?\)"):
        for i, (x, y) in enumerate(acc.iterate(micro_batches(K))):
            acc.backward(F.cross_entropy(model(x), y))
            if i == 1:
                acc.flush()


def test_clipping_with_a_scaler_unscales_even_when_the_norm_is_not_tracked() -> None:
    data = _amp_data(K)
    model = _amp_model()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    acc = Accumulator(
        model,
        opt,
        steps=K,
        scaler=torch.amp.GradScaler("cpu"),
        clip_grad_norm=0.1,
        track_grad_norm=False,
    )
    grads: list[float] = []
    opt.register_step_pre_hook(
        lambda o, a, kw: grads.append(
            float(torch.cat([p.grad.flatten() for p in model.parameters()]).norm())
        )
    )
    for x, y in acc.iterate(data):
        acc.backward(_amp_loss(model, x, y))
    # Unclipped the norm is ~0.49; clipping scaled gradients would leave ~0.1 / 65536 (SG204).
    assert grads[0] == pytest.approx(0.1, rel=1e-4)


def test_item_weighted_checkpoint_mid_window_resumes_bit_identically() -> None:
    data = sequences(K * 3)

    def setup() -> tuple[nn.Module, torch.optim.Optimizer, Accumulator]:
        model = TokenModel()
        opt = torch.optim.AdamW(model.parameters(), lr=1e-2)
        return model, opt, Accumulator(model, opt, steps=K, items=count_tokens, clip_grad_norm=1.0)

    model, _, acc = setup()
    for b in acc.iterate(data):
        acc.backward(token_loss(model, b, "sum"))
    m1, o1, a1 = setup()
    for i, b in enumerate(a1.iterate(data)):
        a1.backward(token_loss(m1, b, "sum"))
        if i == K + 2:
            break
    ckpt = copy.deepcopy({"m": m1.state_dict(), "o": o1.state_dict(), "a": a1.state_dict()})
    m2, o2, a2 = setup()
    m2.load_state_dict(ckpt["m"])
    o2.load_state_dict(ckpt["o"])
    a2.load_state_dict(ckpt["a"])
    for b in a2.iterate(data[K + 3 :]):
        a2.backward(token_loss(m2, b, "sum"))
    assert all(torch.equal(p, q) for p, q in zip(model.parameters(), m2.parameters(), strict=True))
    assert a2.optimizer_steps == 3


def test_float32_buffers_survive_a_mid_window_checkpoint_bit_identically() -> None:
    torch.manual_seed(0)
    base = nn.Linear(8, 8).to(torch.bfloat16)
    data = [(torch.randn(2, 8), torch.randn(2, 8)) for _ in range(10)]  # windows 4, 4, 2

    def setup() -> tuple[nn.Module, torch.optim.Optimizer, Accumulator]:
        model = copy.deepcopy(base)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        return model, opt, Accumulator(model, opt, steps=K, accumulate_fp32=True)

    def loss(model: nn.Module, b: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        return F.mse_loss(model(b[0].to(torch.bfloat16)).float(), b[1])

    model, _, acc = setup()
    for b in data:
        acc.backward(loss(model, b))
    acc.flush()
    m1, o1, a1 = setup()
    for b in data[:6]:
        a1.backward(loss(m1, b))
    assert m1.weight.grad is None  # the window's sum lives in the float32 buffer
    state = copy.deepcopy(a1.state_dict())
    assert state["grads"][0].dtype == torch.float32
    m2, o2, a2 = setup()
    m2.load_state_dict(m1.state_dict())
    o2.load_state_dict(o1.state_dict())
    a2.load_state_dict(state)
    for b in data[6:]:
        a2.backward(loss(m2, b))
    a2.flush()
    assert all(torch.equal(p, q) for p, q in zip(model.parameters(), m2.parameters(), strict=True))
    assert a2.optimizer_steps == 3 and not torch.equal(model.weight, base.weight)

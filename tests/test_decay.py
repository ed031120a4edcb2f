"""Weight-decay conventions: timescales and conversions, checked against torch's real updates."""

from __future__ import annotations

import math

import pytest
import torch

from stepguard.auditing import convert_weight_decay, decay_timescale, weight_decay_for_timescale


def pure_decay(opt_cls: type, lr: float, wd: float, steps: int, **kw: object) -> float:
    """The weight after `steps` optimizer steps with a zero gradient: decay alone moves it."""
    w = torch.nn.Parameter(torch.ones(1, dtype=torch.float64))
    opt = opt_cls([w], lr=lr, weight_decay=wd, **kw)
    for _ in range(steps):
        w.grad = torch.zeros_like(w)
        opt.step()
    return float(w.detach())


def test_timescale_and_weight_decay_for_timescale_are_inverse():
    assert decay_timescale(1e-3, 0.1) == pytest.approx(10_000.0, rel=1e-12)
    assert weight_decay_for_timescale(10_000, 1e-3) == pytest.approx(0.1, rel=1e-12)
    assert weight_decay_for_timescale(decay_timescale(3e-4, 0.05), 3e-4) == pytest.approx(0.05)
    assert decay_timescale(1e-3, 0.0) == math.inf
    assert weight_decay_for_timescale(math.inf, 1e-3) == 0.0


def test_adamw_weights_shrink_by_e_after_one_timescale():
    lr = 1e-2
    wd = weight_decay_for_timescale(tau_steps=100, lr=lr)  # = 1.0
    w = pure_decay(torch.optim.AdamW, lr, wd, steps=100)
    assert w == pytest.approx((1 - lr * wd) ** 100, rel=1e-12)
    assert w == pytest.approx(math.exp(-1), rel=0.006)  # 0.3660 vs 0.3679


def test_adam_with_decoupled_flag_has_the_same_timescale_as_adamw():
    a = pure_decay(torch.optim.AdamW, 1e-2, 1.0, 50)
    b = pure_decay(torch.optim.Adam, 1e-2, 1.0, 50, decoupled_weight_decay=True)
    assert a == b


def test_convert_weight_decay_between_all_conventions():
    kw = {"lr": 1e-3, "steps_per_epoch": 500}
    assert convert_weight_decay(0.1, from_="torch", to="decoupled", **kw) == pytest.approx(1e-4)
    assert convert_weight_decay(0.1, from_="torch", to="tau_steps", **kw) == pytest.approx(10_000)
    assert convert_weight_decay(0.1, from_="torch", to="tau_epochs", **kw) == pytest.approx(20)
    assert convert_weight_decay(20, from_="tau_epochs", to="torch", **kw) == pytest.approx(0.1)
    assert convert_weight_decay(1e-4, from_="decoupled", to="tau_steps") == pytest.approx(10_000)
    assert convert_weight_decay(10_000, from_="tau_steps", to="decoupled") == pytest.approx(1e-4)
    assert convert_weight_decay(0.0, from_="torch", to="tau_steps", lr=1e-3) == math.inf
    assert convert_weight_decay(math.inf, from_="tau_steps", to="torch", lr=1e-3) == 0.0
    assert convert_weight_decay(0.3, from_="torch", to="torch") == 0.3


def test_decoupled_convention_matches_torch_adamw_under_a_schedule():
    # Fully decoupled decay multiplies by (1 - s_t * wd_hat); torch AdamW by (1 - lr * s_t * wd).
    lr, wd_torch, steps = 0.05, 0.4, 30
    wd_hat = convert_weight_decay(wd_torch, from_="torch", to="decoupled", lr=lr)
    w = torch.nn.Parameter(torch.ones(1, dtype=torch.float64))
    opt = torch.optim.AdamW([w], lr=lr, weight_decay=wd_torch)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: 1.0 - t / steps)
    expected = 1.0
    for t in range(steps):
        expected *= 1 - (1.0 - t / steps) * wd_hat
        w.grad = torch.zeros_like(w)
        opt.step()
        sched.step()
    assert float(w.detach()) == pytest.approx(expected, rel=1e-12)


def test_convert_weight_decay_rejects_bad_input():
    with pytest.raises(ValueError, match="from_='l2' is not a convention"):
        convert_weight_decay(0.1, from_="l2", to="torch")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="lr must be a real number, got None"):
        convert_weight_decay(0.1, from_="torch", to="tau_steps")
    with pytest.raises(ValueError, match="needs steps_per_epoch="):
        convert_weight_decay(0.1, from_="torch", to="tau_epochs", lr=1e-3)
    with pytest.raises(ValueError, match=r"value must be >= 0, got -0\.1"):
        convert_weight_decay(-0.1, from_="torch", to="decoupled", lr=1e-3)
    with pytest.raises(ValueError, match="value must be > 0, got 0"):
        convert_weight_decay(0, from_="tau_steps", to="torch", lr=1e-3)
    with pytest.raises(ValueError, match="lr must be > 0, got 0"):
        decay_timescale(0, 0.1)
    with pytest.raises(TypeError, match="tau_steps must be a real number"):
        weight_decay_for_timescale("100", 1e-3)  # type: ignore[arg-type]

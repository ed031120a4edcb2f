"""The Monitor on loops written the way real projects write them (issue 14).

Each loop is our own code in the shape of a well-known one: nanoGPT's hand-set learning rate, the
PyTorch DCGAN tutorial, GANs that accumulate, several loss terms each backpropagated, activation
checkpointing (reentrant and not), an L2 term in the loss, a nanoGPT-style loop under
`torch.compile`, an EMA teacher, two param groups on different learning rates. The bug fires
(with the numbers in the message), the fix is silent.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.checkpoint import checkpoint

from stepguard.groups import param_groups
from stepguard.monitoring import Monitor


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def codes(mon: Monitor) -> list[str]:
    return [f.code for f in mon.findings]


def batches(n: int, seed: int = 1, d: int = 8) -> list[tuple[torch.Tensor, torch.Tensor]]:
    g = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(n):
        x = torch.randn(6, d, generator=g)
        out.append((x, (x[:, 0] > 0).long()))
    return out


def mlp(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(8, 16), nn.LayerNorm(16), nn.ReLU(), nn.Linear(16, 2))


# ---- 1. learning rate set by hand (nanoGPT) -------------------------------------------------

K = 4
STEPS = 4


def get_lr(it: int, warmup: int = 2, total: int = 100, lr: float = 1e-2) -> float:
    """nanoGPT's schedule: linear warmup, then cosine decay."""
    if it < warmup:
        return lr * (it + 1) / warmup
    ratio = min(1.0, (it - warmup) / (total - warmup))
    return 0.1 * lr + 0.5 * (1.0 + math.cos(math.pi * ratio)) * 0.9 * lr


def nanogpt_loop(model: nn.Module, opt: torch.optim.Optimizer, *, per_micro_batch: bool) -> None:
    data = iter(batches(K * STEPS))
    it = 0  # the bug: a counter of micro-batches drives the schedule
    for step in range(STEPS):
        if not per_micro_batch:
            for g in opt.param_groups:
                g["lr"] = get_lr(step)
        for _ in range(K):
            if per_micro_batch:
                for g in opt.param_groups:
                    g["lr"] = get_lr(it)
                it += 1
            x, y = next(data)
            (F.cross_entropy(model(x), y) / K).backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)


def test_hand_set_lr_per_micro_batch_is_sg202_with_the_count_of_changes():
    model = mlp()
    opt = torch.optim.AdamW(param_groups(model, weight_decay=0.1), lr=1e-2)
    with Monitor(model, opt) as mon:  # no scheduler object: the LR is read from param_groups
        nanogpt_loop(model, opt, per_micro_batch=True)
    (f,) = mon.findings
    assert (f.code, f.step, f.count) == ("SG202", 1, STEPS)
    assert f.data == {"scheduler_steps": 0, "lr_changes": K}
    assert f"changed {K} times" in f.message
    model = mlp()
    opt = torch.optim.AdamW(param_groups(model, weight_decay=0.1), lr=1e-2)
    with Monitor(model, opt) as quiet:  # changes once per optimizer step: correct
        nanogpt_loop(model, opt, per_micro_batch=False)
    assert quiet.findings == []
    assert [r["lr_group0"] for r in quiet.history] == [get_lr(s) for s in range(STEPS)]


@pytest.mark.parametrize("stepped", ["per micro-batch", "per step"])
def test_two_param_groups_on_different_lrs_with_a_scheduler_the_monitor_was_not_given(
    stepped: str,
):
    model = mlp()
    head = list(model[3].parameters())
    body = [p for p in model.parameters() if all(p is not h for h in head)]
    opt = torch.optim.AdamW([{"params": body, "lr": 1e-3}, {"params": head, "lr": 1e-2}])
    warm = torch.optim.lr_scheduler.LambdaLR(opt, [lambda s: min(1.0, (s + 1) / 32), lambda s: 1.0])
    with Monitor(model, opt, audit=False) as mon:  # scheduler= not passed
        for i, (x, y) in enumerate(batches(K * STEPS)):
            (F.cross_entropy(model(x), y) / K).backward()
            if stepped == "per micro-batch":
                warm.step()
            if (i + 1) % K == 0:
                opt.step()
                opt.zero_grad()
                if stepped == "per step":
                    warm.step()
    if stepped == "per step":
        assert mon.findings == []
        assert [r["lr_group1"] for r in mon.history] == [1e-2] * STEPS
        assert [r["lr_group0"] for r in mon.history] == pytest.approx(
            [1e-3 * min(1.0, (s + 1) / 32) for s in range(STEPS)]
        )
    else:  # group 0 warms up on every micro-batch; group 1 stays: still one change per pass
        (f,) = mon.findings
        assert (f.code, f.count, f.data["lr_changes"]) == ("SG202", STEPS, K)


# ---- 2. several optimizers on one graph (GANs) ----------------------------------------------

NZ = 4


def gan(
    bn: bool = True,
) -> tuple[nn.Module, nn.Module, torch.optim.Optimizer, torch.optim.Optimizer]:
    """DCGAN's shape in small: BatchNorm in both networks (`bn`), Adam with betas (0.5, 0.999)."""
    torch.manual_seed(0)
    norm: type[nn.Module] = nn.BatchNorm1d if bn else nn.LayerNorm
    net_g = nn.Sequential(nn.Linear(NZ, 16), norm(16), nn.ReLU(), nn.Linear(16, 8))
    net_d = nn.Sequential(
        nn.Linear(8, 16), nn.LeakyReLU(0.2), nn.Linear(16, 16), norm(16),
        nn.LeakyReLU(0.2), nn.Linear(16, 1), nn.Sigmoid(),
    )  # fmt: skip
    opt_d = torch.optim.Adam(net_d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_g = torch.optim.Adam(net_g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    return net_g, net_d, opt_g, opt_d


def real_batches(n: int) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(2)
    return [torch.randn(8, 8, generator=g) for _ in range(n)]


def dcgan_tutorial_loop(net_g: nn.Module, net_d: nn.Module, opt_g: Any, opt_d: Any) -> None:
    """The PyTorch DCGAN tutorial's training loop (no accumulation), as written there."""
    criterion = nn.BCELoss()
    for real in real_batches(6):
        # (1) Update D: maximize log(D(x)) + log(1 - D(G(z)))
        net_d.zero_grad()
        label = torch.full((real.shape[0],), 1.0)
        err_d_real = criterion(net_d(real).view(-1), label)
        err_d_real.backward()
        fake = net_g(torch.randn(real.shape[0], NZ))
        label.fill_(0.0)
        err_d_fake = criterion(net_d(fake.detach()).view(-1), label)
        err_d_fake.backward()
        opt_d.step()
        # (2) Update G: maximize log(D(G(z))); this backward also writes into D's gradients
        net_g.zero_grad()
        label.fill_(1.0)
        err_g = criterion(net_d(fake).view(-1), label)
        err_g.backward()
        opt_g.step()


def test_dcgan_tutorial_loop_is_silent_for_both_networks():
    net_g, net_d, opt_g, opt_d = gan()
    with Monitor(net_d, opt_d) as mon_d, Monitor(net_g, opt_g) as mon_g:
        dcgan_tutorial_loop(net_g, net_d, opt_g, opt_d)
    # was SG201, SG206 and SG210 for D: G's pass through D counted as one of D's micro-batches
    assert codes(mon_d) == [] and codes(mon_g) == []
    # D: one micro-batch of two loss terms (errD_real, errD_fake); G: one pass
    assert [(r["micro_batches"], r["backward_passes"]) for r in mon_d.history] == [(1, 2)] * 6
    assert [(r["micro_batches"], r["backward_passes"]) for r in mon_g.history] == [(1, 1)] * 6


def accumulating_gan_loop(
    net_g: nn.Module,
    net_d: nn.Module,
    opt_g: Any,
    opt_d: Any,
    *,
    k: int = 2,
    divide_d: bool = True,
    divide_g: bool = True,
    split_terms: bool = False,
    detach: bool = True,
    steps: int = 3,
) -> None:
    """Both networks accumulate k micro-batches per step; D's loss is (real + fake) terms."""
    criterion = nn.BCELoss()
    reals = iter(real_batches(k * steps))
    for _ in range(steps):
        opt_d.zero_grad()
        for _ in range(k):
            real = next(reals)
            ones, zeros = torch.ones(real.shape[0]), torch.zeros(real.shape[0])
            fake = net_g(torch.randn(real.shape[0], NZ))
            scale = 1 / k if divide_d else 1.0
            d_real = criterion(net_d(real).view(-1), ones)
            d_fake = criterion(net_d(fake.detach() if detach else fake).view(-1), zeros)
            if split_terms:  # each term backpropagated on its own line
                (d_real * scale).backward()
                (d_fake * scale).backward()
            else:
                ((d_real + d_fake) * scale).backward()
        opt_d.step()
        opt_g.zero_grad()
        for _ in range(k):
            fake = net_g(torch.randn(8, NZ))
            err_g = criterion(net_d(fake).view(-1), torch.ones(8))
            (err_g / k if divide_g else err_g).backward()
        opt_g.step()


def gan_monitors(bn: bool = False, **kw: Any) -> tuple[Monitor, Monitor]:
    net_g, net_d, opt_g, opt_d = gan(bn)
    with Monitor(net_d, opt_d) as mon_d, Monitor(net_g, opt_g) as mon_g:
        accumulating_gan_loop(net_g, net_d, opt_g, opt_d, **kw)
    return mon_d, mon_g


@pytest.mark.parametrize("split_terms", [False, True])
@pytest.mark.parametrize("detach", [True, False])
def test_gan_with_correct_accumulation_in_both_networks_is_silent(split_terms, detach):
    mon_d, mon_g = gan_monitors(split_terms=split_terms, detach=detach)
    assert codes(mon_d) == [] and codes(mon_g) == [], (codes(mon_d), codes(mon_g))
    assert [r["micro_batches"] for r in mon_d.history] == [2, 2, 2]
    assert [r["micro_batches"] for r in mon_g.history] == [2, 2, 2]
    # with DCGAN's BatchNorm the one finding is the informational SG209, for each network
    mon_d, mon_g = gan_monitors(bn=True, split_terms=split_terms, detach=detach)
    for mon in (mon_d, mon_g):
        assert [(f.code, f.severity.name) for f in mon.findings] == [("SG209", "INFO")]


@pytest.mark.parametrize("split_terms", [False, True])
def test_gan_with_an_undivided_accumulated_loss_reports_it_for_that_network_only(split_terms):
    mon_d, mon_g = gan_monitors(divide_d=False, split_terms=split_terms)
    assert [(f.code, f.step, f.count) for f in mon_d.findings] == [("SG201", 1, 3)]
    assert "2 backward passes accumulated" in mon_d.findings[0].message
    if split_terms:
        assert "each of 2 loss terms" in mon_d.findings[0].message
    assert codes(mon_g) == []
    mon_d, mon_g = gan_monitors(divide_g=False, split_terms=split_terms)
    assert codes(mon_d) == []
    assert [(f.code, f.step, f.count) for f in mon_g.findings] == [("SG201", 1, 3)]


def test_several_loss_terms_each_backpropagated_before_one_step_are_one_window():
    def loop(model: nn.Module, opt: Any, *, k: int, divide: bool) -> None:
        aux = nn.Linear(2, 1)  # a second head's loss term on the same graph
        for i, (x, y) in enumerate(batches(3 * k)):
            out = model(x)
            scale = 1 / k if divide else 1.0
            (F.cross_entropy(out, y) * scale).backward(retain_graph=True)
            (F.mse_loss(aux(out), torch.zeros(len(x), 1)) * scale).backward()
            if (i + 1) % k == 0:
                opt.step()
                opt.zero_grad()

    for k, divide, expected in ((1, False, []), (2, True, []), (2, False, ["SG201"])):
        model = mlp()
        opt = torch.optim.AdamW(param_groups(model, weight_decay=0.1), lr=1e-2)
        with Monitor(model, opt) as mon:
            loop(model, opt, k=k, divide=divide)
        assert codes(mon) == expected, (k, divide)
        assert [r["micro_batches"] for r in mon.history] == [k] * 3
        assert [r["backward_passes"] for r in mon.history] == [2 * k] * 3


# ---- 3. activation checkpointing ------------------------------------------------------------


class Checkpointed(nn.Module):
    def __init__(self, use_reentrant: bool) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.inp = nn.Linear(8, 16)
        self.block = nn.Sequential(nn.Linear(16, 16), nn.GELU(), nn.Linear(16, 16))
        self.head = nn.Linear(16, 2)
        self.use_reentrant = use_reentrant

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.inp(x)
        h = checkpoint(self.block, h, use_reentrant=self.use_reentrant)
        return self.head(h)


@pytest.mark.parametrize("use_reentrant", [True, False])
def test_sg201_under_activation_checkpointing_reentrant_or_not(use_reentrant: bool):
    def run(divide: bool) -> Monitor:
        model = Checkpointed(use_reentrant)
        opt = torch.optim.AdamW(param_groups(model, weight_decay=0.1), lr=1e-2)
        with Monitor(model, opt) as mon:
            for i, (x, y) in enumerate(batches(K * 3)):
                loss = F.cross_entropy(model(x), y)
                (loss / K if divide else loss).backward()
                if (i + 1) % K == 0:
                    opt.step()
                    opt.zero_grad()
        return mon

    bug = run(divide=False)
    assert [(f.code, f.step, f.count) for f in bug.findings] == [("SG201", 1, 3)]
    fixed = run(divide=True)
    assert fixed.findings == []
    # the recomputed segment's own backward call is part of the pass, not a new one
    assert [r["backward_passes"] for r in fixed.history] == [K] * 3


# ---- 4. an L2 term in the loss plus weight decay (SG103) ------------------------------------


def l2_loop(model: nn.Module, opt: Any, *, penalty: float, steps: int = 4) -> None:
    for x, y in batches(steps):
        loss = F.cross_entropy(model(x), y)
        if penalty:
            loss = loss + penalty * sum(p.pow(2).sum() for p in model.parameters())
        loss.backward()
        opt.step()
        opt.zero_grad()


def test_sg103_l2_term_plus_weight_decay_is_read_once_from_the_first_backward(monkeypatch):
    import stepguard.auditing._penalties as penalties

    calls = []
    real = penalties.find_penalties

    def counting(loss: torch.Tensor) -> Any:
        calls.append(1)
        return real(loss)

    monkeypatch.setattr(penalties, "find_penalties", counting)
    model = mlp()
    opt = torch.optim.AdamW(param_groups(model, weight_decay=0.1), lr=1e-2)
    with Monitor(model, opt) as mon:
        l2_loop(model, opt, penalty=1e-4, steps=6)
    (f,) = mon.findings
    assert (f.code, f.step, f.count) == ("SG103", 1, 1)
    assert [p["name"] for p in f.data["params"]] == ["0.weight", "3.weight"]  # the decayed ones
    assert "pow(2)" in f.message
    assert len(calls) == 1  # the graph is read once, on the first backward pass
    # silent without the penalty, and with the penalty when nothing decays
    model = mlp()
    opt = torch.optim.AdamW(param_groups(model, weight_decay=0.1), lr=1e-2)
    with Monitor(model, opt) as mon:
        l2_loop(model, opt, penalty=0.0)
    assert mon.findings == []
    model = mlp()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    with Monitor(model, opt) as mon:
        l2_loop(model, opt, penalty=1e-4)
    assert mon.findings == []


# ---- 5. three more real-world loops ---------------------------------------------------------


class TinyGPT(nn.Module):
    def __init__(self, vocab: int = 32, d: int = 16, seq: int = 8) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(seq, d)
        self.ln = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))
        self.lm_head = nn.Linear(d, vocab, bias=False)

    def forward(self, idx: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        h = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
        h = h + self.mlp(self.ln(h))
        logits = self.lm_head(h)
        return F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1))


def nanogpt_compiled(
    divide: bool, steps: int = 3, k: int = 2
) -> tuple[Monitor, list[torch.Tensor]]:
    raw = TinyGPT()
    decay = [p for p in raw.parameters() if p.dim() >= 2]
    rest = [p for p in raw.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.1}, {"params": rest, "weight_decay": 0.0}],
        lr=1e-3,
        betas=(0.9, 0.95),
    )
    model = torch.compile(raw, backend="aot_eager")
    g = torch.Generator().manual_seed(3)
    data = torch.randint(0, 32, (steps * k, 4, 9), generator=g)
    with Monitor(model, opt) as mon:
        for it in range(steps):
            for group in opt.param_groups:
                group["lr"] = get_lr(it)
            for micro in range(k):
                batch = data[it * k + micro]
                loss = model(batch[:, :-1], batch[:, 1:])
                if divide:
                    loss = loss / k  # nanoGPT: scale the loss to account for accumulation
                loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            opt.zero_grad(set_to_none=True)
    return mon, [p.detach().clone() for p in raw.parameters()]


@pytest.mark.slow
def test_nanogpt_style_loop_under_torch_compile():
    # nanoGPT's groups decay every 2-D tensor, the embeddings too: the attach-time audit's SG102
    bug, _ = nanogpt_compiled(divide=False)
    assert [(f.code, f.step, f.count) for f in bug.findings] == [("SG102", 0, 1), ("SG201", 1, 3)]
    fixed, _ = nanogpt_compiled(divide=True)
    assert [(f.code, f.step) for f in fixed.findings] == [("SG102", 0)]
    assert [r["micro_batches"] for r in fixed.history] == [2, 2, 2]
    assert [r["lr_group0"] for r in fixed.history] == [get_lr(it) for it in range(3)]


def test_a_compiled_step_function_that_calls_backward_and_zero_grad(recwarn):
    def run(monitor: bool) -> tuple[list[torch.Tensor], Monitor | None]:
        model = mlp()
        opt = torch.optim.SGD(model.parameters(), lr=0.1)

        @torch.compile(backend="aot_eager")
        def micro_step(x: torch.Tensor, y: torch.Tensor, last: bool) -> None:
            F.cross_entropy(model(x), y).backward()  # the SG201 bug: not divided by 2
            if last:
                opt.step()
                opt.zero_grad()

        mon = Monitor(model, opt, audit=False).attach() if monitor else None
        for i, (x, y) in enumerate(batches(8)):
            micro_step(x, y, i % 2 == 1)
        if mon is not None:
            mon.detach()
        return [p.detach().clone() for p in model.parameters()], mon

    plain, _ = run(monitor=False)
    watched, mon = run(monitor=True)
    assert all(torch.equal(a, b) for a, b in zip(plain, watched, strict=True))
    assert mon is not None and [(f.code, f.count) for f in mon.findings] == [("SG201", 4)]
    assert [r["micro_batches"] for r in mon.history] == [2] * 4
    # the Monitor's listeners run eagerly: Dynamo does not trace into them
    assert not [
        w for w in recwarn if "stepguard" in str(w.filename) or "_getframe" in str(w.message)
    ]


def test_ema_teacher_updated_every_step_is_silent_and_training_is_unchanged():
    def train(monitor: bool) -> tuple[list[torch.Tensor], list[torch.Tensor], Monitor | None]:
        student = mlp()
        opt = torch.optim.AdamW(param_groups(student, weight_decay=0.05), lr=1e-2)
        mon = Monitor(student, opt).attach() if monitor else None
        teacher = copy.deepcopy(student).requires_grad_(False)  # taken while monitored
        for i, (x, y) in enumerate(batches(3 * 2)):
            with torch.no_grad():
                target = teacher(x).softmax(-1)
            out = student(x)
            loss = F.cross_entropy(out, y) + F.kl_div(
                out.log_softmax(-1), target, reduction="batchmean"
            )
            (loss / 2).backward()
            if (i + 1) % 2 == 0:
                opt.step()
                opt.zero_grad()
                with torch.no_grad():  # EMA update of the teacher, every optimizer step
                    for pt, ps in zip(teacher.parameters(), student.parameters(), strict=True):
                        pt.lerp_(ps, 0.1)
        if mon is not None:
            mon.detach()
        params = [p.detach().clone() for p in student.parameters()]
        return params, [p.detach().clone() for p in teacher.parameters()], mon

    plain_s, plain_t, _ = train(monitor=False)
    watched_s, watched_t, mon = train(monitor=True)
    assert mon is not None and mon.findings == []
    assert [r["micro_batches"] for r in mon.history] == [2, 2, 2]
    assert all(
        torch.equal(a, b) for a, b in zip(plain_s + plain_t, watched_s + watched_t, strict=True)
    )


# ---- 6. every=N: between watched steps only counters ----------------------------------------


def test_every_n_between_watched_steps_costs_only_counters(monkeypatch):
    from stepguard.monitoring import _graph

    reads: list[int] = []
    real = _graph.root_scale_factors
    monkeypatch.setattr(_graph, "root_scale_factors", lambda loss: (reads.append(1), real(loss))[1])
    model = mlp()
    opt = torch.optim.AdamW(param_groups(model, weight_decay=0.1), lr=1e-2)
    hooked: list[bool] = []
    with Monitor(model, opt, every=3) as mon:
        for i, (x, y) in enumerate(batches(K * 7)):
            F.cross_entropy(model(x), y).backward()  # the SG201 bug, on every step
            if i % K == 0:
                hooked.append(any(p._post_accumulate_grad_hooks for p in model.parameters()))
            if (i + 1) % K == 0:
                opt.step()
                opt.zero_grad()
    # steps 1, 4, 7 are watched: gradient hooks, root reads and measurements only there
    assert hooked == [True, False, False, True, False, False, True]
    assert len(reads) == 3 * K
    assert [r["step"] for r in mon.history] == [1, 4, 7]
    (f,) = mon.findings
    assert (f.code, f.step, f.count) == ("SG201", 1, 3)
    s = mon.report().summary
    assert (s["steps"], s["backward_passes"], s["micro_batches_per_step"]) == (7, 7 * K, K)


def test_every_n_still_sees_a_leaked_window_between_watched_steps():
    def loop(model: nn.Module, opt: Any) -> None:
        for _ in range(3):  # 10 batches an epoch, k=4: the 2 left over leak into the next epoch
            for i, (x, y) in enumerate(batches(10)):
                (F.cross_entropy(model(x), y) / K).backward()
                if (i + 1) % K == 0:
                    opt.step()
                    opt.zero_grad()

    model = mlp()
    opt = torch.optim.AdamW(param_groups(model, weight_decay=0.1), lr=1e-2)
    with Monitor(model, opt, every=4) as mon:
        loop(model, opt)
    # windows: 4, 4 | 2+4, 4 | 2+4, 4 (steps 3 and 5 leak; only step 1 and 5 are watched)
    assert [(f.code, f.step, f.count) for f in mon.findings] == [("SG206", 3, 3)]


def test_every_n_still_judges_sg205_and_sg211_from_the_counts():
    # SG205: a schedule sized in micro-batches (K * 6) stepped once per optimizer step
    model = mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=K * 6)
    with Monitor(model, opt, scheduler=sched, every=4, audit=False) as mon:
        for i, (x, y) in enumerate(batches(K * 6)):
            (F.cross_entropy(model(x), y) / K).backward()
            if (i + 1) % K == 0:
                opt.step()
                opt.zero_grad()
                sched.step()
    assert [(f.code, f.step) for f in mon.findings] == [("SG205", 6)]
    assert [r["step"] for r in mon.history] == [1, 5]
    # SG211: the GradScaler skips step 2 (a counted window) and the scheduler still advances
    model = mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1 / (1 + s))
    scaler = torch.amp.GradScaler("cpu", init_scale=4.0)
    with Monitor(model, opt, scheduler=sched, scaler=scaler, every=3, audit=False) as mon:
        for i, (x, y) in enumerate(batches(4)):
            scaler.scale(F.cross_entropy(model(x), y)).backward()
            if i == 1:
                model[0].weight.grad[0, 0] = float("inf")
            scaler.step(opt)
            scaler.update()
            opt.zero_grad()
            sched.step()
    assert [(f.code, f.step) for f in mon.findings] == [("SG211", 2)]
    assert mon.state.skipped_steps == 1


def test_every_n_on_a_gan_judges_only_watched_windows():
    net_g, net_d, opt_g, opt_d = gan()
    with Monitor(net_d, opt_d, every=2) as mon_d, Monitor(net_g, opt_g, every=2) as mon_g:
        dcgan_tutorial_loop(net_g, net_d, opt_g, opt_d)
    assert codes(mon_d) == [] and codes(mon_g) == []
    assert [r["step"] for r in mon_d.history] == [1, 3, 5]


def test_every_n_changes_no_bit_of_training():
    def train(every: int | None) -> list[torch.Tensor]:
        model = mlp()
        opt = torch.optim.AdamW(param_groups(model, weight_decay=0.1), lr=1e-2)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1 / (1 + s))
        mon = Monitor(model, opt, scheduler=sched, every=every).attach() if every else None
        for i, (x, y) in enumerate(batches(2 * 10)):
            (F.cross_entropy(model(x), y) / 2).backward()
            if (i + 1) % 2 == 0:
                nn.utils.clip_grad_norm_(model.parameters(), 0.5)
                opt.step()
                opt.zero_grad()
                sched.step()
        if mon is not None:
            mon.detach()
        return [p.detach().clone() for p in model.parameters()]

    bare = train(None)
    for every in (1, 3, 10):
        assert all(torch.equal(a, b) for a, b in zip(bare, train(every), strict=True)), every

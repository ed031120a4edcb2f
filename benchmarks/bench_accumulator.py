"""Overhead of `stepguard.Accumulator` over a hand-written correct accumulation loop.

Three models on CPU: a tiny MLP (10-32-32-3, micro-batch 8), a small MLP (64-256-256-10,
micro-batch 32) and a 2-layer transformer (d=64, micro-batch 8x32 tokens); k = 8 micro-batches per
optimizer step, AdamW + clipping + a scheduler. For each model both loops train their own copy on
the same micro-batches, alternately in one process (ABBA order over rounds); we compare the median
CPU time per micro-batch, and time a second copy of the hand loop as a noise control. Small
models are where a fixed per-micro-batch cost shows most.
Prints, per model, the µs per micro-batch of each loop, the Accumulator's extra µs and the ratio;
the last line is ``accumulator_overhead_ratio=<the worst model's median ratio>``.

    .venv/bin/python benchmarks/bench_accumulator.py [--seconds 30] [--windows 4] [--threads 1]
"""

from __future__ import annotations

import argparse
import copy
import gc
import itertools
import statistics
import time
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from stepguard.accumulation import Accumulator

K = 8
Batch = tuple[torch.Tensor, torch.Tensor]


class TinyTransformer(nn.Module):
    def __init__(self, vocab: int = 128, seq: int = 32, d: int = 64) -> None:
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        self.pos = nn.Parameter(torch.randn(seq, d) * 0.02)
        layer = nn.TransformerEncoderLayer(d, 4, 4 * d, dropout=0.0, batch_first=True)
        self.body = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.head = nn.Linear(d, vocab)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(self.emb(tokens) + self.pos)).flatten(0, 1)


def mlp(sizes: list[int]) -> nn.Module:
    layers: list[nn.Module] = []
    for a, b in itertools.pairwise(sizes):
        layers += [nn.Linear(a, b), nn.ReLU()]
    return nn.Sequential(*layers[:-1])


def workloads(windows: int) -> dict[str, tuple[str, nn.Module, list[Batch]]]:
    """name -> (description, model, micro-batches)."""
    g = torch.Generator().manual_seed(1)
    n = K * windows

    def rows(d_in: int, classes: int, size: int) -> list[Batch]:
        return [
            (torch.randn(size, d_in, generator=g), torch.randint(0, classes, (size,), generator=g))
            for _ in range(n)
        ]

    tokens = [
        (
            torch.randint(0, 128, (8, 32), generator=g),
            torch.randint(0, 128, (8, 32), generator=g).flatten(),
        )
        for _ in range(n)
    ]
    torch.manual_seed(0)
    return {
        "tiny_mlp": ("MLP 10-32-32-3, micro-batch 8", mlp([10, 32, 32, 3]), rows(10, 3, 8)),
        "small_mlp": (
            "MLP 64-256-256-10, micro-batch 32",
            mlp([64, 256, 256, 10]),
            rows(64, 10, 32),
        ),
        "transformer": ("2-layer transformer d=64, 8x32 tokens", TinyTransformer(), tokens),
    }


def make(model: nn.Module) -> tuple[nn.Module, torch.optim.Optimizer, object]:
    m = copy.deepcopy(model)
    opt = torch.optim.AdamW(m.parameters(), lr=1e-3, weight_decay=0.1)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 100))
    return m, opt, sched


def hand_loop(
    model: nn.Module, opt: torch.optim.Optimizer, sched: object
) -> Callable[[list[Batch]], None]:
    """The hand-written correct loop: loss / k, clip once, step, zero_grad, scheduler."""

    def run(batches: list[Batch]) -> None:
        for i, (x, y) in enumerate(batches):
            (F.cross_entropy(model(x), y) / K).backward()
            if (i + 1) % K == 0:
                nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                opt.step()
                opt.zero_grad(set_to_none=True)
                sched.step()  # type: ignore[attr-defined]

    return run


def acc_loop(
    model: nn.Module, opt: torch.optim.Optimizer, sched: object
) -> Callable[[list[Batch]], None]:
    acc = Accumulator(model, opt, steps=K, scheduler=sched, clip_grad_norm=1.0)

    def run(batches: list[Batch]) -> None:
        for x, y in acc.iterate(batches):
            acc.backward(F.cross_entropy(model(x), y))

    return run


def measure(model: nn.Module, batches: list[Batch], seconds: float) -> dict[str, list[float]]:
    """CPU seconds per micro-batch of each loop, one sample per round, order rotated per round.

    CPU time of this process (torch runs single-threaded here), not wall time: other processes
    on a shared machine then disturb the comparison less. "hand_again" is a second copy of the
    hand-written loop: its ratio to "hand" shows the noise floor of the measurement.
    """
    loops = {
        "hand": hand_loop(*make(model)),
        "accumulator": acc_loop(*make(model)),
        "hand_again": hand_loop(*make(model)),
    }
    for run in loops.values():  # warm-up
        run(batches)
        run(batches)
    t0 = time.perf_counter()
    loops["hand"](batches)
    rounds = max(20, int(seconds / (3 * (time.perf_counter() - t0))))
    times: dict[str, list[float]] = {name: [] for name in loops}
    gc.disable()
    try:
        names = list(loops)
        for r in range(rounds):
            order = names[r % 3 :] + names[: r % 3]
            if r % 2:
                order.reverse()
            for name in order:
                t0 = time.process_time()
                loops[name](batches)
                times[name].append((time.process_time() - t0) / len(batches))
    finally:
        gc.enable()
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=30.0, help="time budget per model")
    ap.add_argument("--windows", type=int, default=4, help="optimizer steps per timed run")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--only", default="", help="comma-separated workload names")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    print(f"k={K}, AdamW + clip + scheduler, threads={args.threads}, ~{args.seconds:g} s per model")
    ratios = {}
    for name, (what, model, batches) in workloads(args.windows).items():
        if args.only and name not in args.only.split(","):
            continue
        times = measure(model, batches, args.seconds)
        hand = statistics.median(times["hand"])
        acc = statistics.median(times["accumulator"])
        # Per-round ratios (each round times both loops back to back) resist drifting load.
        paired = statistics.median(
            a / h for a, h in zip(times["accumulator"], times["hand"], strict=True)
        )
        ratios[name] = acc / hand
        noise = statistics.median(times["hand_again"]) / hand
        print(
            f"{name:>11} ({what}), {len(times['hand'])} rounds: hand {hand * 1e6:7.1f} us/micro-batch, accumulator "
            f"{acc * 1e6:7.1f} us ({(acc - hand) * 1e6:+5.1f} us), ratio {acc / hand:.4f} "
            f"(median of per-round ratios {paired:.4f}; hand vs hand {noise:.4f})"
        )
    worst = max(ratios, key=ratios.__getitem__)
    print(f"worst: {worst}")
    print(f"accumulator_overhead_ratio={ratios[worst]:.4f}")


if __name__ == "__main__":
    main()

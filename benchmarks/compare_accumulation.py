"""Side by side: how far each accumulation engine lands from one big batch, case by case.

Every engine trains the same float64 model on the same micro-batches (k = 4 per optimizer step;
AdamW, clipping at 1.0, warmup + cosine), set up the way its documentation shows, with its
defaults. The reference is one step per window on the concatenation of what the window held (on
all ranks). Printed: max |dtheta| over all parameters after training, as a markdown table
(``n/a`` when the engine cannot run the case, with the reason below the table).

Cases: fixed windows; a ragged last window (micro-batches of 8, 8 and 3 rows); a token loss with
padding; DDP on 2 gloo ranks with equal and unequal shards (6 vs 5 micro-batches); a checkpoint
in the middle of a window, resumed in a fresh instance; a GradScaler that skips a step.
Engines: stepguard (default mean mode, ``items=``, ``mean_over=``), Accelerate
(``accelerator.accumulate``), the Hugging Face Trainer (``gradient_accumulation_steps``),
Lightning (``accumulate_grad_batches``) and a hand-written loop (each micro-batch's mean weighted
by its share of the window, clipping once, scheduler once per step).

    .venv/bin/python benchmarks/compare_accumulation.py [--engines stepguard,accelerate,...]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import io
import math
import os
import socket
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from stepguard.accumulation import Accumulator, count_tokens

K, ROWS, LR, CLIP = 4, 8, 0.02, 1.0
PAD = -100
CASES = ["fixed", "ragged", "tokens", "ddp_equal", "ddp_unequal", "resume", "amp_skip"]
ENGINES = [
    "stepguard",
    "stepguard items=",
    "stepguard mean_over=",
    "accelerate",
    "hf_trainer",
    "lightning",
    "hand_loop",
]
Params = list[torch.Tensor]
WARNED: list[str] = []  # stepguard's unequal-size warnings during the current run


# ----------------------------------------------------------------------------- models and data
class RowModel(nn.Module):
    """A small classifier: rows of 6 features, 3 classes."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.net = nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 3)).double()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class TokenModel(nn.Module):
    """A tiny sequence model: embedding, causal running mean, per-token head (float64)."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.emb = nn.Embedding(11, 8)
        self.mix = nn.Linear(16, 8)
        self.head = nn.Linear(8, 11)
        self.double()

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        h = self.emb(ids)
        ctx = h.cumsum(1) / torch.arange(1, ids.shape[1] + 1, dtype=h.dtype).view(1, -1, 1)
        return self.head(torch.tanh(self.mix(torch.cat([h, ctx], -1))))


def row_batches(n_rows: int, seed: int = 1) -> list[dict[str, torch.Tensor]]:
    """Micro-batches of ROWS rows (the last one shorter when n_rows is not a multiple)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n_rows, 6, generator=g, dtype=torch.float64)
    y = torch.randint(0, 3, (n_rows,), generator=g)
    return [{"x": x[i : i + ROWS], "labels": y[i : i + ROWS]} for i in range(0, n_rows, ROWS)]


def token_batches(n: int, seed: int = 3) -> list[dict[str, torch.Tensor]]:
    """Micro-batches of 4 padded sequences; short and long micro-batches alternate."""
    g = torch.Generator().manual_seed(seed)
    out = []
    for i in range(n):
        lengths = torch.randint(1, (3 if i % 2 == 0 else 12) + 1, (4,), generator=g)
        ids = torch.randint(0, 11, (4, 12), generator=g)
        labels = torch.randint(0, 11, (4, 12), generator=g)
        labels[torch.arange(12).view(1, -1) >= lengths.view(-1, 1)] = PAD
        out.append({"x": ids, "labels": labels})
    return out


def case_data(case: str) -> list[dict[str, torch.Tensor]]:
    if case == "ragged":
        return row_batches(ROWS * 10 + 3)  # windows of 4, 4 and 3 (8 + 8 + 3 rows)
    if case == "tokens":
        return token_batches(K * 3)
    if case == "ddp_unequal":
        return row_batches(ROWS * 11)  # rank 0 gets 6 micro-batches, rank 1 gets 5
    if case == "ddp_equal":
        return row_batches(ROWS * 16)
    return row_batches(ROWS * K * 3)


def loader(data: list[dict[str, torch.Tensor]]) -> Any:
    """The same micro-batches as a user's DataLoader makes them: one sample per index, batched."""
    samples = [{k: v[i] for k, v in b.items()} for b in data for i in range(len(b["labels"]))]
    return torch.utils.data.DataLoader(ListDataset(samples), batch_size=len(data[0]["labels"]))


def loss_of(model: nn.Module, batch: dict[str, torch.Tensor], reduction: str = "mean") -> Any:
    logits = model(batch["x"])
    return F.cross_entropy(
        logits.flatten(0, -2), batch["labels"].flatten(), ignore_index=PAD, reduction=reduction
    )


def n_items(batch: dict[str, torch.Tensor]) -> int:
    return int((batch["labels"] != PAD).sum())


def make(case: str) -> tuple[nn.Module, torch.optim.Optimizer, Any]:
    model: nn.Module = TokenModel() if case == "tokens" else RowModel()
    opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=0.1)
    return model, opt, schedule(opt)


def schedule(opt: torch.optim.Optimizer, total: int = 3, warmup: int = 1) -> Any:
    def f(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return 0.5 * (1 + math.cos(math.pi * min(1.0, (step - warmup) / (total - warmup))))

    return torch.optim.lr_scheduler.LambdaLR(opt, f)


def params(model: nn.Module) -> Params:
    return [p.detach().clone() for p in model.parameters()]


def shards(data: list[Any], world: int = 2) -> list[list[Any]]:
    return [data[r::world] for r in range(world)]


def windows_of(case: str, data: list[Any]) -> list[list[Any]]:
    """What each optimizer step's window held (over all ranks for the DDP cases)."""
    if case.startswith("ddp"):
        per_rank = [[s[i : i + K] for i in range(0, len(s), K)] for s in shards(data)]
        return [
            [b for r in per_rank if j < len(r) for b in r[j]]
            for j in range(max(len(r) for r in per_rank))
        ]
    return [data[i : i + K] for i in range(0, len(data), K)]


def reference(case: str, skip: int | None = None) -> Params:
    """One big batch per window; `skip` = a window whose step a GradScaler skipped."""
    data = case_data(case)
    model, opt, sched = make(case)
    for j, window in enumerate(windows_of(case, data)):
        if j == skip:
            continue  # the step and the scheduler both skip it
        big = {k: torch.cat([b[k] for b in window]) for k in ("x", "labels")}
        loss_of(model, big).backward()
        nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        opt.step()
        opt.zero_grad(set_to_none=True)
        sched.step()
    return params(model)


# ------------------------------------------------------------------------------------ engines
def stepguard(case: str, data: list[Any], mode: str, model: Any = None, state: Any = None) -> Any:
    """The Accumulator with `iterate`; ``mode`` is "mean", "items" or "mean_over"."""
    net, opt, sched = make(case) if model is None else model
    counter: Any = count_tokens("labels") if case == "tokens" else "rows"
    kw: dict[str, Any] = {"items": counter} if mode == "items" else {}
    if mode == "mean_over":
        kw = {"mean_over": counter}
    scaler = torch.amp.GradScaler("cpu") if case == "amp_skip" else None
    acc = Accumulator(net, opt, steps=K, scheduler=sched, clip_grad_norm=CLIP, scaler=scaler, **kw)
    if state is not None:
        acc.load_state_dict(state)
    reduction = "sum" if mode == "items" else "mean"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for b in acc.iterate(data):
            acc.backward(loss_of(net, b, reduction))
    WARNED.extend(str(w.message) for w in caught if "SG207" in str(w.message))
    return net, opt, sched, acc


def run_stepguard(case: str, mode: str) -> Params | str:
    data = case_data(case)
    if case == "resume":
        net, opt, sched = make(case)
        counter: Any = "rows"
        kw = (
            {"items": counter}
            if mode == "items"
            else {"mean_over": counter}
            if mode == "mean_over"
            else {}
        )
        acc = Accumulator(net, opt, steps=K, scheduler=sched, clip_grad_norm=CLIP, **kw)
        for i, b in enumerate(acc.iterate(data)):
            acc.backward(loss_of(net, b, "sum" if mode == "items" else "mean"))
            if i == K + 1:  # preempted in the middle of the second window
                break
        ckpt = save(
            {
                "m": net.state_dict(),
                "o": opt.state_dict(),
                "s": sched.state_dict(),
                "a": acc.state_dict(),
            }
        )
        net2, opt2, sched2 = make(case)
        net2.load_state_dict(ckpt["m"])
        opt2.load_state_dict(ckpt["o"])
        sched2.load_state_dict(ckpt["s"])
        net2, *_ = stepguard(case, data[K + 2 :], mode, (net2, opt2, sched2), ckpt["a"])
        return params(net2)
    if case == "amp_skip":
        net, opt, sched = make(case)
        inject_inf(net, at_micro=K + 1)
        net, *_ = stepguard(case, data, mode, (net, opt, sched))
        return params(net)
    net, *_ = stepguard(case, data, mode)
    return params(net)


def save(obj: Any) -> Any:
    buf = io.BytesIO()
    torch.save(obj, buf)
    buf.seek(0)
    return torch.load(buf, weights_only=False)


def inject_inf(model: nn.Module, at_micro: int) -> None:
    """Make one micro-batch's gradient inf (what an fp16 overflow does): the scaler skips."""
    calls = [0]
    first = next(model.parameters())

    def hook(g: torch.Tensor) -> torch.Tensor:
        calls[0] += 1
        return g * float("inf") if calls[0] == at_micro + 1 else g

    first.register_hook(hook)


def run_hand(case: str) -> Params | str:
    """A careful hand-written loop: weights each micro-batch's mean by its share of the window
    (rows or tokens, counted ahead), clips once, steps the scheduler once per optimizer step;
    checkpoints hold model, optimizer and scheduler (not the window's gradients)."""
    data = case_data(case)
    net, opt, sched = make(case)
    scaler = torch.amp.GradScaler("cpu") if case == "amp_skip" else None
    if scaler is not None:
        inject_inf(net, at_micro=K + 1)
    count = n_items if case == "tokens" else (lambda b: len(b["labels"]))
    start = 0
    if case == "resume":
        run_hand_windows(net, opt, sched, None, windows_of(case, data), count, stop_after=K + 2)
        ckpt = save({"m": net.state_dict(), "o": opt.state_dict(), "s": sched.state_dict()})
        net, opt, sched = make(case)
        net.load_state_dict(ckpt["m"])
        opt.load_state_dict(ckpt["o"])
        sched.load_state_dict(ckpt["s"])
        start = K + 2
    rest = data[start:]
    # After a resume the loop restarts its window count at the data position, as such loops do.
    run_hand_windows(
        net, opt, sched, scaler, [rest[i : i + K] for i in range(0, len(rest), K)], count
    )
    return params(net)


def run_hand_windows(
    net: nn.Module, opt: Any, sched: Any, scaler: Any, windows: list[list[Any]],
    count: Callable[[Any], int], stop_after: int | None = None,
) -> None:  # fmt: skip
    seen = 0
    for window in windows:
        total = sum(count(b) for b in window)
        for b in window:
            loss = loss_of(net, b) * (count(b) / total)
            (scaler.scale(loss) if scaler is not None else loss).backward()
            seen += 1
            if seen == stop_after:
                return
        if scaler is not None:
            scaler.unscale_(opt)
        nn.utils.clip_grad_norm_(net.parameters(), CLIP)
        if scaler is not None:
            before = scaler.get_scale()
            scaler.step(opt)
            scaler.update()
            stepped = scaler.get_scale() >= before
        else:
            opt.step()
            stepped = True
        opt.zero_grad(set_to_none=True)
        if stepped:
            sched.step()


def reset_accelerate() -> None:
    from accelerate.state import AcceleratorState, GradientState, PartialState

    AcceleratorState._reset_state(True)
    GradientState._reset_state()
    PartialState._reset_state()


def run_accelerate(case: str) -> Params | str:
    """``with accelerator.accumulate(model)`` on a prepared DataLoader, as accelerate's docs show."""
    if case == "amp_skip":
        return "n/a: Accelerator(mixed_precision='fp16') on CPU has no GradScaler"
    from accelerate import Accelerator

    data = case_data(case)
    net, opt, sched = make(case)
    reset_accelerate()
    accelerator = Accelerator(gradient_accumulation_steps=K, cpu=True)
    net, opt, dl, sched = accelerator.prepare(net, opt, loader(data), sched)

    def train(loader: Any, stop_after: int | None = None) -> None:
        for i, b in enumerate(loader):
            with accelerator.accumulate(net):
                accelerator.backward(loss_of(net, b))
                if accelerator.sync_gradients:
                    accelerator.clip_grad_norm_(net.parameters(), CLIP)
                opt.step()
                sched.step()
                opt.zero_grad()
            if stop_after is not None and i + 1 == stop_after:
                return

    if case == "resume":
        train(dl, stop_after=K + 2)
        with tempfile.TemporaryDirectory() as tmp:
            accelerator.save_state(tmp)
            net2, opt2, sched2 = make(case)
            reset_accelerate()
            accelerator = Accelerator(gradient_accumulation_steps=K, cpu=True)
            net, opt, dl, sched = accelerator.prepare(net2, opt2, loader(data), sched2)
            accelerator.load_state(tmp)
            train(accelerator.skip_first_batches(dl, K + 2))
    else:
        train(dl)
    return params(accelerator.unwrap_model(net))


class ListDataset(torch.utils.data.Dataset):  # type: ignore[type-arg]
    """Pre-made micro-batches served one per index (DataLoader(batch_size=None))."""

    def __init__(self, batches: list[Any]) -> None:
        self.batches = batches

    def __len__(self) -> int:
        return len(self.batches)

    def __getitem__(self, i: int) -> Any:
        return self.batches[i]


class HFRows(nn.Module):
    """A classifier the way Transformers' models return a loss (``forward(..., labels)``)."""

    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> dict[str, torch.Tensor]:
        return {"loss": F.cross_entropy(self.net(x), labels)}


class HFTokens(nn.Module):
    """A token model that, like Transformers' causal LMs, takes ``num_items_in_batch``."""

    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net

    def forward(
        self, x: torch.Tensor, labels: torch.Tensor, **kwargs: Any
    ) -> dict[str, torch.Tensor]:
        n = kwargs.get("num_items_in_batch")
        logits = self.net(x).flatten(0, -2)
        if n is None:
            return {"loss": F.cross_entropy(logits, labels.flatten(), ignore_index=PAD)}
        return {
            "loss": F.cross_entropy(logits, labels.flatten(), ignore_index=PAD, reduction="sum") / n
        }


def run_trainer(case: str, ddp: bool = False) -> Params | str:
    """transformers.Trainer with gradient_accumulation_steps=K and our optimizer/scheduler."""
    if case == "resume":
        return "n/a: Trainer checkpoints only at optimizer steps (save_steps), never mid-window"
    if case == "amp_skip":
        return "n/a: TrainingArguments(fp16=True) on CPU runs without a GradScaler"
    import transformers

    data = case_data(case)
    net, opt, sched = make(case)
    wrapped = HFTokens(net) if case == "tokens" else HFRows(net)

    class InOrder(transformers.Trainer):
        # The Trainer shuffles by default; the same order as the reference keeps the windows equal.
        def _get_train_sampler(self, *args: Any, **kwargs: Any) -> Any:
            return torch.utils.data.SequentialSampler(self.train_dataset)

    samples = [
        {"x": b["x"][i], "labels": b["labels"][i]} for b in data for i in range(len(b["labels"]))
    ]
    per_device = len(data[0]["labels"])
    with tempfile.TemporaryDirectory() as tmp:
        args = transformers.TrainingArguments(
            output_dir=tmp, per_device_train_batch_size=per_device, gradient_accumulation_steps=K,
            num_train_epochs=1, max_grad_norm=CLIP, report_to=[], save_strategy="no",
            logging_strategy="no", use_cpu=True, disable_tqdm=True, dataloader_drop_last=False,
            **({"ddp_backend": "gloo", "ddp_timeout": 30} if ddp else {}),
        )  # fmt: skip
        trainer = InOrder(
            model=wrapped, args=args, train_dataset=ListDataset(samples), optimizers=(opt, sched)
        )
        with contextlib.redirect_stdout(io.StringIO()):
            trainer.train()
    return params(net)


def run_lightning(case: str, ddp: bool = False) -> Params | str:
    """lightning.Trainer(accumulate_grad_batches=K, gradient_clip_val=CLIP)."""
    if case == "resume":
        return "n/a: Lightning checkpoints count optimizer steps, never mid-window"
    if case == "amp_skip":
        return "n/a: precision='16-mixed' on CPU falls back to bf16 without a GradScaler"
    import lightning as L

    data = case_data(case)
    net, opt, sched = make(case)

    class Module(L.LightningModule):
        def __init__(self) -> None:
            super().__init__()
            self.net = net

        def training_step(self, batch: Any, batch_idx: int) -> torch.Tensor:
            return loss_of(self.net, batch)

        def configure_optimizers(self) -> Any:
            return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        strategy: Any = "auto"
        if ddp:  # joins the process group of this spawned rank (LOCAL_RANK is set)
            strategy = L.pytorch.strategies.DDPStrategy(
                process_group_backend="gloo", timeout=datetime.timedelta(seconds=30)
            )
        trainer = L.Trainer(
            accelerator="cpu", devices=2 if ddp else 1, strategy=strategy, max_epochs=1,
            accumulate_grad_batches=K,
            gradient_clip_val=CLIP, logger=False, enable_checkpointing=False,
            enable_progress_bar=False, enable_model_summary=False, use_distributed_sampler=not ddp,
        )  # fmt: skip
    dl = loader(data)
    if ddp:  # Lightning's own DistributedSampler shuffles; keep the reference's order instead
        rank = int(os.environ["RANK"])
        sampler = torch.utils.data.DistributedSampler(dl.dataset, 2, rank, shuffle=False)
        dl = torch.utils.data.DataLoader(dl.dataset, batch_size=dl.batch_size, sampler=sampler)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        trainer.fit(Module(), dl)
    return params(net)


# --------------------------------------------------------------------------------- DDP cases
def ddp_worker(rank: int, world: int, port: int, case: str, engine: str, out: str) -> None:
    import torch.distributed as dist

    torch.set_num_threads(1)
    os.environ.update(
        MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank), LOCAL_RANK=str(rank),
        WORLD_SIZE=str(world), NODE_RANK="0",
    )  # fmt: skip
    transformers_logging_off()
    result: Any
    try:
        if engine == "accelerate":
            result = ddp_accelerate(rank, world, case)
        elif engine == "hf_trainer":
            result = run_trainer(case, ddp=True)
        elif engine == "lightning":
            result = run_lightning(case, ddp=True)
        else:
            dist.init_process_group(
                "gloo", rank=rank, world_size=world, timeout=datetime.timedelta(seconds=30)
            )
            result = ddp_own(rank, world, case, engine)
    except Exception as exc:  # a collective mismatch or a timeout: report it, do not hang
        result = f"error: {type(exc).__name__}: {str(exc).splitlines()[0][:90]}"
    torch.save(result, Path(out) / f"rank{rank}.pt")
    with contextlib.suppress(Exception):
        # No rank tears gloo down while the other still talks to it: without the barrier the
        # rank that finishes first can close the connection under the other, which then aborts
        # (SIGABRT) after its result is saved.
        if dist.is_initialized():
            dist.barrier()
        dist.destroy_process_group()


def ddp_own(rank: int, world: int, case: str, engine: str) -> Any:
    """stepguard's modes and the hand loop on this rank's shard (micro-batches rank::world)."""
    from torch.nn.parallel import DistributedDataParallel as DDP

    mine = shards(case_data(case), world)[rank]
    net, opt, sched = make(case)
    model = DDP(net)
    if engine.startswith("stepguard"):
        mode = {"stepguard": "mean", "stepguard items=": "items"}.get(engine, "mean_over")
        stepguard(case, mine, mode, (model, opt, sched))
        return {"params": params(net), "warned": bool(WARNED)}
    else:  # the hand loop with DDP's no_sync() on all but each window's last micro-batch
        for start in range(0, len(mine), K):
            window = mine[start : start + K]
            for i, b in enumerate(window):
                sync = i == len(window) - 1
                with contextlib.nullcontext() if sync else model.no_sync():
                    (loss_of(model, b) / len(window)).backward()
            nn.utils.clip_grad_norm_(model.parameters(), CLIP)
            opt.step()
            opt.zero_grad(set_to_none=True)
            sched.step()
    return params(net)


def ddp_accelerate(rank: int, world: int, case: str) -> Any:
    """accelerate's own distributed DataLoader over the whole data (its default sharding)."""
    from accelerate import Accelerator, InitProcessGroupKwargs

    accelerator = Accelerator(
        gradient_accumulation_steps=K, cpu=True,
        kwargs_handlers=[InitProcessGroupKwargs(backend="gloo", timeout=datetime.timedelta(seconds=30))],
    )  # fmt: skip
    net, opt, sched = make(case)
    model, opt, dl, sched = accelerator.prepare(net, opt, loader(case_data(case)), sched)
    for b in dl:
        with accelerator.accumulate(model):
            accelerator.backward(loss_of(model, b))
            if accelerator.sync_gradients:
                accelerator.clip_grad_norm_(model.parameters(), CLIP)
            opt.step()
            sched.step()
            opt.zero_grad()
    return params(net)


def run_ddp(case: str, engine: str) -> Params | str:
    import torch.multiprocessing as mp

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory() as out:
        ctx = mp.spawn(ddp_worker, args=(2, port, case, engine, out), nprocs=2, join=False)
        deadline = time.monotonic() + 120
        while not ctx.join(timeout=max(0.1, deadline - time.monotonic())):
            if time.monotonic() >= deadline:
                for p in ctx.processes:
                    p.kill()
                return "hang (killed after 120 s)"
        results = [torch.load(Path(out) / f"rank{r}.pt", weights_only=False) for r in range(2)]
    if any(isinstance(r, str) for r in results):
        return next(r for r in results if isinstance(r, str))
    if isinstance(results[0], dict):
        if any(r["warned"] for r in results):
            WARNED.append("a rank warned")
        results = [r["params"] for r in results]
    if max_diff(results[0], results[1]) > 0:
        return f"ranks differ by {max_diff(results[0], results[1]):.1e}; rank 0: {max_diff(results[0], reference(case)):.1e}"
    return results[0]


# ------------------------------------------------------------------------------------- driver
def max_diff(a: Params, b: Params) -> float:
    return max(float((p - q).abs().max()) for p, q in zip(a, b, strict=True))


def run(case: str, engine: str) -> Params | str:
    if case.startswith("ddp"):
        return run_ddp(case, engine)
    if engine.startswith("stepguard"):
        mode = {"stepguard": "mean", "stepguard items=": "items"}.get(engine, "mean_over")
        return run_stepguard(case, mode)
    runner = {
        "accelerate": run_accelerate,
        "hf_trainer": run_trainer,
        "lightning": run_lightning,
        "hand_loop": run_hand,
    }
    return runner[engine](case)


def versions() -> str:
    out = [f"torch {torch.__version__}"]
    for name in ("accelerate", "transformers", "lightning"):
        with contextlib.suppress(ImportError):
            out.append(f"{name} {__import__(name).__version__}")
    import stepguard

    out.append(f"stepguard {stepguard.__version__}")
    return ", ".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--cases", default=",".join(CASES))
    args = ap.parse_args()
    engines = [e for e in args.engines.split(",") if e]
    cases = [c for c in args.cases.split(",") if c]
    torch.set_num_threads(1)
    transformers_logging_off()
    notes: dict[str, str] = {}
    rows = []
    for case in cases:
        ref = reference(case, skip=1 if case == "amp_skip" else None)
        cells = []
        for engine in engines:
            WARNED.clear()
            try:
                got = run(case, engine)
            except ImportError as exc:
                got = f"n/a: not installed ({exc.name})"
            except Exception as exc:
                got = f"error: {type(exc).__name__}: {str(exc).splitlines()[0][:90]}"
            if isinstance(got, str):
                short = got.split(":")[0]
                mark = (
                    f"[{len(notes) + 1}]"
                    if got not in notes.values()
                    else f"[{list(notes.values()).index(got) + 1}]"
                )
                if got not in notes.values():
                    notes[mark] = got
                cells.append(f"{short} {mark}")
            else:
                cells.append(f"{max_diff(got, ref):.1e}" + (" (warns)" if WARNED else ""))
            print(f"  {case:>11} / {engine}: {cells[-1]}", file=sys.stderr, flush=True)
        rows.append((case, cells))
    print(f"max |dtheta| vs one big batch, float64, k={K}, AdamW + clip {CLIP} + warmup/cosine")
    print(f"{datetime.date.today().isoformat()}; {versions()}\n")
    print("| case | " + " | ".join(engines) + " |")
    print("|---" * (len(engines) + 1) + "|")
    for case, cells in rows:
        print(f"| {case} | " + " | ".join(cells) + " |")
    if notes:
        print()
        for mark, text in notes.items():
            print(f"{mark} {text}")


def transformers_logging_off() -> None:
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    warnings.filterwarnings("ignore")


if __name__ == "__main__":
    main()

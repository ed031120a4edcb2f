"""Run the demo's independent training runs in this process or in a few worker processes.

Every run is a pure function of its arguments (it seeds its own generators), so running it in a
worker gives the same numbers as running it here; results come back in submission order. Workers
are spawned (not forked: torch's thread pools do not survive a fork), use the same torch thread
count as the caller, and report progress ticks through a queue so the bars stay live.
"""

from __future__ import annotations

import multiprocessing
import queue as queue_module
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from stepguard.experiments._progress import Bars

__all__ = ["Runner"]

_QUEUE: Any = None


def _init_worker(threads: int, ticks: Any) -> None:
    import torch

    global _QUEUE
    torch.set_num_threads(threads)
    _QUEUE = ticks


def _call(fn: Callable[..., Any], kwargs: dict[str, Any], tick_arg: str, job: int) -> Any:
    def tick() -> None:
        _QUEUE.put(job)

    return fn(**kwargs, **{tick_arg: tick})


class Runner:
    """`Runner(workers, threads).map(fn, jobs, ...)`: ``[fn(**job) for job in jobs]``, with a
    progress bar per job; ``workers > 1`` runs the jobs in that many spawned processes."""

    def __init__(self, workers: int = 1, threads: int = 1) -> None:
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ValueError(f"workers must be an int >= 1, got {workers!r}")
        self.workers = workers
        self.threads = threads
        self._pool: ProcessPoolExecutor | None = None
        self._ticks: Any = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            ctx = multiprocessing.get_context("spawn")
            self._ticks = ctx.Queue()
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=ctx,
                initializer=_init_worker,
                initargs=(self.threads, self._ticks),
            )
        return self._pool

    def map(
        self,
        fn: Callable[..., Any],
        jobs: Sequence[dict[str, Any]],
        *,
        tick_arg: str,
        labels: Sequence[str],
        units: int,
        bars: Bars,
        title: str,
    ) -> list[Any]:
        """Run ``fn(**job, **{tick_arg: tick})`` for every job; results in job order."""
        with bars.stage(title, len(jobs)):
            if self.workers == 1:
                out = []
                for job, label in zip(jobs, labels, strict=True):
                    with bars.run(label, units) as tick:
                        out.append(fn(**job, **{tick_arg: tick}))
                return out
            pool = self._executor()
            futures: list[Future[Any]] = [
                pool.submit(_call, fn, dict(job), tick_arg, i) for i, job in enumerate(jobs)
            ]
            handles: dict[int, Any] = {}
            done: set[int] = set()
            try:
                while len(done) < len(futures):
                    try:
                        ticked: int | None = self._ticks.get(timeout=0.1)
                    except queue_module.Empty:
                        ticked = None
                    if ticked is not None and ticked not in done:
                        if ticked not in handles:
                            handles[ticked] = bars.open_run(labels[ticked], units)
                        bars.tick(handles[ticked])
                    for i, f in enumerate(futures):
                        if i not in done and f.done():
                            f.result()  # raise a worker's exception here
                            done.add(i)
                            if i not in handles:
                                handles[i] = bars.open_run(labels[i], units)
                            bars.close_run(handles.pop(i))
            finally:
                for handle in handles.values():
                    bars.close_run(handle)
            return [f.result() for f in futures]

    def close(self) -> None:
        """Shut the worker processes down."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

"""Run the demo's independent training runs in this process or in a few worker processes.

Every run is a pure function of its arguments (it seeds its own generators), so running it in a
worker gives the same numbers as running it here; results come back in submission order. Workers
are spawned (not forked: torch's thread pools do not survive a fork), use the same torch thread
count as the caller, and report progress ticks through a queue so the bars stay live.

Stopping. Workers ignore SIGINT (a Ctrl-C reaches the whole process group; only the main process
acts on it) and exit as soon as the main process is gone, however it ended (a watcher thread
waits on the parent's lifeline, which the OS closes when the parent dies, even by SIGKILL). When
`map` is interrupted, `cancel` drops pending runs and terminates the workers at once; the runs
that finished before stay in `finished`.
"""

from __future__ import annotations

import multiprocessing
import os
import queue as queue_module
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

from stepguard.experiments._progress import Bars

__all__ = ["Runner"]

_QUEUE: Any = None


def _exit_with_parent() -> None:
    """In a worker: exit the moment the process that spawned it is gone."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()  # returns when the parent's end of the lifeline closes: it has exited
        os._exit(1)

    threading.Thread(target=watch, name="stepguard-exit-with-parent", daemon=True).start()


def _init_worker(threads: int, ticks: Any) -> None:
    global _QUEUE
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C
    _exit_with_parent()  # first: importing torch takes seconds
    import torch

    torch.set_num_threads(threads)
    _QUEUE = ticks


def _call(fn: Callable[..., Any], kwargs: dict[str, Any], tick_arg: str, job: int) -> Any:
    def tick() -> None:
        _QUEUE.put(job)

    return fn(**kwargs, **{tick_arg: tick})


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ignore SIGINT while worker processes are started, so they are born ignoring it (an
    ignored signal stays ignored across exec); only the main thread can change handlers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class Runner:
    """`Runner(workers, threads).map(fn, jobs, ...)`: ``[fn(**job) for job in jobs]``, with a
    progress bar per job; ``workers > 1`` runs the jobs in that many spawned processes.

    `finished` lists ``{"stage", "label", "result"}`` for every run that completed, in completion
    order, across `map` calls (`reset` empties it): what an interrupted demo can still report.
    """

    def __init__(self, workers: int = 1, threads: int = 1) -> None:
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ValueError(f"workers must be an int >= 1, got {workers!r}")
        if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
            raise ValueError(f"threads must be an int >= 1, got {threads!r}")
        self.workers = workers
        self.threads = threads
        self.finished: list[dict[str, Any]] = []
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
        """Run ``fn(**job, **{tick_arg: tick})`` for every job; results in job order.

        On any exception (a run's error, a KeyboardInterrupt) the pending runs are cancelled
        and the workers terminated before it propagates.
        """
        try:
            with bars.stage(title, len(jobs)):
                if self.workers == 1:
                    out = []
                    for job, label in zip(jobs, labels, strict=True):
                        with bars.run(label, units) as tick:
                            out.append(fn(**job, **{tick_arg: tick}))
                        self.finished.append({"stage": title, "label": label, "result": out[-1]})
                    return out
                return self._map_workers(fn, jobs, tick_arg, labels, units, bars, title)
        except BaseException:
            self.cancel()
            raise

    def _map_workers(
        self,
        fn: Callable[..., Any],
        jobs: Sequence[dict[str, Any]],
        tick_arg: str,
        labels: Sequence[str],
        units: int,
        bars: Bars,
        title: str,
    ) -> list[Any]:
        pool = self._executor()
        with _sigint_ignored():  # workers start on the first submissions
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
                        result = f.result()  # raise a worker's exception here
                        done.add(i)
                        self.finished.append({"stage": title, "label": labels[i], "result": result})
                        if i not in handles:
                            handles[i] = bars.open_run(labels[i], units)
                        bars.close_run(handles.pop(i))
        finally:
            for handle in handles.values():
                bars.close_run(handle)
        return [f.result() for f in futures]

    def reset(self) -> None:
        """Forget the finished runs (the start of a new experiment)."""
        self.finished = []

    def cancel(self) -> None:
        """Drop pending runs and terminate the worker processes now (no waiting for runs)."""
        pool, self._pool = self._pool, None
        ticks, self._ticks = self._ticks, None
        if pool is not None and hasattr(pool, "terminate_workers"):  # Python >= 3.14
            pool.terminate_workers()
        elif pool is not None:
            processes = list((getattr(pool, "_processes", None) or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for p in processes:
                if p.is_alive():
                    p.terminate()
            for p in processes:
                p.join(timeout=2)
                if p.is_alive():
                    p.kill()
                    p.join(timeout=2)
        if ticks is not None:
            ticks.close()
            ticks.cancel_join_thread()

    def close(self) -> None:
        """Shut the worker processes down (after their runs)."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
        if self._ticks is not None:
            self._ticks.close()
            self._ticks = None

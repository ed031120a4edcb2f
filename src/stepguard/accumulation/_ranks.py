"""Several ranks: `iterate` looking one window ahead so that the ranks agree on each window in one
small all-reduce, zero-weight windows for a rank whose loader ended first, own-loop flushes that
take part until every rank has flushed, and FSDP2's limits as errors raised on every rank.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import TypeVar

from stepguard.accumulation import _ddp
from stepguard.accumulation._engine import WindowEngine
from stepguard.accumulation._window import (
    MEAN,
    Agreement,
    MicroBatch,
    Window,
    describe_next,
    unequal,
)

B = TypeVar("B")
NOTHING_NEXT = [0.0] * 6


class RanksMixin(WindowEngine):
    """The parts of the `Accumulator` that only run with several DDP/FSDP2 ranks."""

    def _iterate_ranks(self, loader: Iterable[B]) -> Iterator[B]:
        it = iter(loader)
        self._in_iterate = True
        try:
            if self._win.pos:
                batches: list[B] | None = self._resume(it)
            else:
                first = list(itertools.islice(it, self.steps))
                counts, sizes = self._survey(first)
                agreed = self._agree([0.0, 0.0, 0.0, 0.0, *describe_next(first, counts, sizes)])
                batches = self._open(first, counts, sizes, agreed)
            while batches is not None:
                following: list[B] = []
                if batches:
                    window = self._win
                    last = (window.size or 0) - 1
                    for i, batch in enumerate(batches, window.pos):
                        if self._win is not window:
                            raise RuntimeError(
                                "Accumulator.iterate: the window was closed (acc.flush()?) before its "
                                "last batch; iterate() closes windows itself"
                            )
                        if i == last:  # look one window ahead: the ranks agree on it at this close
                            following = list(itertools.islice(it, self.steps))
                            counts, sizes = self._survey(following)
                            window.next_local = describe_next(following, counts, sizes)
                        synced = i == last and window.native
                        self._yielded = i
                        self._mb = MicroBatch(synced, None, None)
                        if synced:
                            yield batch
                        else:
                            with self._no_sync():
                                yield batch
                        if self._yielded is not None:
                            raise RuntimeError(
                                "Accumulator.iterate: a yielded batch got no acc.backward(loss); "
                                "call it exactly once per batch, or the window would be mis-scaled"
                            )
                    agreed_or_none, self._agreed = self._agreed, None
                    if agreed_or_none is None:  # pragma: no cover - backward always leaves one
                        raise RuntimeError(
                            "Accumulator.iterate: the window closed without agreement"
                        )
                    agreed = agreed_or_none
                else:  # this rank has no data left: a zero-weight window beside the others' window
                    counts, sizes = self._survey([])
                    _ddp.shadow_forward(self.model)
                    agreed = self._agree([0.0, 0.0, 0.0, 0.0, *NOTHING_NEXT])
                    self._close(agreed, active=0.0)
                batches = self._open(following, counts, sizes, agreed)
        finally:
            self._leave_iterate()

    def _open(
        self,
        batches: list[B],
        counts: list[int] | None,
        sizes: list[int | None],
        a: Agreement,
    ) -> list[B] | None:
        """Plan the next window from what the ranks agreed; None when no rank has one."""
        world = self._world
        if a.active == 0:
            return None
        if self.drop_last and (a.active < world or a.next_micro < world * self.steps):
            self.dropped_batches += len(batches)  # partial on some rank: dropped on every rank
            return None
        native = a.active == world
        if not native and self._kind == _ddp.FSDP:
            raise RuntimeError(
                f"Accumulator.iterate: {world - int(a.active)} of {world} ranks have no batches "
                "left while the others have a window; FSDP2 offers no public way to combine "
                "gradients without every rank, so nothing of that window is applied. Give every "
                "rank the same number of batches (DistributedSampler(..., drop_last=True)) or "
                "pass drop_last=True to the Accumulator"
            )
        pending = None
        if self._cfg == MEAN and not self._warned:
            local = len({s for s in sizes if s is not None}) > 1
            if local or unequal(a.next_micro, a.rows, a.rows2, a.known):
                pending = ("sizes", sizes, not local)
            else:
                pending = self._check_tokens(batches)
        total = a.next_micro if self._cfg == MEAN else a.next_items
        if total == 0:
            raise ValueError(
                f"Accumulator: the window's micro-batches hold no items on any rank "
                f"({self._count_what} = 0); drop such windows before accumulating"
            )
        avg = world if native else 1
        self._win = Window(
            size=len(batches),
            div=total / avg,
            counts=counts,
            total=total,
            native=native,
            warn=pending,
        )
        if batches and not native:
            _ddp.skip_next_buffer_broadcast(self.model)
        return batches

    def _fsdp_uneven(self, a: Agreement) -> None:
        if a.active != self._world:
            raise RuntimeError(
                "Accumulator: under FSDP2 some ranks flushed while others ran a window's last "
                "micro-batch (uneven own loops); FSDP2 cannot combine gradients without every "
                "rank. Nothing of that window was applied. Give every rank the same number of "
                "micro-batches, or use acc.iterate(loader)"
            )

    def _flush_fsdp(self) -> bool:
        win = self._win
        a = self._agree([0.0, float(win.pos), 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
        if a.active > 0:  # others are entering a window's last micro-batch: uneven inputs
            self._discard_grads()
            self._fsdp_uneven(a)
        if a.micro == 0:
            return False
        self._discard_grads()
        raise RuntimeError(
            "Accumulator.flush: a partial window ran without gradient sync under FSDP2, which "
            "offers no public way to reduce the held gradients afterwards; nothing was applied. "
            "Use acc.iterate(loader), which knows each window's last micro-batch in advance."
        )

"""Optional-extra imports and progress bars for `stepguard demo`.

The demo needs the `demo` extra (matplotlib, rich, scikit-learn); `require_demo_extras()` turns a
missing one into an error that names `pip install stepguard[demo]`. `Bars` draws one rich progress
bar per experiment run (removed when the run ends) under an overall bar per stage; with
`enabled=False` (tests, non-terminals) it draws nothing and costs nothing.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["Bars", "DemoExtraMissing", "require_demo_extras"]

_DEMO_EXTRAS = ("matplotlib", "rich", "sklearn")


class DemoExtraMissing(ImportError):
    """A package of the `demo` extra is not installed."""


def require_demo_extras(modules: tuple[str, ...] = _DEMO_EXTRAS) -> None:
    """Import each of `modules`; raise `DemoExtraMissing` naming the install command if one fails."""
    missing = []
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append("scikit-learn" if name == "sklearn" else name)
    if missing:
        raise DemoExtraMissing(
            f"`stepguard demo` needs {', '.join(missing)}: install them with "
            "`pip install stepguard[demo]`"
        )


class Bars:
    """Progress bars: `with bars.stage(name, total_runs)` then `with bars.run(label, units)`.

    `run` yields an `advance()` callable to call once per unit (an epoch, an optimizer step).
    """

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._progress: Any = None
        self._stage: Any = None

    @contextmanager
    def stage(self, description: str, runs: int) -> Iterator[None]:
        """An overall bar for `runs` runs; nested `run` bars appear below it."""
        if not self.enabled:
            yield
            return
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        with Progress(
            TextColumn("{task.description:<44}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        ) as progress:
            self._progress = progress
            self._stage = progress.add_task(description, total=runs)
            try:
                yield
            finally:
                self._progress = None
                self._stage = None

    def open_run(self, description: str, units: int) -> Any:
        """Add one run's bar with `units` steps; returns its handle (None when not drawing)."""
        if self._progress is None:
            return None
        return self._progress.add_task("  " + description, total=units)

    def tick(self, handle: Any) -> None:
        """Advance a run's bar by one unit."""
        if self._progress is not None and handle is not None:
            self._progress.advance(handle)

    def close_run(self, handle: Any) -> None:
        """Remove a run's bar and count the run as done on the stage bar."""
        if self._progress is not None and handle is not None:
            self._progress.remove_task(handle)
            self._progress.advance(self._stage)

    @contextmanager
    def run(self, description: str, units: int) -> Iterator[Callable[[], None]]:
        """One run's bar with `units` steps; yields `advance()`; the bar goes when the run ends."""
        handle = self.open_run(description, units)
        if handle is None:
            yield _noop
            return
        try:
            yield lambda: self.tick(handle)
        finally:
            self.close_run(handle)


def _noop() -> None:
    return None

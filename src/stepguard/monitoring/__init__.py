"""The runtime Monitor: catch optimizer-step pitfalls inside an unmodified training loop.

`Monitor` (`_monitor`) attaches through `_hooks` (optimizer step hooks, gradient hooks and the
scoped, reversible patches of `_patch`, which store nothing on the watched objects), reads the
root of each loss's graph and the line that called `backward()` (`_graph`), keeps its per-window
counters in the detector state machine (`_detect`), which judges each window with the catalog
checks (`_checks`), measures with fused reductions (`_instruments`), and hands back history,
CSV and plots (`_output`).
"""

from __future__ import annotations

from stepguard.monitoring._monitor import Monitor

__all__ = ["Monitor"]

"""How the demo report prints numbers, tables and labels (shared by `_report` and `_report_text`)."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["LOOP_LABEL", "fmt", "pm", "row", "table"]

LOOP_LABEL = {
    ("bug", True): "BUG, clamped cosine (seed's lambda)",
    ("bug", False): "BUG, unclamped cosine",
    ("fix", True): "FIX: Accumulator",
    ("fix", False): "FIX: Accumulator, unclamped cosine",
}


def fmt(value: Any, digits: int = 3) -> str:
    """How the report prints a number: fixed for ordinary magnitudes, scientific otherwise."""
    if value is None:
        return "n/a"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "n/a"
    if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e5):
        return f"{value:.1e}"
    return f"{value:.{digits}f}"


def pm(spread: dict[str, float]) -> str:
    """``mean (min–max)``, or the mean alone when the runs agree."""
    if spread["min"] == spread["max"]:
        return fmt(spread["mean"])
    return f"{fmt(spread['mean'])} ({fmt(spread['min'])}–{fmt(spread['max'])})"


def table(head: list[str], rows: list[list[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def row(summary: list[dict[str, Any]], config: str, wd: float) -> dict[str, Any]:
    """The summary row of one optimizer configuration at one weight decay."""
    return next(r for r in summary if r["config"] == config and r["weight_decay"] == wd)

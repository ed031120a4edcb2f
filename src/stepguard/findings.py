"""The types every detector returns: `Finding` (one pitfall, by catalog code) and `Report`.

`Severity` is defined with the catalog (`stepguard.catalog`) and re-exported here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from stepguard.catalog import CATALOG, Severity, rule

__all__ = ["Finding", "FindingsError", "Report", "Severity"]


@dataclass(frozen=True)
class Finding:
    """One detected pitfall.

    `code` is a catalog code; `message` names the concrete objects (parameter names, group index,
    file:line). `severity` and `fix` default to the catalog's. `path`/`line`/`col` locate a
    finding in source (linter; 1-based line and column); `step` is the optimizer step at which a
    runtime detector first saw it and `count` how often it saw it. `data` holds machine-readable
    details (names, numbers) for JSON output.
    """

    code: str
    message: str
    severity: Severity | None = None
    fix: str | None = None
    path: str | None = None
    line: int | None = None
    col: int | None = None
    step: int | None = None
    count: int = 1
    data: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        entry = rule(self.code)
        object.__setattr__(self, "code", entry.code)  # "sg101 " -> "SG101"
        if not isinstance(self.message, str):
            raise TypeError(f"Finding.message must be a str, got {type(self.message).__name__}")
        if self.severity is None:
            object.__setattr__(self, "severity", entry.severity)
        else:
            object.__setattr__(self, "severity", Severity.parse(self.severity))
        if self.fix is None:
            object.__setattr__(self, "fix", entry.fix)

    @property
    def name(self) -> str:
        """The catalog name of this finding's rule."""
        return CATALOG[self.code].name

    @property
    def location(self) -> str:
        """``path:line:col`` when known, else ``""``."""
        if self.path is None:
            return ""
        parts = [self.path] + [str(v) for v in (self.line, self.col) if v is not None]
        return ":".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        out: dict[str, Any] = {
            "code": self.code,
            "name": self.name,
            "severity": str(self.severity),
            "message": self.message,
            "fix": self.fix,
        }
        for key in ("path", "line", "col", "step"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.count != 1:
            out["count"] = self.count
        if self.data:
            out["data"] = _jsonable(self.data)
        return out

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        step = f" (first at step {self.step}, x{self.count})" if self.step is not None else ""
        return f"{where}{self.code} [{self.severity}] {self.message}{step}"


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if callable(getattr(value, "tolist", None)):  # tensors and numpy values, without importing them
        return _jsonable(value.tolist())
    return str(value)


class FindingsError(AssertionError):
    """Raised by `Report.raise_on` when findings at or above a severity exist."""

    def __init__(self, report: Report, threshold: Severity) -> None:
        self.report = report
        self.threshold = threshold
        bad = [f for f in report.findings if f.severity is not None and f.severity >= threshold]
        lines = "\n".join(f"  {f}\n    fix: {f.fix}" for f in bad)
        super().__init__(f"{len(bad)} finding(s) at or above {threshold}:\n{lines}")


@dataclass
class Report:
    """What a detector found: a list of `Finding`s plus a free-form `summary` of measurements.

    Prints as a table (`str(report)`), converts with `to_dict()` / `to_json()`, and
    `raise_on("warning")` raises `FindingsError` when any finding is at or above that severity.
    """

    findings: list[Finding] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    title: str = "stepguard report"

    def __post_init__(self) -> None:
        if self.findings is None or isinstance(self.findings, (str, bytes, Finding)):
            raise TypeError(f"Report findings must be a list of Finding, got {self.findings!r:.60}")
        self.findings = list(self.findings)
        bad = [f for f in self.findings if not isinstance(f, Finding)]
        if bad:
            raise TypeError(
                f"Report findings must be Finding objects, got {type(bad[0]).__name__} "
                f"{bad[0]!r:.60}; build them as Finding(code, message)"
            )
        if not isinstance(self.summary, dict):
            raise TypeError(f"Report summary must be a dict, got {type(self.summary).__name__}")

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)

    def __bool__(self) -> bool:
        # A report is always truthy (it exists); use `len(report)` or `report.codes`.
        return True

    @property
    def codes(self) -> list[str]:
        """Sorted distinct codes of the findings."""
        return sorted({f.code for f in self.findings})

    def by_code(self, code: str) -> list[Finding]:
        """The findings with this catalog code."""
        return [f for f in self.findings if f.code == code]

    def at_least(self, severity: str | int | Severity) -> list[Finding]:
        """The findings at or above `severity`."""
        threshold = Severity.parse(severity)
        return [f for f in self.findings if f.severity is not None and f.severity >= threshold]

    def raise_on(self, severity: str | int | Severity = Severity.WARNING) -> Report:
        """Raise `FindingsError` if any finding is at or above `severity`; else return self."""
        threshold = Severity.parse(severity)
        if self.at_least(threshold):
            raise FindingsError(self, threshold)
        return self

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: ``{"title", "findings": [...], "summary": {...}}``."""
        return {
            "title": self.title,
            "findings": [f.to_dict() for f in self.findings],
            "summary": _jsonable(self.summary),
        }

    def to_json(self, indent: int | None = 2) -> str:
        """`to_dict()` as a JSON string."""
        return json.dumps(self.to_dict(), indent=indent)

    def __str__(self) -> str:
        lines = [self.title, "=" * len(self.title)]
        if not self.findings:
            lines.append("no findings")
        else:
            rows = [
                (
                    f.code,
                    str(f.severity),
                    "" if f.step is None else f"{f.step} (x{f.count})",
                    f.location,
                    f.message,
                )
                for f in self.findings
            ]
            head = ("code", "severity", "step", "where", "message")
            keep = [i for i in range(5) if i != 2 or any(r[2] for r in rows)]
            keep = [i for i in keep if i != 3 or any(r[3] for r in rows)]
            widths = {i: max(len(head[i]), *(len(r[i]) for r in rows)) for i in keep[:-1]}
            fmt_row = lambda r: "  ".join(  # noqa: E731
                r[i].ljust(widths[i]) if i in widths else r[i] for i in keep
            )
            lines.append(fmt_row(head))
            lines.append(fmt_row(tuple("-" * max(len(h), 4) for h in head)))
            for f, r in zip(self.findings, rows, strict=True):
                lines.append(fmt_row(r))
                lines.append(" " * 4 + f"fix: {f.fix}")
        if self.summary:
            lines.append("")
            lines.append("summary:")
            for key, value in self.summary.items():
                lines.append(f"  {key}: {_short(value)}")
        return "\n".join(lines)


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)

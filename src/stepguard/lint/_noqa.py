"""`# noqa` suppression comments, as Ruff and flake8 read them.

- ``x = 1  # noqa`` suppresses every finding reported on that line;
- ``x = 1  # noqa: SG202, SG203`` (or ``# noqa:SG202 SG203``) suppresses only those codes; a code
  prefix such as ``SG2`` suppresses the codes it starts (flake8's reading);
- a line ``# stepguard: noqa`` anywhere in a file skips the whole file, and
  ``# stepguard: noqa: SG205`` suppresses those codes in the whole file.

Only real comments count (found with `tokenize`, so ``"# noqa"`` inside a string does not). A
``# noqa`` comment covers every line of the statement it is in, as in flake8, so a finding reported
on the first line of a call that spans several lines is suppressed by a comment on any of them.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["Suppressions", "parse_suppressions"]

_LINE = re.compile(
    r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?",
    re.IGNORECASE,
)
_FILE = re.compile(
    r"#\s*stepguard\s*:\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]*(?:[,\s]+[A-Z]+[0-9]*)*))?",
    re.IGNORECASE,
)
_SPLIT = re.compile(r"[,\s]+")

# `None` in a table means "every code".
Codes = frozenset[str] | None


def _codes(text: str | None) -> Codes:
    if not text:
        return None
    return frozenset(c.upper() for c in _SPLIT.split(text.strip()) if c)


@dataclass(frozen=True)
class Suppressions:
    """The `# noqa` comments of one file: per-line codes and file-wide codes."""

    lines: dict[int, Codes] = field(default_factory=dict)
    file_codes: frozenset[str] = frozenset()
    whole_file: bool = False

    def suppresses(self, code: str, line: int | None) -> bool:
        """True when a finding `code` reported on `line` (1-based) is suppressed."""
        if self.whole_file or _covers(self.file_codes, code):
            return True
        if line is None or line not in self.lines:
            return False
        codes = self.lines[line]
        return codes is None or _covers(codes, code)


def _covers(codes: Iterable[str], code: str) -> bool:
    return any(code.startswith(c) for c in codes)


# Tokens that do not start a logical line (statement).
_TRIVIA = frozenset(
    {tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING}
)


def _comments(source: str) -> list[tuple[range, str]]:
    """Each comment with the lines it covers: every line of the statement it sits in.

    Falls back to one line per comment (a plain scan for ``#``) if tokenizing fails.
    """
    out: list[tuple[range, str]] = []
    try:
        start: int | None = None  # first line of the current statement
        pending: list[tokenize.TokenInfo] = []
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                pending.append(tok)
            elif tok.type in (tokenize.NEWLINE, tokenize.ENDMARKER) or (
                tok.type == tokenize.NL and start is None
            ):
                first = tok.start[0] if start is None else start
                for c in pending:
                    out.append(
                        (range(min(first, c.start[0]), max(tok.start[0], c.start[0]) + 1), c.string)
                    )
                start, pending = None, []
            elif start is None and tok.type not in _TRIVIA:
                start = tok.start[0]
    except (tokenize.TokenError, SyntaxError):
        lines = enumerate(source.splitlines(), start=1)
        return [(range(n, n + 1), text[text.find("#") :]) for n, text in lines if "#" in text]
    return out


def parse_suppressions(source: str) -> Suppressions:
    """Read every `# noqa` and `# stepguard: noqa` comment of `source` (see the module docstring)."""
    lines: dict[int, Codes] = {}
    file_codes: set[str] = set()
    whole = False
    if "noqa" not in source.lower():
        return Suppressions()
    for span, text in _comments(source):
        file_match = _FILE.search(text)
        if file_match is not None:
            codes = _codes(file_match.group("codes"))
            if codes is None:
                whole = True
            else:
                file_codes |= codes
            continue
        match = _LINE.search(text)
        if match is None:
            continue
        codes = _codes(match.group("codes"))
        for number in span:
            previous = lines.get(number, frozenset())
            lines[number] = None if codes is None or previous is None else previous | codes
    return Suppressions(lines=lines, file_codes=frozenset(file_codes), whole_file=whole)

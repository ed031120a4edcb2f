"""Every ```python block in the README and docs/ runs as written (```py blocks are illustrations).

Blocks run in a fresh namespace each, in a temporary working directory; identical blocks (a docs/
section pasted into the README) run once.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def _blocks() -> list[tuple[str, str]]:
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        # The rule reference shows fragments (bad/good examples), not programs.
        text = re.sub(r"<!-- rules:start -->.*?<!-- rules:end -->", "", text, flags=re.S)
        for i, match in enumerate(FENCE.finditer(text)):
            code = match.group(1)
            digest = hashlib.sha256(code.encode()).hexdigest()
            if digest in seen:
                continue
            seen.add(digest)
            line = text[: match.start()].count("\n") + 1
            out.append((f"{path.relative_to(ROOT)}:{line}#{i}", code))
    return out


BLOCKS = _blocks()


@pytest.mark.parametrize("code", [c for _, c in BLOCKS], ids=[n for n, _ in BLOCKS])
def test_documented_example_runs(
    code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__main__"}
    exec(compile(code, "<doc>", "exec"), namespace)


def test_readme_is_a_front_page() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 400, f"README.md has {len(lines)} lines; the manual belongs in docs/"


def test_every_docs_page_is_in_the_site_navigation() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    pages = sorted(p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md"))
    assert [p for p in pages if f" {p}" not in nav] == []


def test_readme_has_quickstart_with_two_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    commands = [ln for ln in block.splitlines() if ln.strip() and not ln.startswith("#")]
    assert [c.split()[:2] for c in commands] == [["./dev", "demo"], ["./dev", "test"]]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "./dev test" in ci

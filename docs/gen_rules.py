"""Write docs/rules/ from the catalog: one page per rule and the index (`./dev docs` runs this).

`tests/test_docs.py` fails when a committed page differs from what this writes, so the pages cannot
drift from `stepguard.catalog.CATALOG`.
"""

from __future__ import annotations

from pathlib import Path

from stepguard.catalog import CATALOG, rule_markdown

RULES = Path(__file__).resolve().parent / "rules"


def pages() -> dict[Path, str]:
    """Every generated page, by path."""
    out = {RULES / "index.md": rule_markdown()}
    out.update({RULES / f"{code}.md": r.markdown() for code, r in CATALOG.items()})
    return out


def main() -> None:
    RULES.mkdir(exist_ok=True)
    for path, text in pages().items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(RULES.parent.parent)}")


if __name__ == "__main__":
    main()

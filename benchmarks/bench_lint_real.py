"""How well does `stepguard lint` find the pitfalls of real training code? Scored on a labelled corpus.

The corpus (`benchmarks/lint_corpus/`, described in its README) holds paraphrased fixtures of public
training scripts and projects, each in its own folder, with labels in `corpus.toml`: a positive label
is a true pitfall (marked `active` or `latent`), a negative label a site where a rule could fire but
the code is right. Each entry's folder is linted as one unit (`lint_paths([folder])`, so a project
mode that resolves imports inside the linted tree sees the whole project).

A finding matches a label when the rule is the same, the file is the same and the finding's line lies
in one of the label's spans. Per rule:

- recall = positive labels matched by at least one finding / positive labels;
- precision = findings that match a positive label / all findings of that rule (a finding on a
  negative label, or on no label at all, counts against precision; both are listed).

When findings carry an activity (an attribute or a `data` key named `activity` or `active`), the
benchmark also reports how often it agrees with the labels' active/latent marks.

The last line is ``lint_real_precision=<p> lint_real_recall=<r>`` over all rules the linter implements.
Run: ``.venv/bin/python benchmarks/bench_lint_real.py [--verbose]``; add
``--corpus benchmarks/lint_corpus_holdout`` for the held-out corpus (same format, other repositories).
``--corpus`` may be repeated, and ``--all`` takes every ``benchmarks/lint_corpus*`` folder: the corpora
are then pooled (one line per corpus first, then the table over all of them).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stepguard.catalog import CATALOG, LINT
from stepguard.lint import lint_paths

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

CORPUS = Path(__file__).resolve().parent / "lint_corpus"
LINT_RULES = tuple(code for code, r in CATALOG.items() if LINT in r.detectors)


@dataclass(frozen=True)
class Label:
    entry: str
    rule: str
    expect: str  # "positive" or "negative"
    file: str
    spans: tuple[tuple[int, int], ...]
    activity: str | None = None

    def covers(self, file: str, line: int | None) -> bool:
        return line is not None and file == self.file and any(a <= line <= b for a, b in self.spans)


@dataclass(frozen=True)
class Hit:
    """One finding, located relative to its entry's folder."""

    entry: str
    rule: str
    file: str
    line: int | None
    activity: str | None
    message: str


@dataclass
class Score:
    positives: int = 0
    recalled: int = 0
    findings: int = 0
    true_findings: int = 0
    on_negative: list[Hit] = field(default_factory=list)
    unlabelled: list[Hit] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        return self.true_findings / self.findings if self.findings else None

    @property
    def recall(self) -> float | None:
        return self.recalled / self.positives if self.positives else None


def load_corpus(corpus: Path = CORPUS) -> list[dict[str, Any]]:
    """The `[[entry]]` tables of `corpus.toml`."""
    with open(corpus / "corpus.toml", "rb") as handle:
        return list(tomllib.load(handle)["entry"])


def labels_of(entry: dict[str, Any]) -> list[Label]:
    return [
        Label(
            entry=entry["id"],
            rule=lab["rule"],
            expect=lab["expect"],
            file=lab["file"],
            spans=tuple((int(a), int(b)) for a, b in lab["lines"]),
            activity=lab.get("activity"),
        )
        for lab in entry.get("label", [])
    ]


def activity_of(finding: Any) -> str | None:
    """``"active"``/``"latent"`` when the finding says which, else None (today's findings do not)."""
    values = [getattr(finding, name, None) for name in ("activity", "active")]
    data = getattr(finding, "data", None) or {}
    values += [data.get(name) for name in ("activity", "active")]
    for value in values:
        if isinstance(value, bool):
            return "active" if value else "latent"
        if isinstance(value, str) and value.lower() in ("active", "latent"):
            return value.lower()
    return None


def lint_entry(folder: Path, entry_id: str) -> list[Hit]:
    report = lint_paths([str(folder)])
    base = folder.resolve()
    hits = []
    for f in report.findings:
        path = Path(f.path or "").resolve()
        try:
            rel = path.relative_to(base).as_posix()
        except ValueError:
            rel = str(f.path)
        hits.append(Hit(entry_id, f.code, rel, f.line, activity_of(f), f.message))
    return hits


def score(
    labels: Iterable[Label], hits: Iterable[Hit], rules: Sequence[str] = LINT_RULES
) -> tuple[dict[str, Score], Counter[tuple[str, str]]]:
    """Per-rule scores, and (label activity, finding activity) counts over matched positives."""
    labels, hits = list(labels), list(hits)
    scores = {r: Score() for r in rules}
    agreement: Counter[tuple[str, str]] = Counter()
    by_entry: dict[str, list[Hit]] = defaultdict(list)
    for h in hits:
        by_entry[h.entry].append(h)
    for lab in labels:
        if lab.expect != "positive" or lab.rule not in scores:
            continue
        s = scores[lab.rule]
        s.positives += 1
        matched = [
            h for h in by_entry[lab.entry] if h.rule == lab.rule and lab.covers(h.file, h.line)
        ]
        if matched:
            s.recalled += 1
            found = next((h.activity for h in matched if h.activity), None)
            if found and lab.activity:
                agreement[(lab.activity, found)] += 1
    entry_labels: dict[str, list[Label]] = defaultdict(list)
    for lab in labels:
        entry_labels[lab.entry].append(lab)
    for h in hits:
        if h.rule not in scores:
            continue
        s = scores[h.rule]
        s.findings += 1
        here = [
            lab
            for lab in entry_labels[h.entry]
            if lab.rule == h.rule and lab.covers(h.file, h.line)
        ]
        if any(lab.expect == "positive" for lab in here):
            s.true_findings += 1
        elif here:
            s.on_negative.append(h)
        else:
            s.unlabelled.append(h)
    return scores, agreement


def total(scores: dict[str, Score]) -> Score:
    out = Score()
    for s in scores.values():
        out.positives += s.positives
        out.recalled += s.recalled
        out.findings += s.findings
        out.true_findings += s.true_findings
        out.on_negative += s.on_negative
        out.unlabelled += s.unlabelled
    return out


def _fmt(value: float | None) -> str:
    return "   -" if value is None else f"{value:.2f}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus",
        type=Path,
        action="append",
        help="corpus folder (with corpus.toml); repeat to pool several",
    )
    parser.add_argument(
        "--all", action="store_true", help="pool every benchmarks/lint_corpus* folder"
    )
    parser.add_argument(
        "--verbose", "-v", action="store_true", help="also list the missed positives"
    )
    args, _ = parser.parse_known_args(
        argv
    )  # `./dev bench` passes the same flags to every benchmark

    corpora: list[Path] = list(args.corpus or [])
    if args.all:
        corpora += sorted(
            p for p in CORPUS.parent.glob("lint_corpus*") if (p / "corpus.toml").exists()
        )
    corpora = list(dict.fromkeys(corpora or [CORPUS]))
    pooled = len(corpora) > 1
    entries, labels, hits = [], [], []
    for corpus in corpora:
        part = load_corpus(corpus)
        for e in part:
            if pooled:  # entry ids are unique within a corpus only
                e = {**e, "id": f"{corpus.name}/{e['id']}"}
            entries.append(e)
            labels += labels_of(e)
            hits += lint_entry(corpus / e["id"].split("/")[-1], e["id"])
        if pooled:
            ids = {f"{corpus.name}/{e['id']}" for e in part}
            mine, _ = score(
                [lab for lab in labels if lab.entry in ids], [h for h in hits if h.entry in ids]
            )
            one = total(mine)
            print(
                f"{corpus.name}: {len(part)} entries, precision {_fmt(one.precision)} "
                f"({one.true_findings}/{one.findings}), recall {_fmt(one.recall)} "
                f"({one.recalled}/{one.positives})"
            )
    if pooled:
        print()
    scores, agreement = score(labels, hits)
    all_ = total(scores)

    repos = {e["repo"] for e in entries if e["repo"] != "unidentified"}
    pos = [lab for lab in labels if lab.expect == "positive" and lab.rule in scores]
    neg = [lab for lab in labels if lab.expect == "negative" and lab.rule in scores]
    n_active = sum(lab.activity == "active" for lab in pos)
    print(
        f"corpus: {len(entries)} entries from {len(repos)} repositories; "
        f"{len(pos)} positive labels ({n_active} active, {len(pos) - n_active} latent), "
        f"{len(neg)} negative labels"
    )
    print()
    print(
        "rule   positives (act/lat)  recalled  findings  true  on-neg  unlabelled  precision  recall"
    )
    for rule, s in scores.items():
        act = sum(lab.activity == "active" for lab in pos if lab.rule == rule)
        print(
            f"{rule}  {s.positives:>9} ({act:>2}/{s.positives - act:>2})  {s.recalled:>8}  "
            f"{s.findings:>8}  {s.true_findings:>4}  {len(s.on_negative):>6}  {len(s.unlabelled):>10}  "
            f"{_fmt(s.precision):>9}  {_fmt(s.recall):>6}"
        )
    print(
        f"all    {all_.positives:>9} ({n_active:>2}/{all_.positives - n_active:>2})  {all_.recalled:>8}  "
        f"{all_.findings:>8}  {all_.true_findings:>4}  {len(all_.on_negative):>6}  "
        f"{len(all_.unlabelled):>10}  {_fmt(all_.precision):>9}  {_fmt(all_.recall):>6}"
    )
    for kind in ("active", "latent"):
        group = [lab for lab in pos if lab.activity == kind]
        got = sum(
            any(
                h.rule == lab.rule and h.entry == lab.entry and lab.covers(h.file, h.line)
                for h in hits
            )
            for lab in group
        )
        print(f"recall on {kind} positives: {got}/{len(group)}")
    if agreement:
        agree = agreement[("active", "active")] + agreement[("latent", "latent")]
        n = sum(agreement.values())
        print(
            f"activity agreement on matched positives: {agree}/{n} = {agree / n:.2f} {dict(agreement)}"
        )
    else:
        print("activity agreement: findings carry no active/latent field")

    wrong = all_.on_negative + all_.unlabelled
    if wrong:
        print("\nfindings that are not on a positive label:")
        for h in sorted(wrong, key=lambda h: (h.entry, h.file, h.line or 0)):
            tag = "negative" if h in all_.on_negative else "unlabelled"
            print(f"  [{tag}] {h.entry}/{h.file}:{h.line} {h.rule} {h.message[:100]}")
    if args.verbose:
        print("\npositive labels no finding matched:")
        for lab in pos:
            if not any(
                h.entry == lab.entry and h.rule == lab.rule and lab.covers(h.file, h.line)
                for h in hits
            ):
                print(f"  {lab.entry}/{lab.file}:{lab.spans[0][0]} {lab.rule} ({lab.activity})")

    p = all_.precision
    r = all_.recall
    print(f"lint_real_precision={'nan' if p is None else f'{p:.3f}'} lint_real_recall={r:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

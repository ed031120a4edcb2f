"""The real-code lint corpora are well-formed, and their scorer counts right.

Seventeen corpora: benchmarks/lint_corpus (the linter is improved against it),
benchmarks/lint_corpus_holdout and benchmarks/lint_corpus_blind to benchmarks/lint_corpus_blind15
(each built apart and measured once before anyone tuned against it, then development sets too); no two
share a repository.
These tests check each corpus itself (every label points at an existing
statement, enough entries and repositories, every linted rule has a positive label unless the corpus
says it has none) and the matching logic of benchmarks/bench_lint_real.py on hand-made findings. They
do not assert precision/recall targets: those are measured by the benchmark.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest

from stepguard.catalog import CATALOG, LINT

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "benchmarks" / "lint_corpus"
HOLDOUT = ROOT / "benchmarks" / "lint_corpus_holdout"
BLIND = ROOT / "benchmarks" / "lint_corpus_blind"
BLIND2 = ROOT / "benchmarks" / "lint_corpus_blind2"
BLIND3 = ROOT / "benchmarks" / "lint_corpus_blind3"
BLIND4 = ROOT / "benchmarks" / "lint_corpus_blind4"
BLIND5 = ROOT / "benchmarks" / "lint_corpus_blind5"
BLIND6 = ROOT / "benchmarks" / "lint_corpus_blind6"
BLIND7 = ROOT / "benchmarks" / "lint_corpus_blind7"
BLIND8 = ROOT / "benchmarks" / "lint_corpus_blind8"
BLIND9 = ROOT / "benchmarks" / "lint_corpus_blind9"
BLIND10 = ROOT / "benchmarks" / "lint_corpus_blind10"
BLIND11 = ROOT / "benchmarks" / "lint_corpus_blind11"
BLIND12 = ROOT / "benchmarks" / "lint_corpus_blind12"
BLIND13 = ROOT / "benchmarks" / "lint_corpus_blind13"
BLIND14 = ROOT / "benchmarks" / "lint_corpus_blind14"
BLIND15 = ROOT / "benchmarks" / "lint_corpus_blind15"


def _bench():
    spec = importlib.util.spec_from_file_location(
        "bench_lint_real", ROOT / "benchmarks" / "bench_lint_real.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_lint_real", module)
    spec.loader.exec_module(module)
    return module


bench = _bench()
LINT_RULES = {code for code, r in CATALOG.items() if LINT in r.detectors}


@dataclass(frozen=True)
class Corpus:
    name: str
    path: Path
    min_entries: int
    min_repos: int
    rules_without_positive: frozenset[str] = frozenset()  # stated in the corpus README


CORPORA = (
    Corpus(
        "lint_corpus",
        CORPUS,
        min_entries=40,
        min_repos=20,
        rules_without_positive=frozenset({"SG202"}),  # round 6: the SDS loop's k is the literal 1
    ),
    Corpus(
        "lint_corpus_holdout",
        HOLDOUT,
        min_entries=20,
        min_repos=12,
        rules_without_positive=frozenset({"SG202"}),
    ),
    Corpus(
        "lint_corpus_blind",
        BLIND,
        min_entries=20,
        min_repos=15,
        rules_without_positive=frozenset({"SG103"}),
    ),
    Corpus(
        "lint_corpus_blind2",
        BLIND2,
        min_entries=25,
        min_repos=20,
    ),
    Corpus(
        "lint_corpus_blind3",
        BLIND3,
        min_entries=30,
        min_repos=25,
        rules_without_positive=frozenset({"SG103", "SG202", "SG212"}),  # SG208: round 6
    ),
    Corpus(
        "lint_corpus_blind4",
        BLIND4,
        min_entries=35,
        min_repos=30,
        rules_without_positive=frozenset({"SG103", "SG201", "SG202", "SG205", "SG210"}),
    ),
    Corpus(
        "lint_corpus_blind5",
        BLIND5,
        min_entries=35,
        min_repos=30,
        rules_without_positive=frozenset({"SG103", "SG202", "SG203", "SG205", "SG210", "SG212"}),
    ),
    Corpus(
        "lint_corpus_blind6",
        BLIND6,
        min_entries=40,
        min_repos=35,
        rules_without_positive=frozenset({"SG103", "SG202", "SG212"}),
    ),
    Corpus(
        "lint_corpus_blind7",
        BLIND7,
        min_entries=40,
        min_repos=35,
        rules_without_positive=frozenset({"SG103", "SG201", "SG202"}),
    ),
    Corpus(
        "lint_corpus_blind8",
        BLIND8,
        min_entries=40,
        min_repos=40,
        rules_without_positive=frozenset({"SG101", "SG103", "SG202", "SG210"}),
    ),
    Corpus(
        "lint_corpus_blind9",
        BLIND9,
        min_entries=40,
        min_repos=40,
        rules_without_positive=frozenset(),
    ),
    Corpus(
        "lint_corpus_blind10",
        BLIND10,
        min_entries=35,
        min_repos=35,
        rules_without_positive=frozenset(),
    ),
    Corpus(
        "lint_corpus_blind11",
        BLIND11,
        min_entries=35,
        min_repos=35,
        rules_without_positive=frozenset({"SG103", "SG202"}),
    ),
    Corpus(
        "lint_corpus_blind12",
        BLIND12,
        min_entries=34,
        min_repos=34,
        rules_without_positive=frozenset({"SG103", "SG202", "SG210", "SG212"}),
    ),
    Corpus(
        "lint_corpus_blind13",
        BLIND13,
        min_entries=35,
        min_repos=35,
        rules_without_positive=frozenset({"SG202", "SG212"}),
    ),
    Corpus(
        "lint_corpus_blind14",
        BLIND14,
        min_entries=19,
        min_repos=18,
        rules_without_positive=frozenset(
            {"SG103", "SG201", "SG202", "SG204", "SG205", "SG210", "SG212"}
        ),
    ),
    Corpus(
        "lint_corpus_blind15",
        BLIND15,
        min_entries=23,
        min_repos=23,
        rules_without_positive=frozenset(
            {"SG103", "SG201", "SG202", "SG203", "SG204", "SG210", "SG211", "SG212"}
        ),
    ),
)
ENTRIES = {c.name: bench.load_corpus(c.path) for c in CORPORA}
ALL_ENTRIES = [(c, e) for c in CORPORA for e in ENTRIES[c.name]]
by_corpus = pytest.mark.parametrize("corpus", CORPORA, ids=[c.name for c in CORPORA])


@by_corpus
def test_corpus_size_and_ids(corpus):
    entries = ENTRIES[corpus.name]
    ids = [e["id"] for e in entries]
    assert len(ids) >= corpus.min_entries
    assert len(set(ids)) == len(ids), "entry ids must be unique"
    repos = {e["repo"] for e in entries if e["repo"] != "unidentified"}
    assert len(repos) >= corpus.min_repos
    for e in entries:
        assert "/" in e["repo"] or e["repo"] == "unidentified", e["id"]
        for key in ("paths", "commit", "license", "description", "files"):
            assert e.get(key), f"{e['id']}: missing {key}"


def test_no_two_corpora_share_a_repository():
    repos = {c.name: {e["repo"] for e in ENTRIES[c.name]} - {"unidentified"} for c in CORPORA}
    names = [c.name for c in CORPORA]
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            shared = sorted(repos[a] & repos[b])
            assert not shared, f"{a} and {b} share {shared}"


@by_corpus
def test_every_fixture_file_exists_and_python_parses(corpus):
    for e in ENTRIES[corpus.name]:
        folder = corpus.path / e["id"]
        assert folder.is_dir(), e["id"]
        on_disk = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
        assert on_disk == sorted(e["files"]), f"{e['id']}: files on disk differ from `files`"
        for rel in e["files"]:
            if rel.endswith(".py"):
                ast.parse((folder / rel).read_text(), filename=rel)


@pytest.mark.parametrize(
    ("corpus", "entry"), ALL_ENTRIES, ids=[f"{c.name}/{e['id']}" for c, e in ALL_ENTRIES]
)
def test_labels_point_at_their_statements(corpus, entry):
    labels = entry.get("label", [])
    assert labels, f"{entry['id']} has no labels"
    for lab in labels:
        where = f"{entry['id']}/{lab['file']} {lab['rule']}"
        assert lab["rule"] in LINT_RULES, f"{where}: not a rule the linter implements"
        assert lab["expect"] in ("positive", "negative"), where
        if lab["expect"] == "positive":
            assert lab["activity"] in ("active", "latent"), where
            assert lab["value_source"] and lab["where"], where
        else:
            assert "activity" not in lab, where
        path = corpus.path / entry["id"] / lab["file"]
        assert path.suffix == ".py" and path.is_file(), where
        lines = path.read_text().splitlines()
        assert len(lab["lines"]) == len(lab["at"]) >= 1, where
        for (first, last), text in zip(lab["lines"], lab["at"], strict=True):
            assert 1 <= first <= last <= len(lines), (
                f"{where}: span {first}-{last} outside the file"
            )
            assert text in lines[first - 1], (
                f"{where}: {text!r} is not on line {first} (found {lines[first - 1].strip()!r}); "
                "update `lines` after editing the fixture"
            )


@by_corpus
def test_negative_spans_do_not_overlap_positive_ones(corpus):
    for e in ENTRIES[corpus.name]:
        labels = bench.labels_of(e)
        for neg in (lab for lab in labels if lab.expect == "negative"):
            for pos in (lab for lab in labels if lab.expect == "positive"):
                if (pos.rule, pos.file) != (neg.rule, neg.file):
                    continue
                for a, b in neg.spans:
                    assert not any(a <= d and c <= b for c, d in pos.spans), f"{e['id']} {neg.rule}"


@by_corpus
def test_every_linted_rule_has_a_positive_label(corpus):
    entries = ENTRIES[corpus.name]
    positive = {
        lab["rule"] for e in entries for lab in e.get("label", []) if lab["expect"] == "positive"
    }
    missing = sorted(LINT_RULES - positive - corpus.rules_without_positive)
    assert not missing, f"no positive label for {missing}"
    stale = sorted(corpus.rules_without_positive & positive)
    assert not stale, f"{stale} now have positives: drop them from rules_without_positive"
    labelled = {lab["rule"] for e in entries for lab in e.get("label", [])}
    assert corpus.rules_without_positive <= labelled, (
        "a rule without positives still needs negatives"
    )
    activities = {lab.get("activity") for e in entries for lab in e.get("label", [])}
    assert {"active", "latent"} <= activities


def _hit(rule, line, activity=None, file="train.py", entry="e"):
    return bench.Hit(entry, rule, file, line, activity, "msg")


def test_scorer_matches_by_rule_file_and_span():
    labels = [
        bench.Label("e", "SG201", "positive", "train.py", ((10, 12), (20, 20)), "latent"),
        bench.Label("e", "SG202", "positive", "train.py", ((30, 30),), "active"),
        bench.Label("e", "SG210", "negative", "train.py", ((40, 40),)),
    ]
    hits = [
        _hit("SG201", 20, "latent"),  # second span of the SG201 label
        _hit("SG201", 11, "active"),  # same label again: a true finding, still one recalled label
        _hit("SG202", 31),  # outside the span: unlabelled
        _hit("SG202", 30, file="other.py"),  # other file: unlabelled
        _hit("SG210", 40),  # on a negative label
    ]
    scores, agreement = bench.score(labels, hits, rules=("SG201", "SG202", "SG210"))
    assert (scores["SG201"].positives, scores["SG201"].recalled) == (1, 1)
    assert (scores["SG201"].findings, scores["SG201"].true_findings) == (2, 2)
    assert scores["SG202"].recall == 0.0 and scores["SG202"].precision == 0.0
    assert len(scores["SG202"].unlabelled) == 2
    assert len(scores["SG210"].on_negative) == 1 and scores["SG210"].recall is None
    overall = bench.total(scores)
    counts = (overall.true_findings, overall.findings, overall.recalled, overall.positives)
    assert counts == (2, 5, 1, 2)
    assert agreement == {("latent", "latent"): 1}


def test_activity_is_read_from_attribute_or_data():
    assert bench.activity_of(SimpleNamespace(data={})) is None
    assert bench.activity_of(SimpleNamespace(active=True, data={})) == "active"
    assert bench.activity_of(SimpleNamespace(activity="Latent", data={})) == "latent"
    assert bench.activity_of(SimpleNamespace(data={"active": False})) == "latent"


def test_benchmark_runs_on_one_entry(tmp_path, capsys):
    entry = next(e for e in ENTRIES["lint_corpus"] if e["id"] == "pygcn")
    folder = tmp_path / "pygcn"
    folder.mkdir()
    for rel in entry["files"]:
        (folder / rel).write_text((CORPUS / "pygcn" / rel).read_text())
    toml = (CORPUS / "corpus.toml").read_text()
    start = toml.index('[[entry]]\nid = "pygcn"')
    end = toml.find("[[entry]]\n", start + 1)
    (tmp_path / "corpus.toml").write_text(toml[start : end if end != -1 else None])
    assert bench.main(["--corpus", str(tmp_path)]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("lint_real_precision=") and " lint_real_recall=" in last

"""Snapshot tests of the linter's rules over tests/lint_fixtures/SGxxx/{bad,good}_N.py.

Each bad fixture has a sibling ``bad_N.expected``: the exact ``path:line:col: CODE message`` lines
the linter prints for it (every rule, not only the folder's). Good fixtures produce no finding at
all. Regenerate the snapshots with ``STEPGUARD_UPDATE_SNAPSHOTS=1 pytest tests/test_lint_rules.py``
and review the diff before committing.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

from stepguard.catalog import CATALOG
from stepguard.lint import _rules as lint_rules
from stepguard.lint._rules import IMPLEMENTED, check_source, might_contain_training_code

FIXTURES = Path(__file__).parent / "lint_fixtures"
UPDATE = os.environ.get("STEPGUARD_UPDATE_SNAPSHOTS") == "1"


@pytest.fixture(autouse=True)
def _strict_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    # A bug inside a rule must fail these tests, not be skipped silently.
    monkeypatch.setattr(lint_rules, "STRICT", True)


def fixture_files(kind: str) -> list[Path]:
    return sorted(FIXTURES.glob(f"SG*/{kind}_*.py"))


def render(path: Path) -> str:
    rel = path.relative_to(FIXTURES).as_posix()
    found = check_source(path.read_text(encoding="utf-8"), rel)
    return "".join(f"{v.finding.location}: {v.finding.code} {v.finding.message}\n" for v in found)


def test_every_implemented_rule_has_three_bad_and_three_good_fixtures() -> None:
    for code in IMPLEMENTED:
        folder = FIXTURES / code
        assert len(list(folder.glob("bad_*.py"))) >= 3, code
        assert len(list(folder.glob("good_*.py"))) >= 3, code
    assert set(IMPLEMENTED) <= set(CATALOG)


@pytest.mark.parametrize("path", fixture_files("bad"), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_bad_fixture_output_matches_snapshot(path: Path) -> None:
    got = render(path)
    expected_path = path.with_suffix(".expected")
    if UPDATE:
        expected_path.write_text(got, encoding="utf-8")
    assert got == expected_path.read_text(encoding="utf-8")
    # The folder's own rule fires on its bad fixture.
    assert f": {path.parent.name} " in got


@pytest.mark.parametrize("path", fixture_files("good"), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_good_fixture_has_no_findings(path: Path) -> None:
    assert render(path) == ""


@pytest.mark.parametrize("path", fixture_files("*"), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixtures_parse_and_pass_the_prefilter(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    ast.parse(source)
    assert might_contain_training_code(source)


def test_prefilter_rejects_files_without_training_code() -> None:
    source = "import os\n\ndef f(x):\n    return os.path.join(x, 'a')\n"
    assert not might_contain_training_code(source)
    assert check_source(source) == []
    # Words in comments and other identifiers are not calls.
    assert not might_contain_training_code("# kept for backward compatibility\nstep_size = 1\n")


def test_prefilter_answers_as_its_single_regex() -> None:
    # `might_contain_training_code` tests the alternatives of `_PREFILTER` one by one (faster);
    # it must accept exactly the texts the one regex accepts.
    from stepguard.lint._scan import _PREFILTER

    texts = [p.read_text(encoding="utf-8") for p in fixture_files("*")]
    texts += [
        "",
        "step = 1",
        "x.step",
        "x. step_size",
        "x.\\\n step",
        "import optimum",
        "from torch import optim",
        "optim_cls = 1",
        "loss.backward",
        "loss.backward  # c\n(",
        "require_backward_grad_sync",
        "no_sync",
        "# clip_grad in a comment",
        "a.zero_grad",
        ".step\u00e9",
    ]
    for text in texts:
        assert might_contain_training_code(text) == (_PREFILTER.search(text) is not None), text


def test_prefilter_accepts_every_spelling_of_the_calls_the_rules_read() -> None:
    for source in (
        "loss.backward()",
        "loss.backward (\n)",
        "loss.backward \\\n()",
        "(loss.backward  # why\n)()",
        "opt. step()",
        "(opt.  # why\r step)()",
        "import torch.optim",
    ):
        assert might_contain_training_code(source), source
    wrapped = (
        "for i, b in enumerate(l):\n"
        "    (b.backward  # c\n"
        "    )()\n"
        "    (sched. step)()\n"
        "    if i % 2 == 0:\n"
        "        (opt. step)()\n"
    )
    assert codes(wrapped) == [("SG202", 4)]


def test_unparsable_source_raises_syntax_error() -> None:
    with pytest.raises(SyntaxError):
        check_source("import torch.optim\nopt = (\n")


def test_columns_count_characters_not_utf8_bytes() -> None:
    source = "import torch\nopt = {'é': torch.optim.Adam(p, lr=1.0, weight_decay=0.1)}\n"
    (v,) = [v for v in check_source(source, "x.py") if v.finding.code == "SG101"]
    assert (v.finding.line, v.finding.col) == (2, source.splitlines()[1].index("torch") + 1)
    assert v.finding.path == "x.py"


def codes(source: str) -> list[tuple[str, int]]:
    return [(v.finding.code, v.finding.line or 0) for v in check_source(source)]


ODD_SOURCES = [
    "",
    "# only a comment about optim and backward\n",
    "import torch\nopt = torch.optim.Adam()\n",
    "import torch\nopt = torch.optim.Adam(weight_decay='0.1')\n",
    "import torch\nopt = torch.optim.Adam(p, weight_decay=True)\n",
    "import torch\nopt = torch.optim.Adam(p, weight_decay=1e400)\n",
    "import torch\nopt = torch.optim.Adam(*args, **kwargs)\n",
    "import torch\nopt = torch.optim.Adam(p, **{'weight_decay': 0.1})\n",
    "from torch.optim import *\nopt = Adam(p, lr=1.0, weight_decay=0.1)\n",
    "import torch\na = b = torch.optim.Adam(p, weight_decay=0.1)\nx, y = torch.optim.Adam(p, weight_decay=0.1), 1\n",
    "import torch\nclass T:\n    opt: torch.optim.Optimizer = torch.optim.Adam(p, weight_decay=0.1)\n",
    "def step():\n    step()\n\nfor i in x:\n    loss.backward()\n    if i % 2 == 0:\n        step()\n",
    "async def f(loader, opt):\n    async for i, b in loader:\n        async with ctx:\n            (await model(b)).backward()\n        if (i + 1) % 4 == 0:\n            opt.step()\n",
    "match cmd:\n    case {'opt': opt}:\n        opt.step()\n    case [x, *rest] if (n := len(rest)) > 0:\n        x.backward()\n    case _:\n        pass\n",
    "for i, b in enumerate(l):\n    (lambda: loss.backward())()\n    if (i + 1) % k == 0:\n        optimizer.step()\nelse:\n    pass\n",
    "while (n := next(it, None)) is not None:\n    loss = f(n)\n    loss.backward()\n    if n % k == 0:\n        optimizer.step()\n        break\n",
    "try:\n    pass\nexcept* ValueError:\n    optimizer.step()\n",
    "for i in x:\n    optimizer.step\n    scheduler.step\n    loss.backward\n    if i % 2:\n        optimizer.step(closure)\n",
    "@decorator(optimizer.step())\ndef g(*a, **k):\n    global optimizer\n    del optimizer\n",
    "with model.no_sync() as (a, b), other:\n    loss.backward()\n",
    "model.require_backward_grad_sync = False\nx.a.b.require_backward_grad_sync = True\n",
    "for i, (x, y) in enumerate(loader):\n    scaler.scale(loss).backward()\n    torch.nn.utils.clip_grad_norm_(*ps)\n    scaler.step()\n    scaler.step(*opts)\n    sched.step()\n",
    "é = 1\nfor ü in x:\n    ü.backward()\n    if ü % 2 == 0:\n        optimizer.step()\n",
]


@pytest.mark.parametrize("source", ODD_SOURCES, ids=range(len(ODD_SOURCES)))
def test_odd_but_valid_python_never_raises(source: str) -> None:
    ast.parse(source)
    found = check_source(source)
    assert all(v.finding.line and v.finding.col and v.finding.col >= 1 for v in found)


def test_star_import_and_chained_assignments_are_still_recognised() -> None:
    assert codes(ODD_SOURCES[8]) == [("SG101", 2)]
    assert [c for c in codes(ODD_SOURCES[9]) if c[0] == "SG101"] == [("SG101", 2), ("SG101", 3)]


def test_unknown_or_non_numeric_weight_decay_is_not_reported() -> None:
    for source in ODD_SOURCES[2:5] + ODD_SOURCES[6:8]:
        assert codes(source) == [], source


def test_deeply_nested_training_loop_is_analysed() -> None:
    lines = ["import torch.nn.functional as F", "for i, (x, y) in enumerate(loader):"]
    depth = 90
    lines += ["    " * (d + 1) + f"if flag{d}:" for d in range(depth)]
    pad = "    " * (depth + 1)
    lines += [
        pad + "loss = F.cross_entropy(model(x), y)",
        pad + "loss.backward()",
        pad + "scheduler.step()",
        pad + "if (i + 1) % k == 0:",
        pad + "    optimizer.step()",
    ]
    source = "\n".join(lines) + "\n"
    assert codes(source) == [("SG201", depth + 4), ("SG202", depth + 5)]


def test_source_too_deep_for_the_parser_raises_syntax_error() -> None:
    source = "import torch.optim\nloss = " + " + ".join(["x"] * 5000) + "\n"
    with pytest.raises(SyntaxError):
        check_source(source)


def test_logging_and_eval_guards_with_modulo_are_not_windows() -> None:
    source = (
        "for i, (x, y) in enumerate(loader):\n"
        "    optimizer.zero_grad()\n"
        "    loss = criterion(model(x), y)\n"
        "    loss.backward()\n"
        "    optimizer.step()\n"
        "    scheduler.step()\n"
        "    if i % 100 == 0:\n"
        "        evaluate(model)\n"
    )
    assert codes(source) == []


def test_backward_only_inside_the_guard_is_not_accumulation() -> None:
    source = (
        "for i, (x, y) in enumerate(loader):\n"
        "    optimizer.zero_grad()\n"
        "    loss = criterion(model(x), y)\n"
        "    if (i + 1) % 4 == 0:\n"
        "        loss.backward()\n"
        "        optimizer.step()\n"
    )
    assert codes(source) == []


def test_loss_from_a_same_file_helper_or_scaled_by_a_factor_is_not_sg201() -> None:
    template = (
        "def compute(model, batch):\n"
        "    return model(batch).loss / 4\n"
        "for i, batch in enumerate(loader):\n"
        "    loss = {expr}\n"
        "    loss.backward()\n"
        "    if (i + 1) % 4 == 0:\n"
        "        optimizer.step()\n"
        "        optimizer.zero_grad()\n"
    )
    for expr in ("compute(model, batch)", "model(batch).loss * scale", "model(batch).loss"):
        got = codes(template.format(expr=expr))
        assert got == ([("SG201", 5)] if expr == "model(batch).loss" else []), expr


def test_zero_grad_of_another_optimizer_in_the_window_is_not_sg210() -> None:
    source = (
        "for i, (x, y) in enumerate(loader):\n"
        "    probe_optimizer.zero_grad()\n"
        "    (criterion(model(x), y) / 4).backward()\n"
        "    if (i + 1) % 4 == 0:\n"
        "        optimizer.step()\n"
        "        optimizer.zero_grad()\n"
    )
    assert codes(source) == []


# Catalog examples that need surrounding code to show the pitfall (a DDP model, an accumulation
# window) get it from here; every other example is linted exactly as the README shows it.
CATALOG_CONTEXT = {
    "SG205": (
        "for epoch in range(epochs):\n"
        "    for i, (x, y) in enumerate(loader):\n"
        "        (criterion(model(x), y) / accum_steps).backward()\n"
        "        if (i + 1) % accum_steps == 0:\n"
        "            optimizer.step()\n"
        "            optimizer.zero_grad()\n"
        "            scheduler.step()\n"
    ),
    "SG208": "import torch\nddp_model = torch.nn.parallel.DistributedDataParallel(model)\n",
}


@pytest.mark.parametrize("code", IMPLEMENTED)
def test_catalog_bad_example_is_reported_and_good_example_is_clean(code: str) -> None:
    entry = CATALOG[code]
    context = CATALOG_CONTEXT.get(code, "")

    def lint(snippet: str) -> list[str]:
        source = snippet + "\n" + context if code == "SG205" else context + snippet + "\n"
        return [v.finding.code for v in check_source(source)]

    assert code in lint(entry.bad)
    assert lint(entry.good) == []


def test_parameter_norm_added_to_a_statistic_is_not_an_l2_penalty() -> None:
    head = "import torch\nopt = torch.optim.AdamW(groups, lr=1e-3, weight_decay=0.1)\n"
    logged = "norm = sum(p.norm() ** 2 for p in model.parameters()) ** 0.5\nstats = stats + norm\n"
    penalty = "reg = sum(p.norm() ** 2 for p in model.parameters())\nloss = loss + 1e-4 * reg\n"
    assert codes(head + logged) == []
    # Reported on the statement that adds the penalty to the loss (the corpus convention).
    assert codes(head + penalty) == [("SG103", 4)]


def _decay_findings(source: str) -> list[tuple[str, int, object, object]]:
    return [
        (
            v.finding.code,
            v.finding.line,
            v.finding.data.get("weight_decay"),
            v.finding.data.get("weight_decay_expr"),
        )
        for v in check_source(source)
        if v.finding.code in ("SG101", "SG102")
    ]


def test_decay_not_known_statically_is_reported_with_its_expression() -> None:
    src = (
        "import torch\n"
        "opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=args.wd)\n"
        "rms = torch.optim.RMSprop(model.parameters(), 1e-2, 0.99, 1e-8, cfg.optim.wd)\n"
        "ada = torch.optim.Adadelta(head.parameters(), weight_decay=hp['wd'])\n"
    )
    assert _decay_findings(src) == [
        ("SG101", 2, None, "args.wd"),
        ("SG102", 2, None, "args.wd"),
        ("SG101", 3, None, "cfg.optim.wd"),
        ("SG102", 3, None, "cfg.optim.wd"),
        ("SG101", 4, None, "hp['wd']"),
        ("SG102", 4, None, "hp['wd']"),
    ]
    message = check_source(src)[0].finding.message
    assert (
        "Adam(..., weight_decay=args.wd): the value is not known statically; "
        "if it is > 0, Adam applies coupled L2 decay"
    ) in message


def test_parameter_decay_takes_its_default_and_every_same_file_call() -> None:
    head = "import torch\n\ndef build(model, wd=0.0):\n"
    body = "    return torch.optim.Adam(model.parameters(), weight_decay=wd)\n"
    # Default 0 and no call passes anything else: provably 0, silent.
    assert _decay_findings(head + body + "opt = build(m)\nopt2 = build(m, 0)\n") == []
    # A call passes 0.01 (by keyword or by position): the largest value is reported.
    for call in ("build(m, wd=0.01)", "build(m, 0.01)"):
        got = _decay_findings(head + body + f"a = build(m)\nb = {call}\n")
        assert got == [("SG101", 4, 0.01, None), ("SG102", 4, 0.01, None)]
    # A call passes a run-time value (or hides its arguments): not provably 0.
    for call in ("build(m, wd=args.wd)", "build(m, **kw)"):
        got = _decay_findings(head + body + f"a = build(m)\nb = {call}\n")
        assert [g[:3] for g in got] == [("SG101", 4, None), ("SG102", 4, None)]
    # Reassigned inside the function: its value there is not the parameter's.
    reassigned = "import torch\n\ndef build(model, wd=0.0):\n    wd = 0\n" + body
    assert _decay_findings(reassigned + "b = build(m, wd=0.01)\n") == []
    # No default and no caller in this file: unknown.
    no_default = "import torch\n\ndef build(model, wd):\n" + body
    assert [g[:3] for g in _decay_findings(no_default)] == [("SG101", 4, None), ("SG102", 4, None)]


def test_decay_provably_zero_or_in_a_no_decay_group_stays_silent() -> None:
    src = (
        "import torch\n"
        "WD = 0.0\n"
        "a = torch.optim.Adam(model.parameters(), weight_decay=0)\n"
        "b = torch.optim.Adam(model.parameters(), weight_decay=WD)\n"
        "c = torch.optim.Adam(model.parameters(), weight_decay=args.wd, decoupled_weight_decay=True)\n"
        "d = torch.optim.AdamW([{'params': dec, 'weight_decay': args.wd},"
        " {'params': nodec, 'weight_decay': 0.0}])\n"
        "e = torch.optim.Adam(model.parameters(), **cfg)\n"
    )
    # Only `c` remains: decoupled (no SG101), but still on every parameter (SG102 if > 0).
    assert _decay_findings(src) == [("SG102", 5, None, "args.wd")]


def test_sg101_fix_keeps_a_run_time_decay_expression_on_adamw() -> None:
    from stepguard.lint._config import LintConfig
    from stepguard.lint._engine import fix_source

    src = (
        "import torch\n"
        "opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=args.wd)\n"
        "g = torch.optim.Adam([{'params': dec, 'weight_decay': cfg.wd}, {'params': nd}])\n"
    )
    fixed, _, count = fix_source(src, "t.py", LintConfig(select=("SG101",)))
    assert count == 2
    assert fixed.splitlines()[1:] == [
        "opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=args.wd)",
        # AdamW's default decay is 0.01: the group without one keeps Adam's 0.
        "g = torch.optim.AdamW([{'params': dec, 'weight_decay': cfg.wd}, {'params': nd}],"
        " weight_decay=0.0)",
    ]
    assert [v for v in check_source(fixed) if v.finding.code == "SG101"] == []

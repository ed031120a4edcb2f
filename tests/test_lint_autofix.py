"""The linter's safe fixes: each fixable bad fixture, fixed, equals its reviewed ``bad_N.fixed``
and lints clean for that rule; bad fixtures without a ``.fixed`` file must be left untouched.

Regenerate with ``STEPGUARD_UPDATE_SNAPSHOTS=1`` (writes ``.fixed`` only for files that change).
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stepguard.catalog import CATALOG
from stepguard.lint import _rules as lint_rules
from stepguard.lint._autofix import apply_edits
from stepguard.lint._config import LintConfig
from stepguard.lint._engine import fix_source
from stepguard.lint._rules import IMPLEMENTED, Edit, check_source

FIXTURES = Path(__file__).parent / "lint_fixtures"
UPDATE = os.environ.get("STEPGUARD_UPDATE_SNAPSHOTS") == "1"


@pytest.fixture(autouse=True)
def _strict_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    # A bug inside a rule must fail these tests, not be skipped silently.
    monkeypatch.setattr(lint_rules, "STRICT", True)


FIXABLE = [c for c in IMPLEMENTED if CATALOG[c].autofix]
BAD = sorted(p for c in FIXABLE for p in (FIXTURES / c).glob("bad_*.py"))


@pytest.mark.parametrize("path", BAD, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixing_a_bad_fixture_gives_the_reviewed_text_and_lints_clean(path: Path) -> None:
    code = path.parent.name
    source = path.read_text(encoding="utf-8")
    fixed, _, count = fix_source(source, path.name, LintConfig(select=(code,)))
    fixed_path = path.with_suffix(".fixed")
    if UPDATE:
        if count:
            fixed_path.write_text(fixed, encoding="utf-8")
        elif fixed_path.exists():
            fixed_path.unlink()
    if not fixed_path.exists():
        assert count == 0 and fixed == source  # no safe fix for this shape: untouched
        return
    assert count >= 1
    assert fixed == fixed_path.read_text(encoding="utf-8")
    remaining = [v for v in check_source(fixed) if v.finding.code == code]
    # Whatever is left of this rule has no safe fix (and the fix did not create new ones).
    assert all(not v.edits for v in remaining)
    before = [v for v in check_source(source) if v.finding.code == code]
    assert len(remaining) == len([v for v in before if not v.edits])


def test_each_fixable_rule_has_a_fixed_fixture() -> None:
    for code in FIXABLE:
        assert list((FIXTURES / code).glob("bad_*.fixed")), code


def test_apply_edits_replaces_inserts_and_keeps_the_rest() -> None:
    src = "abc def  # keep\n"
    out = apply_edits(src, [Edit(4, 7, "xyz"), Edit(0, 0, ">"), Edit(3, 3, "!")])
    assert out == ">abc! xyz  # keep\n"


def test_apply_edits_rejects_overlaps_and_out_of_range() -> None:
    with pytest.raises(ValueError, match="overlapping"):
        apply_edits("abcdef", [Edit(0, 3, "x"), Edit(2, 4, "y")])
    with pytest.raises(ValueError, match="overlapping"):
        apply_edits("abcdef", [Edit(1, 1, "x"), Edit(1, 1, "y")])
    with pytest.raises(ValueError, match="outside"):
        apply_edits("abc", [Edit(2, 9, "x")])


def test_sg101_fix_adds_adamw_to_the_from_import_once_for_two_optimizers() -> None:
    src = (
        "from torch.optim import (\n"
        "    Adam,  # the old one\n"
        "    SGD,\n"
        ")\n"
        "a = Adam(p, lr=1e-3, weight_decay=0.1)\n"
        "b = Adam(q, lr=1e-3, weight_decay=0.1)\n"
    )
    fixed, _, count = fix_source(src)
    assert count == 2
    # Adam is unused after the second fix: it leaves the import, with its line and its comment.
    assert fixed == (
        "from torch.optim import (\n"
        "    SGD, AdamW,\n"
        ")\n"
        "a = AdamW(p, lr=1e-3, weight_decay=0.1)\n"
        "b = AdamW(q, lr=1e-3, weight_decay=0.1)\n"
    )


def test_sg101_fix_reuses_an_existing_adamw_alias_and_keeps_group_defaults() -> None:
    src = (
        "from torch.optim import Adam, AdamW as W\n"
        "a = Adam(p, weight_decay=0.1)\n"
        "b = Adam([{'params': p, 'weight_decay': 0.1}, {'params': q}])\n"
        "c = Adam(p, **{'weight_decay': 0.1})\n"
    )
    fixed, _, count = fix_source(src)
    assert count == 2
    assert fixed.splitlines()[1] == "a = W(p, weight_decay=0.1)"
    # AdamW's default decay is 0.01: the group without its own value must stay at Adam's 0.
    assert (
        fixed.splitlines()[2]
        == "b = W([{'params': p, 'weight_decay': 0.1}, {'params': q}], weight_decay=0.0)"
    )
    assert fixed.splitlines()[3] == src.splitlines()[3]  # arguments not visible: no fix


# -- every fix compiles, is idempotent, and builds under the installed torch ---------------------


def _compiles(text: str) -> bool:
    try:
        compile(text, "<fixed>", "exec", dont_inherit=True)
    except SyntaxError:
        return False
    return True


@pytest.mark.parametrize(
    ("call", "want"),
    [
        # The flag set to False: turned on, never a second keyword (which does not compile).
        (
            "NAdam(p, lr=1e-3, weight_decay=0.1, decoupled_weight_decay=False)",
            "NAdam(p, lr=1e-3, weight_decay=0.1, decoupled_weight_decay=True)",
        ),
        (
            "RAdam(p, 1e-3, (0.9, 0.999), 1e-8, 0.1, False)",  # the flag passed positionally
            "RAdam(p, 1e-3, (0.9, 0.999), 1e-8, 0.1, True)",
        ),
        (
            "NAdam(p, 2e-3, (0.9, 0.999), 1e-8, 0.1, 4e-3, 0)",
            "NAdam(p, 2e-3, (0.9, 0.999), 1e-8, 0.1, 4e-3, True)",
        ),
        # Adam with the flag: AdamW has no such keyword (TypeError); the flag is turned on instead.
        (
            "Adam(p, lr=1e-3, weight_decay=0.1, decoupled_weight_decay=False)",
            "Adam(p, lr=1e-3, weight_decay=0.1, decoupled_weight_decay=True)",
        ),
        ("NAdam(p, weight_decay=0.1)", "NAdam(p, weight_decay=0.1, decoupled_weight_decay=True)"),
        ("Adam(p, weight_decay=0.1)", "AdamW(p, weight_decay=0.1)"),
    ],
)
def test_sg101_fix_turns_a_false_flag_on_and_never_repeats_a_keyword(call: str, want: str) -> None:
    src = f"from torch.optim import Adam, NAdam, RAdam\nopt = {call}\nother = Adam, NAdam, RAdam\n"
    fixed, remaining, count = fix_source(src, config=LintConfig(select=("SG101",)))
    assert count == 1 and remaining == []
    assert fixed.splitlines()[1] == f"opt = {want}"
    assert _compiles(fixed)
    assert fix_source(fixed, config=LintConfig(select=("SG101",)))[0] == fixed


def test_sg101_fix_leaves_no_unused_import_behind() -> None:
    cases = {
        "from torch.optim import Adam\nopt = Adam(p, weight_decay=0.1)\n": (
            "from torch.optim import AdamW\nopt = AdamW(p, weight_decay=0.1)\n"
        ),
        "from torch.optim import Adam as A, SGD\nopt = A(p, weight_decay=0.1)\n": (
            "from torch.optim import AdamW, SGD\nopt = AdamW(p, weight_decay=0.1)\n"
        ),
        # AdamW already imported: Adam leaves the import.
        "from torch.optim import SGD, Adam, AdamW\nopt = Adam(p, weight_decay=0.1)\n": (
            "from torch.optim import SGD, AdamW\nopt = AdamW(p, weight_decay=0.1)\n"
        ),
        "from torch.optim import Adam\nfrom torch.optim import AdamW\nopt = Adam(p, weight_decay=0.1)\n": (
            "from torch.optim import AdamW\nopt = AdamW(p, weight_decay=0.1)\n"
        ),
        # Still used elsewhere (another class check, a re-export): the import stays.
        "from torch.optim import Adam\nopt = Adam(p, weight_decay=0.1)\nassert isinstance(opt, Adam)\n": (
            "from torch.optim import Adam, AdamW\nopt = AdamW(p, weight_decay=0.1)\n"
            "assert isinstance(opt, Adam)\n"
        ),
        '__all__ = ["Adam"]\nfrom torch.optim import Adam\nopt = Adam(p, weight_decay=0.1)\n': (
            '__all__ = ["Adam"]\nfrom torch.optim import Adam, AdamW\nopt = AdamW(p, weight_decay=0.1)\n'
        ),
    }
    for src, want in cases.items():
        fixed, _, count = fix_source(src, config=LintConfig(select=("SG101",)))
        assert (fixed, count) == (want, 1), src


# Call shapes of the optimizers SG101 rewrites: keyword and positional decay, param groups with and
# without their own decay, the decoupling flag off by keyword or by position, aliases and modules.
CONSTRUCT = [
    "Adam(params, lr=1e-3, weight_decay=0.1)",
    "Adam(params, 1e-3, (0.9, 0.999), 1e-8, 0.1)",
    "Adam(params, 1e-3, (0.9, 0.999), 1e-8, 0.1, True)",  # amsgrad
    "Adam(params, lr=1e-3, weight_decay=0.1, amsgrad=True, maximize=False, foreach=False)",
    "Adam(groups, lr=1e-3)",
    "Adam(groups, 1e-3, (0.9, 0.95))",
    "Adam(params, lr=1e-3, weight_decay=0.1, decoupled_weight_decay=False)",
    "Adam(groups, lr=1e-3, decoupled_weight_decay=False)",
    "torch.optim.Adam(params, weight_decay=0.1)",
    "optim.Adam(params, weight_decay=0.1,)",
    "A(params, weight_decay=0.1)",
    "NAdam(params, lr=2e-3, weight_decay=0.1)",
    "NAdam(params, 2e-3, (0.9, 0.999), 1e-8, 0.1)",
    "NAdam(params, 2e-3, (0.9, 0.999), 1e-8, 0.1, 4e-3, False)",
    "NAdam(groups, lr=2e-3, decoupled_weight_decay=False)",
    "RAdam(params, weight_decay=0.1)",
    "RAdam(params, 1e-3, (0.9, 0.999), 1e-8, 0.1, False)",
    "RAdam(groups, lr=1e-3, decoupled_weight_decay=0)",
    "torch.optim.RAdam(params, lr=1e-3, weight_decay=0.1, foreach=False)",
]
CONSTRUCT_HEADER = (
    "import torch\n"
    "import torch.optim as optim\n"
    "from torch.optim import Adam, NAdam, RAdam\n"
    "from torch.optim import Adam as A\n"
    "model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.LayerNorm(8), torch.nn.Linear(8, 2))\n"
    "params = list(model.parameters())\n"
    "groups = [\n"
    '    {"params": params[:2], "weight_decay": 0.1},\n'
    '    {"params": params[2:]},\n'
    "]\n"
)


def _decoupled(opt: object) -> bool:
    import torch

    if isinstance(opt, torch.optim.AdamW):
        return True
    return all(g.get("decoupled_weight_decay", False) for g in opt.param_groups)  # type: ignore[attr-defined]


@pytest.mark.parametrize("call", CONSTRUCT)
def test_every_sg101_rewrite_constructs_under_the_installed_torch(call: str) -> None:
    """Each rewritten call builds under the installed torch, decays the same groups by the same
    values, is decoupled, and takes a step; the original builds too (the shapes are valid)."""
    src = f"{CONSTRUCT_HEADER}opt = {call}\n"
    fixed, remaining, count = fix_source(src, config=LintConfig(select=("SG101",)))
    assert count == 1 and remaining == [], call
    assert _compiles(fixed)
    before: dict[str, object] = {}
    after: dict[str, object] = {}
    exec(compile(src, "<original>", "exec"), before)
    exec(compile(fixed, "<fixed>", "exec"), after)  # a TypeError here is the bug
    old, new = before["opt"], after["opt"]
    assert not _decoupled(old) and _decoupled(new), fixed.splitlines()[-1]
    # Same decay per group; groups without their own value keep Adam's 0, not AdamW's 0.01.
    assert [g["weight_decay"] for g in old.param_groups] == [  # type: ignore[attr-defined]
        g["weight_decay"]
        for g in new.param_groups  # type: ignore[attr-defined]
    ]
    assert [g["lr"] for g in old.param_groups] == [g["lr"] for g in new.param_groups]  # type: ignore[attr-defined]
    model = after["model"]
    model(__import__("torch").ones(3, 4)).sum().backward()  # type: ignore[operator]
    new.step()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("call", "fixable"),
    [
        ("optimizer_class=torch.optim.NAdam, lr=1e-3, weight_decay=0.1", True),
        ("torch.optim.RAdam, lr=1e-3, weight_decay=0.1", True),  # the class by position
        ("optimizer_class=torch.optim.Adam, weight_decay=0.1, decoupled_weight_decay=False", True),
        ("optimizer_class=torch.optim.Adam, lr=1e-3, weight_decay=0.1", False),  # keeps its class
    ],
)
def test_sg101_fix_of_a_zero_redundancy_optimizer_constructs_under_torch(
    call: str, fixable: bool, tmp_path: Path
) -> None:
    """ZeRO passes the decoupling flag on to its class: the fix sets or turns it on, the fixed
    call builds in a one-process gloo group, and the class it shards decays decoupled."""
    import torch
    import torch.distributed as dist

    src = (
        "import torch\n"
        "from torch.distributed.optim import ZeroRedundancyOptimizer\n"
        "model = torch.nn.Linear(4, 2)\n"
        f"opt = ZeroRedundancyOptimizer(model.parameters(), {call})\n"
    )
    found = [v for v in check_source(src) if v.finding.code == "SG101"]
    assert len(found) == 1 and "re-tune the value" in found[0].finding.message
    fixed, remaining, count = fix_source(src, config=LintConfig(select=("SG101",)))
    if not fixable:
        assert (fixed, count, len(remaining)) == (src, 0, 1)
        return
    assert count == 1 and remaining == [] and _compiles(fixed)
    assert fixed.count("decoupled_weight_decay") == 1
    assert not dist.is_initialized()
    dist.init_process_group(
        "gloo", init_method=(tmp_path / "rendezvous").as_uri(), rank=0, world_size=1
    )
    try:
        namespace: dict[str, object] = {}
        exec(compile(fixed, "<fixed>", "exec"), namespace)
        opt = namespace["opt"]
        inner = opt.optim  # type: ignore[attr-defined]
        assert all(g["decoupled_weight_decay"] for g in inner.param_groups)
        namespace["model"](torch.ones(3, 4)).sum().backward()  # type: ignore[operator]
        opt.step()  # type: ignore[attr-defined]
    finally:
        dist.destroy_process_group()


def test_every_fixed_fixture_has_only_calls_the_installed_torch_accepts() -> None:
    """The optimizer calls the fixes rewrote in the fixtures bind to the installed torch.optim
    signatures (keywords and positional count), so the fixed code constructs."""
    import inspect

    import torch

    checked = 0
    for fixed_path in sorted(FIXTURES.glob("*/bad_*.fixed")):
        fixed = fixed_path.read_text(encoding="utf-8")
        original = fixed_path.with_suffix(".py").read_text(encoding="utf-8")
        old_calls = {
            ast.unparse(n) for n in ast.walk(ast.parse(original)) if isinstance(n, ast.Call)
        }
        for node in ast.walk(ast.parse(fixed)):
            if not isinstance(node, ast.Call) or ast.unparse(node) in old_calls:
                continue
            name = (
                node.func.attr
                if isinstance(node.func, ast.Attribute)
                else getattr(node.func, "id", "")
            )
            cls = getattr(torch.optim, name, None)
            if not (isinstance(cls, type) and issubclass(cls, torch.optim.Optimizer)):
                continue
            args = [None] * len(node.args)
            kwargs = {k.arg: None for k in node.keywords if k.arg}
            inspect.signature(cls).bind(*args, **kwargs)  # TypeError when it would not construct
            checked += 1
    assert checked >= 5


def test_fixes_leave_no_new_unused_import(tmp_path: Path) -> None:
    """Ruff's F401 (unused import) finds nothing in a fixed file that the original lacked, over
    every fixture with a fix and every rewrite shape above."""
    import subprocess
    import sys

    sources = {
        f"{p.parent.name}_{p.stem}": p.read_text(encoding="utf-8")
        for p in sorted(FIXTURES.glob("*/bad_*.py"))
    }
    sources.update(
        {f"construct_{i}": f"{CONSTRUCT_HEADER}opt = {c}\n" for i, c in enumerate(CONSTRUCT)}
    )
    changed = []
    for stem, src in sources.items():
        fixed, _, count = fix_source(src)
        if count:
            (tmp_path / f"{stem}_before.py").write_text(src, encoding="utf-8")
            (tmp_path / f"{stem}_after.py").write_text(fixed, encoding="utf-8")
            changed.append(stem)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--isolated",
            "--select",
            "F401",
            "--output-format",
            "concise",
            "--no-cache",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode in (0, 1), proc.stderr
    hits = [line for line in proc.stdout.splitlines() if "F401" in line]
    for stem in changed:
        before = {h.split("F401", 1)[1] for h in hits if f"{stem}_before.py" in h}
        after = {h.split("F401", 1)[1] for h in hits if f"{stem}_after.py" in h}
        assert after <= before, (stem, after - before)
    assert len(changed) >= 25


# -- property: fix(fix(x)) == fix(x), and fix(x) compiles -----------------------------------------

ALL_FIXTURES = sorted(FIXTURES.glob("*/*.py"))


@pytest.mark.parametrize("path", ALL_FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixing_is_idempotent_and_compiles_on_every_fixture(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    once, _, _ = fix_source(source, path.name)
    assert _compiles(once) or not _compiles(source)
    twice, _, count = fix_source(once, path.name)
    assert (twice, count) == (once, 0)


# Fixable statements (and their neighbours) that generated programs are mixed with.
FIXABLE_SNIPPETS = [
    "import torch\nfrom torch.optim import Adam, NAdam, RAdam\n",
    "opt = Adam(model.parameters(), lr=1e-3, weight_decay=1e-2)\n",
    "opt = torch.optim.Adam(model.parameters(), weight_decay=1e-2)\n",
    "opt = NAdam(params, weight_decay=0.1, decoupled_weight_decay=False)\n",
    "opt = RAdam(params, 1e-3, (0.9, 0.999), 1e-8, 0.1, False)\n",
    "for i, (x, y) in enumerate(loader):\n    loss = model(x)\n    loss.backward()\n"
    "    scheduler.step()\n"
    "    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)\n"
    "    if (i + 1) % k == 0:\n        opt.step()\n        opt.zero_grad()\n",
]


def _hypothesmith_grammar() -> st.SearchStrategy[str]:
    import hypothesmith  # slow to import and to build: only when the test runs

    strategy: st.SearchStrategy[str] = hypothesmith.from_grammar()
    return strategy


@st.composite
def fixable_programs(draw: st.DrawFn) -> str:
    """A program generated from Python's grammar with fixable training statements around it."""
    program = draw(st.deferred(_hypothesmith_grammar))
    snippets = draw(st.lists(st.sampled_from(FIXABLE_SNIPPETS), min_size=1, max_size=4))
    at = draw(st.integers(0, len(snippets)))
    body = program if program.endswith("\n") else program + "\n"
    return "".join([*snippets[:at], body, *snippets[at:]])


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(source=fixable_programs())
def test_fixing_is_idempotent_and_compiles_on_generated_programs(source: str) -> None:
    try:
        once, _, _ = fix_source(source, "gen.py")
    except SyntaxError:
        return  # generated text the parser rejects (nesting limits): nothing to fix
    if once != source:
        assert _compiles(once)
    twice, _, count = fix_source(once, "gen.py")
    assert (twice, count) == (once, 0)


# -- SG101: the kept value needs re-tuning; the message's starting conversion ---------------------


def test_sg101_message_says_to_retune_and_gives_the_starting_conversion() -> None:
    src = "import torch\nopt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)\n"
    (v,) = [v for v in check_source(src) if v.finding.code == "SG101"]
    message = v.finding.message
    assert "re-tune the value" in message
    assert "weight_decay = 0.0001 / g_rms (0.1 at g_rms=1e-3)" in message
    assert "weight_decay = 1 / (lr * tau)" in message
    assert "kept at 0.0001 with lr=0.001, tau = 10,000,000 steps" in message
    # A value not known statically: the formula with its expression.
    src = "import torch\nopt = torch.optim.RAdam(model.parameters(), weight_decay=args.wd)\n"
    (v,) = [v for v in check_source(src) if v.finding.code == "SG101"]
    assert "weight_decay = args.wd / g_rms, or pick a decay timescale" in v.finding.message
    assert "SG101" in CATALOG and "re-tuning" in CATALOG["SG101"].fix_note


def test_sg101_starting_conversion_keeps_the_per_step_shrink_of_coupled_decay() -> None:
    """The conversion the message and the catalog give is right: under pure gradient noise of RMS
    g_rms, Adam's coupled decay `wd` and AdamW's `wd / g_rms` shrink the weights alike (within 2 %
    of the remaining weight), while AdamW with the kept `wd` barely decays (the fix alone would
    weaken the regulariser by orders of magnitude)."""
    import torch

    def mean_weight_after(cls: type[torch.optim.Optimizer], wd: float) -> float:
        w = torch.nn.Parameter(torch.ones(2000))
        opt = cls([w], lr=1e-3, weight_decay=wd)
        noise = torch.Generator().manual_seed(0)
        for _ in range(2000):
            w.grad = torch.randn(2000, generator=noise) * 1e-3  # g_rms = 1e-3
            opt.step()
        return float(w.detach().mean())

    wd, g_rms = 1e-4, 1e-3
    coupled = mean_weight_after(torch.optim.Adam, wd)
    converted = mean_weight_after(torch.optim.AdamW, wd / g_rms)
    kept = mean_weight_after(torch.optim.AdamW, wd)
    assert coupled < 0.85  # exp(-2000 * lr * wd / g_rms) = 0.82: the coupled decay is real
    assert abs(converted - coupled) < 0.02 * coupled
    assert kept > 0.999  # 1 - 2000 * lr * wd = 0.9998: almost no decay

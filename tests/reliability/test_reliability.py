"""The reliability suite: every edge-case and bad input gives a clear error or a correct result.

See `reliability_harness.py` for what each outcome means; the cases live in
``reliability_cases_<area>.py``.
"""

from __future__ import annotations

import pytest
from reliability_harness import GOOD, Case, all_cases, run_case

CASES = all_cases()


@pytest.mark.parametrize("case", CASES, ids=[f"{c.area}: {c.name}" for c in CASES])
def test_input_gives_a_clear_error_or_a_correct_result(case: Case) -> None:
    result = run_case(case)
    assert result.outcome in GOOD, f"{result.outcome}: {result.detail}"


def test_the_harness_tells_crashes_and_silent_wrong_results_apart() -> None:
    def raw() -> None:
        {}["missing"]

    def unclear() -> None:
        raise ValueError("bad")

    assert run_case(Case("self", "raw", raw)).outcome == "crash"
    assert run_case(Case("self", "unclear", unclear, match="weight_decay")).outcome == "crash"
    assert run_case(Case("self", "no error", lambda: 1)).outcome == "silent-wrong"
    assert run_case(
        Case("self", "wrong", lambda: 1, expect="ok", check=lambda v: v == 2)
    ).outcome == ("silent-wrong")
    lost = Case("self", "lost", lambda: 1, expect="ok", check=lambda v: "file changed", kind="data")
    assert run_case(lost).outcome == "data-loss"
    assert run_case(
        Case("self", "hang", lambda: __import__("time").sleep(5), timeout=0.2)
    ).outcome == ("crash")

"""Print the reliability suite's counts: ``python tests/reliability/report.py [-v]``.

The same cases `test_reliability.py` runs; the last line is the machine-readable summary.
"""

from __future__ import annotations

import sys

from reliability_harness import all_cases, counts, run_case


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    results = [run_case(c) for c in all_cases()]
    for r in results:
        if verbose or r.outcome not in ("clear-error", "correct"):
            print(f"{r.outcome:13} {r.case.area}: {r.case.name}  {r.detail}")
    c = counts(results)
    print(
        f"inputs tried {c['inputs']}: {c['clear-error']} clear errors, {c['correct']} correct "
        f"results, {c['crash']} crashes or raw errors, {c['silent-wrong']} silent wrong results, "
        f"{c['data-loss']} data loss"
    )
    return 0 if c["crash"] + c["silent-wrong"] + c["data-loss"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Print the reliability suite's counts: ``python tests/reliability/report.py [-v]``.

The same cases `test_reliability.py` runs. Prints every case that is not a clear error or a
correct result (every case with ``-v``), then the counts per area, then on the last line the
summary the docs and closing notes quote.
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
    areas = sorted({r.case.area for r in results})
    width = max(len(a) for a in areas)
    print(f"{'area':<{width}}  inputs  clear  correct  crash  silent-wrong  data-loss")
    for area in areas:
        a = counts([r for r in results if r.case.area == area])
        print(
            f"{area:<{width}}  {a['inputs']:>6}  {a['clear-error']:>5}  {a['correct']:>7}  "
            f"{a['crash']:>5}  {a['silent-wrong']:>12}  {a['data-loss']:>9}"
        )
    c = counts(results)
    print(
        f"inputs tried {c['inputs']}: {c['clear-error']} clear errors, {c['correct']} correct "
        f"results, {c['crash']} crashes or raw errors, {c['silent-wrong']} silent wrong results, "
        f"{c['data-loss']} data loss"
    )
    return 0 if c["crash"] + c["silent-wrong"] + c["data-loss"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Regenerate the illustrative season results of the shipped plan folders (``<plan>/results/*.csv``).

A thin caller of :mod:`ocop_helpers.dev.synth_results`: evaluations of both rounds, support paid
and spending per budget line, drawn with a fixed seed per plan — illustrative, not real data.

Usage (from the repository root)::

    .venv/bin/python scripts/make_results.py            # write every plan in SEEDS
    .venv/bin/python scripts/make_results.py --check    # compare with the shipped files, write nothing
    .venv/bin/python scripts/make_results.py --small    # the test suite's mode: same as --check

The output is deterministic: the same plan and seed give the same bytes on every run.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ocop_helpers.dev.synth_results import results_csv_bytes, synth_results, write_results
from ocop_helpers.inputs.loading import load_plan
from ocop_helpers.inputs.results import RESULTS_DIR

ROOT = Path(__file__).resolve().parents[1]

# Plan folder (relative to the repository root) -> seed of its illustrative results.
SEEDS: dict[str, int] = {
    "data/bac-giang/2025": 2025,
    "tests/fixtures/plans/demo/2027": 2027,
}


def check() -> list[str]:
    """Regenerate every registered plan's results in memory and compare with the shipped files byte
    for byte; returns the files that differ or are missing."""
    differing = []
    for rel, seed in SEEDS.items():
        plan = load_plan(ROOT / rel, last_year=False)
        for name, data in results_csv_bytes(synth_results(plan, seed)).items():
            shipped = ROOT / rel / RESULTS_DIR / name
            same = shipped.is_file() and shipped.read_bytes() == data
            print(f"{'identical' if same else 'DIFFERS'}: {shipped.relative_to(ROOT)}")
            if not same:
                differing.append(str(shipped.relative_to(ROOT)))
    return differing


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write the results of every registered plan, or check them."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing: compare with the shipped files")
    parser.add_argument("--small", action="store_true", help="the mode run by the test suite: same as --check")
    args = parser.parse_args(argv)
    if args.check or args.small:
        differing = check()
        print(
            f"{len(SEEDS)} results folders checked: "
            + (f"{len(differing)} files differ" if differing else "all identical")
        )
        return 1 if differing else 0
    for rel, seed in SEEDS.items():
        plan = load_plan(ROOT / rel, last_year=False)
        for path in write_results(synth_results(plan, seed), ROOT / rel):
            print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())

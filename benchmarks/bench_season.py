"""The re-forecast at national size against the plan build, measured in the same run.

A synthetic plan of 18,700 products and 9,600 organisations (``python -m ocop_helpers synth``) gets
illustrative results for its first round only (:mod:`ocop_helpers.dev.synth_results`, the rows of
round 1 and the payments and spending dated before the round-2 deadlines: half the rounds). Then,
each in its own process watched for peak memory (as ``bench_scale``):

- the plan build: ``python -m ocop_helpers build --plan X`` (notebooks, documents, annex);
- the re-forecast: ``python -m ocop_helpers report --plan X --as-of D`` with D after round 1 — the
  results fixed, the rest simulated, the báo cáo in three forms and its annex written.

Printed: wall time and peak memory of each, and the ratio re-forecast / plan build. Targets (issue
18): the re-forecast within the plan's limits, < 60 s and < 4 GB at national size.

    .venv/bin/python benchmarks/bench_season.py [--products 18700] [--draws N] [--keep DIR]
    .venv/bin/python benchmarks/bench_season.py --small     # 120 products, 200 draws

Exits 1 when a run fails or misses a target (after printing what it measured).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import GB, run_watched, synth

from ocop_helpers.core import paths
from ocop_helpers.dev.synth_results import synth_results, write_results
from ocop_helpers.inputs.loading import load_plan

TARGET_S = 60.0
TARGET_BYTES = 4 * GB


def first_round_only(plan_dir: Path) -> pd.Timestamp:
    """Write results of round 1 only into the plan folder; returns the report date (the day after the
    last round-1 deadline)."""
    plan = load_plan(plan_dir, last_year=False)
    full = synth_results(plan, seed=1)
    rounds = plan.rounds
    first_end = pd.Timestamp(rounds.loc[rounds["round"] == rounds["round"].min(), "deadline"].max())
    second_start = pd.Timestamp(rounds.loc[rounds["round"] > rounds["round"].min(), "deadline"].min())
    as_of = min(first_end + pd.Timedelta(days=20), second_start - pd.Timedelta(days=1))
    ev = full.evaluations
    kept = dataclasses.replace(
        full,
        evaluations=ev[ev["round"] == ev["round"].min()].reset_index(drop=True),
        support=full.support[full.support["paid_date"] <= as_of].reset_index(drop=True),
        spending=full.spending[full.spending["as_of"] <= as_of].reset_index(drop=True),
    )
    write_results(kept, plan_dir)
    return as_of


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--products", type=int, default=18_700)
    ap.add_argument("--draws", type=int, default=None, help="Monte Carlo draws of both runs (default: the plan's)")
    ap.add_argument("--keep", default="", help="keep the synthetic plan and outputs in this folder")
    ap.add_argument("--small", action="store_true", help="120 products, 200 draws (the test suite's mode)")
    args = ap.parse_args()
    if args.small:
        args.products, args.draws = 120, 200
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-season-"))
    work.mkdir(parents=True, exist_ok=True)
    plan_dir = work / "synthetic" / "2030"
    if not plan_dir.exists():
        synth(args.products, plan_dir)
    as_of = first_round_only(plan_dir)
    out = work / "outputs"
    draws = [] if args.draws is None else ["--set", f"draws={args.draws}"]
    build = [sys.executable, "-m", "ocop_helpers", "build", "--plan", str(plan_dir), "--out", str(out), *draws]
    report = [sys.executable, "-m", "ocop_helpers", "report", "--plan", str(plan_dir), "--out", str(out)]
    report += ["--as-of", as_of.date().isoformat()] + ([] if args.draws is None else ["--draws", str(args.draws)])
    load = os.getloadavg()[0]
    print(f"kế hoạch giả lập: {args.products} sản phẩm; kết quả đợt 1, báo cáo đến {as_of.date()}; tải máy {load:.2f}")
    rows, failed = [], []
    for name, cmd in (("plan build", build), ("re-forecast + report", report)):
        wall, code, peaks, tail = run_watched(cmd, paths.ROOT)
        peak = max((b for _, b in peaks), default=0)
        rows.append((name, wall, peak))
        print(f"{name:22s} {wall:7.1f} s   peak process {peak / GB:5.2f} GB   exit {code}")
        if code != 0:
            failed.append(f"{name} failed: {tail}")
    (_, plan_s, _), (_, season_s, season_peak) = rows
    print(f"ratio re-forecast / plan build: {season_s / plan_s:.2f}")
    if not args.small:
        if season_s > TARGET_S:
            failed.append(f"re-forecast {season_s:.1f} s > {TARGET_S:.0f} s")
        if season_peak > TARGET_BYTES:
            failed.append(f"re-forecast peak {season_peak / GB:.2f} GB > 4 GB")
    for line in failed:
        print("FAIL:", line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

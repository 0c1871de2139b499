"""Scenario comparison speed: scenarios per second of a sweep (envelope × rule) at 1× and 10× scale.

Baseline, measured in the same run: one scenario computed from scratch in this process
(``compute.compute``), which is what a separate build per scenario pays at least. The sweep runs
through ``compare.compare`` on the default process pool (one worker per core), where scenarios that
share the Monte Carlo go to one worker and its Model cache computes it once.

The 10× plan is made here by replicating the default plan's products, organisations and requests ten
times with new ids (targets, budget lines and stock target scaled to match): ``python -m ocop_helpers
synth`` (branch ``scale``) was not on main when this was written.

    .venv/bin/python benchmarks/bench_compare.py [--envelopes 25] [--rules 8] [--draws 10000]
        [--times 10] [--scale-envelopes 5] [--scale-rules 4] [--scale-draws 2000]
    .venv/bin/python benchmarks/bench_compare.py --small   # demo plan, 2x2 sweep, 200 draws, x2 replica
"""

from __future__ import annotations

import argparse
import csv
import shutil
import tempfile
import time
from pathlib import Path

import yaml

from ocop_helpers.core import paths
from ocop_helpers.inputs import loading
from ocop_helpers.model import compute
from ocop_helpers.model.params import Params, specs
from ocop_helpers.runs import compare
from ocop_helpers.runs.sweep import Sweep

RULES = specs()["rule"].choices
# --small: the same two sweeps on the tiny demo plan, to check in seconds that the benchmark still runs.
SMALL = {
    "plan": str(paths.ROOT / "tests" / "fixtures" / "plans" / "demo" / "2027"),
    "envelopes": 2,
    "rules": 2,
    "draws": 200,
    "times": 2,
    "scale_envelopes": 2,
    "scale_rules": 1,
    "scale_draws": 200,
}


def replicate(source: Path, target: Path, times: int) -> Path:
    """A plan folder with every product, organisation and request repeated ``times`` times."""
    shutil.copytree(source, target)

    def rows(name: str) -> list[dict[str, str]]:
        with (source / name).open(encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    def write(name: str, out: list[dict[str, str]]) -> None:
        with (target / name).open("w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(out[0]), lineterminator="\n")
            w.writeheader()
            w.writerows(out)

    for name, ids in (
        ("products.csv", ("product_id", "organisation_id")),
        ("organisations.csv", ("organisation_id",)),
        ("requests.csv", ("request_id", "organisation_id", "product_id")),
    ):
        out = []
        for k in range(times):
            for r in rows(name):
                out.append({**r, **{c: f"{r[c]}-x{k}" if r[c] else "" for c in ids}})
        write(name, out)
    write(
        "budget_lines.csv",
        [{**r, "amount_vnd": str(int(r["amount_vnd"]) * times)} for r in rows("budget_lines.csv")],
    )
    meta = yaml.safe_load((source / "plan.yaml").read_text(encoding="utf-8"))
    for key in ("new", "reevaluation", "upgrade", "total", "organisations_branding", "budget_total_vnd"):
        meta["targets"][key] *= times
    start = int([r for r in rows("history.csv") if r["date"] < f"{meta['year']}-01-01"][-1]["total"])
    meta["targets"]["stock_target"] = start + (meta["targets"]["stock_target"] - start) * times
    (target / "plan.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    return target


def run(plan_dir: Path, envelopes: int, rules: int, draws: int, label: str) -> None:
    plan = loading.load_plan(plan_dir)
    branding = compute.planned_line(plan, "branding")
    t0 = time.perf_counter()
    compute.compute(plan, Params({"draws": draws}))
    single = time.perf_counter() - t0
    low, high = int(branding * 0.6), int(branding * 1.2)
    sweeps = [
        Sweep("envelope_vnd", tuple(low + (high - low) * i // (envelopes - 1) for i in range(envelopes)), True),
        Sweep("rule", RULES[:rules]),
    ]
    items = compare.scenarios(plan, [], sweeps, {"draws": str(draws)})
    t0 = time.perf_counter()
    result = compare.compare(plan, items, sweeps, show_progress=False)
    seconds = time.perf_counter() - t0
    n = len(items)
    print(
        f"{label}: {len(plan.products)} products, {n} scenarios ({envelopes} envelopes x {rules} rules), "
        f"draws={draws}, {result.workers} workers"
    )
    print(f"  one scenario from scratch (baseline): {single:.2f} s  -> {1 / single:.2f} scenarios/s")
    print(f"  sweep: {seconds:.1f} s  -> {n / seconds:.2f} scenarios/s  ({single * n / seconds:.1f}x the baseline)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plan", default=str(paths.DEFAULT_PLAN_DIR))
    ap.add_argument("--envelopes", type=int, default=25)
    ap.add_argument("--rules", type=int, default=8)
    ap.add_argument("--draws", type=int, default=specs()["draws"].default)
    ap.add_argument("--times", type=int, default=10, help="replicas of the plan in the scaled sweep")
    ap.add_argument("--scale-envelopes", type=int, default=5, help="envelopes of the scaled sweep")
    ap.add_argument("--scale-rules", type=int, default=4, help="rules of the scaled sweep")
    ap.add_argument("--scale-draws", type=int, default=2000, help="Monte Carlo draws of the scaled sweep")
    ap.add_argument("--small", action="store_true", help=f"overrides the sizes with {SMALL}")
    args = ap.parse_args()
    if args.small:
        vars(args).update(SMALL)
    source = Path(args.plan)
    run(source, args.envelopes, args.rules, args.draws, "1x")
    with tempfile.TemporaryDirectory() as tmp:
        big = replicate(source, Path(tmp) / f"plan-{args.times}x" / source.name, args.times)
        run(big, args.scale_envelopes, args.scale_rules, args.scale_draws, f"{args.times}x (replicated plan)")


if __name__ == "__main__":
    main()

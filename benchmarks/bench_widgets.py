"""What a planner waits for after moving a control, measured in the same run against a baseline.

- compute: the chosen rule's allocation + metrics (what the allocation panel recomputes);
- redraw: the whole panel update through the Workbench (compute, tables, SVG charts by vl-convert);
- baseline: recomputing every rule and the MILP (what a naive panel would do on each change).

    .venv/bin/python benchmarks/bench_widgets.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import statistics
import time

from ocop_helpers import allocation, io, params, paths, report, views, widgets


def median_ms(fn, repeat: int) -> float:
    fn()  # warm-up (first vl-convert call starts its JavaScript engine)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    report.setup_notebook()
    plan = io.load_plan(paths.DEFAULT_PLAN_DIR)
    P = params.Params({})
    _, orgs = views.branding_claims(plan, P)
    env = views.envelope(plan, P)
    ap_ = views.allocation_params(P)

    compute = median_ms(lambda: allocation.metrics(allocation.allocate(orgs, env, "priority", ap_), env), args.repeat)
    baseline = median_ms(lambda: allocation.compare_rules(orgs, env, params=ap_), args.repeat)
    bench = widgets.Workbench(P)
    box = bench.panel(views.ALLOCATION.controls(plan), lambda p: views.ALLOCATION.render(plan, p), "")
    slider = next(w for w in box.children[0].children if "ocop-ctl-envelope_vnd" in w._dom_classes)
    values = iter([4.0 + 0.1 * (i % 20) for i in range(10 * args.repeat)])
    redraw = median_ms(lambda: setattr(slider, "value", next(values)), args.repeat)
    print(f"{'widget change: compute (allocate + metrics)':48} {compute:8.1f} ms   (target < 50 ms)")
    print(f"{'widget change: full panel redraw incl. SVG':48} {redraw:8.1f} ms")
    print(f"{'baseline: every rule + MILP per change':48} {baseline:8.1f} ms   ratio {baseline / compute:6.1f}x")


if __name__ == "__main__":
    main()

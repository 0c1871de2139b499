"""What a planner waits for after moving a control, measured in the same run against a baseline.

- per panel change: the model recomputes the stages that depend on the changed parameter (cached by
  parameter subset) and the Workbench redraws every panel whose figures changed (tables, SVG charts);
- baseline: computing the whole scenario from scratch (what the panels did before the shared model).

    .venv/bin/python benchmarks/bench_widgets.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import statistics
import time

from ocop_helpers import compute, io, panels, params, paths, report, widgets


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
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    report.setup_notebook()
    plan = io.load_plan(paths.DEFAULT_PLAN_DIR)
    P = params.Params({})
    baseline = median_ms(lambda: compute.compute(plan, P), args.repeat)
    print(f"{'baseline: whole scenario from scratch':52} {baseline:8.1f} ms")
    cases = {
        "products": (
            [panels.STREAMS, panels.BREAKDOWNS, panels.STOCK, panels.CALENDAR, panels.EXPIRY],
            [("pass_rate_new", [35, 45]), ("products_per_session", [25, 35]), ("unit_filter", None)],
        ),
        "budget": (
            [panels.BUDGET_LINES, panels.CLAIMS, panels.ALLOCATION, panels.COMPARISON, panels.RISKS],
            [
                ("rule", ["proportional", "priority"]),
                ("weight_star", [2.0, 1.0]),
                ("envelope_vnd", [4.5, 4.0]),
                ("pass_rate_new", [35, 45]),
                ("co_financing_share", [40, 50]),
            ],
        ),
    }
    for notebook, (shown, changes) in cases.items():
        bench = widgets.Workbench(plan, P)
        boxes = [bench.panel(p) for p in shown]
        controls = {}
        for box in boxes:
            controls.update(_controls(box))
        for name, values in changes:
            widget = controls[name]
            cycle = iter((values or [o[1] for o in widget.options][1:3]) * (2 * args.repeat + 2))
            t = median_ms(lambda widget=widget, cycle=cycle: setattr(widget, "value", next(cycle)), args.repeat)
            print(
                f"{f'{notebook}: change {name} (recompute + redraw)':52} {t:8.1f} ms   "
                f"baseline/this {baseline / t:5.1f}x   (target < 300 ms)"
            )


def _controls(box) -> dict:
    found = {}
    for cls in getattr(box, "_dom_classes", ()):
        if cls.startswith("ocop-ctl-"):
            found[cls[len("ocop-ctl-") :]] = box
    for child in getattr(box, "children", ()):
        found.update(_controls(child))
    return found


if __name__ == "__main__":
    main()

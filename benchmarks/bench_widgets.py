"""What a planner waits for after changing each control, measured against a baseline in the same run.

- per control: the value is changed the way a planner does (text typed in a money or share box, a
  slider moved, an option chosen) on the Workbench of its notebook; the model recomputes the stages
  that depend on the parameter (cached by parameter subset; every repeat uses a value not seen before,
  so the cache does not hide the work) and every panel whose figures changed is redrawn (tables, SVG
  charts). The time is the whole synchronous handler: what the kernel is busy for.
- baseline: computing the whole scenario from scratch (what the panels did before the shared model).

Controls over 0,3 s are flagged: the Lab greys the panels and shows "Đang tính lại…" for them.

    .venv/bin/python benchmarks/bench_widgets.py [--repeat 3] [--only draws,rule] [--plan DIR] [--draws N]
    .venv/bin/python benchmarks/bench_widgets.py --small   # 7 controls, one change each, demo plan, 200 draws
"""

from __future__ import annotations

import argparse
import statistics
import time
from decimal import Decimal
from pathlib import Path

from ocop_helpers.core import paths
from ocop_helpers.inputs import loading
from ocop_helpers.lab import controls, panels, workbench
from ocop_helpers.model import compute, params
from ocop_helpers.render import notebook as display

THRESHOLD_MS = 300
# --small: one control of each kind (percent, int, choice, billion, million, float, int_text), one fresh
# value each, on the tiny demo plan with few Monte Carlo draws.
SMALL_PLAN = paths.ROOT / "tests" / "fixtures" / "plans" / "demo" / "2027"
SMALL_DRAWS = 200
SMALL_CONTROLS = "pass_rate_new,products_per_session,routing,envelope_vnd,item_cap_vnd,weight_star,seed"
NOTEBOOK_PANELS = {
    "10-product-targets": [panels.STREAMS, panels.BREAKDOWNS, panels.STOCK, panels.CALENDAR, panels.EXPIRY],
    "20-budget-allocation": [panels.BUDGET_LINES, panels.CLAIMS, panels.ALLOCATION, panels.COMPARISON, panels.RISKS],
}


def _comma(x: float) -> str:
    text = format(Decimal(str(round(x, 6))), "f")
    return (text.rstrip("0").rstrip(".") if "." in text else text).replace(".", ",")


def fresh_values(control: controls.Control, widget, n: int, budget_vnd: int) -> list:
    """``n`` different values for a control, none equal to its current one.

    Amounts in billions start at 3 tỷ in steps of 0,1 (the default plan's 20,9 tỷ budget), or at a
    fifth of a smaller plan's budget in steps of a thirtieth of that, so no line exceeds the total."""
    if control.display == "percent":
        return [f"{30 + i}%" for i in range(n)]
    if control.display == "billion":
        base = min(3.0, budget_vnd / 1e9 / 5)
        return [_comma(round(base + base / 30 * (i + 1), 3)) for i in range(n)]
    if control.display == "million":
        return [str(20 + 5 * i) for i in range(n)]
    if control.display == "int":
        return [min(int(control.maximum), int(widget.value) + i + 1) for i in range(n)]
    if control.display == "float":
        return [round(min(control.maximum, widget.value + 0.05 * (i + 1)), 2) for i in range(n)]
    if control.display == "int_text":
        return [int(widget.value) + i + 1 for i in range(n)]
    options = [v for _, v in control.options if v != widget.value]
    if len(options) >= n:
        return options[:n]
    return [options[i // 2 % len(options)] if i % 2 == 0 else widget.value for i in range(n)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", default="", help="comma-separated parameter names")
    ap.add_argument("--plan", type=Path, default=paths.DEFAULT_PLAN_DIR)
    ap.add_argument("--draws", type=int, help="Monte Carlo draws (default: the parameter's default)")
    ap.add_argument(
        "--small",
        action="store_true",
        help=f"the demo plan ({SMALL_PLAN.relative_to(paths.ROOT)}), {SMALL_DRAWS} draws, one change of each "
        f"control in --only (default {SMALL_CONTROLS})",
    )
    args = ap.parse_args()
    if args.small:
        args.plan, args.repeat, args.draws = SMALL_PLAN, 1, args.draws or SMALL_DRAWS
        args.only = args.only or SMALL_CONTROLS
    only = {x for x in args.only.split(",") if x}
    display.setup_notebook()
    plan = loading.load_plan(args.plan)
    P = params.Params({"draws": args.draws} if args.draws else {})
    budget = plan.targets.budget_total_vnd
    if args.plan != paths.DEFAULT_PLAN_DIR or args.draws:
        print(f"plan: {args.plan}  draws: {P.draws}")
    t0 = time.perf_counter()
    compute.compute(plan, P)  # warm-up
    baseline = statistics.median(
        [(lambda t: (compute.compute(plan, P), time.perf_counter() - t)[1])(time.perf_counter()) for _ in range(3)]
    )
    print(f"{'baseline: whole scenario from scratch':58} {1000 * baseline:8.0f} ms")
    slow: list[str] = []
    for notebook, shown in NOTEBOOK_PANELS.items():
        bench = workbench.Workbench(plan, P)
        boxes = [bench.panel(p) for p in shown]
        controls = {c.name: c for p in shown for c in p.controls(plan)}
        found: dict = {}
        for box in boxes:
            found.update(_controls(box))
        for name, control in controls.items():
            if only and name not in only:
                continue
            widget = found[name]
            original = widget.value
            times = []
            for value in fresh_values(control, widget, args.repeat, budget):
                t = time.perf_counter()
                widget.value = value
                times.append(1000 * (time.perf_counter() - t))
                errors = [st.msg.value for st in bench._panels if "ocop-msg-error" in st.msg.value]
                if errors:
                    raise SystemExit(f"{name} = {value!r} was refused: {errors[0]}")
            widget.value = original
            values = fresh_values(control, widget, args.repeat, budget)
            # Too few options for fresh values: the first change is the work, repeats come from the cache.
            ms = times[0] if len(set(map(str, values))) < len(values) else statistics.median(times)
            flag = "  > 0,3 s" if ms > THRESHOLD_MS else ""
            if flag:
                slow.append(f"{notebook}:{name}")
            print(f"{f'{notebook}: {name}':58} {ms:8.0f} ms   baseline/this {1000 * baseline / ms:5.1f}x{flag}")
    print(f"controls over {THRESHOLD_MS} ms on this plan: {', '.join(slow) or 'none'}")
    print(f"(total {time.perf_counter() - t0:.0f} s)")


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

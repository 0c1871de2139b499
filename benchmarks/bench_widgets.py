"""What a planner waits for after changing each control: the first answer and the refined one, on
the default plan and at the national synthetic size, against a baseline measured in the same run.

- per control: the value is changed the way a planner does (text typed in a money or share box, a
  slider moved, an option chosen) on the Workbench of its notebook (refine="manual": the same steps
  as in JupyterLab, run synchronously so they can be timed). *first*: until every panel that can
  change shows its new figures — the panels reading the Monte Carlo from a preview with fewer draws
  ("Xem trước"), the charts still the last ones, faded and labelled as being redrawn. *refined*:
  until every panel shows the scenario's own draws and its new charts (what the build shows). Every
  repeat uses a value not seen before, so the stage cache does not hide the work.
- baseline: computing the whole scenario from scratch (what a panel did before the staged model).

Targets: first answer under 0,3 s on the default plan and under 1 s at the national size (18 700
products, 9 600 organisations, made with ``python -m ocop_helpers synth``); slower ones are flagged.

    .venv/bin/python benchmarks/bench_widgets.py [--repeat 3] [--only draws,rule] [--plan DIR] [--draws N]
        [--national DIR | --no-national]
    .venv/bin/python benchmarks/bench_widgets.py --small   # 7 controls, one change each, demo plan, 200 draws
"""

from __future__ import annotations

import argparse
import functools
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from ocop_helpers.core import paths, vnformat
from ocop_helpers.inputs import loading
from ocop_helpers.lab import controls, panels, workbench
from ocop_helpers.model import compute, params
from ocop_helpers.render import notebook as display

print = functools.partial(print, flush=True)  # lines appear as they are measured (long runs)
THRESHOLD_MS = {"default": 300, "national": 1000}
NATIONAL = (18_700, 9_600)  # products, organisations
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
    if control.display in ("int", "float", "int_text"):
        # the box holds Vietnamese text ("10.000", "0,20"): typed as a planner types it
        current = vnformat.parse_number(str(widget.value))
        if control.display == "float":
            values = [round(min(control.maximum, current + 0.05 * (i + 1)), 2) for i in range(n)]
            return [vnformat.number_text(v) for v in values]
        top = int(control.maximum) if control.display == "int" else None
        values = [int(current) + i + 1 for i in range(n)]
        return [vnformat.number_text(v if top is None else min(top, v)) for v in values]
    if control.display == "date":
        return [f"{1 + i}/{6 + i % 6}/{widget.value.rsplit('/', 1)[-1]}" for i in range(n)]
    options = [v for _, v in control.options if v != widget.value]
    if len(options) >= n:
        return options[:n]
    return [options[i // 2 % len(options)] if i % 2 == 0 else widget.value for i in range(n)]


def national_plan(folder: Path) -> Path:
    """Write the national-size synthetic plan into ``folder`` (as benchmarks/bench_scale.py does)."""
    products, organisations = NATIONAL
    subprocess.run(
        [sys.executable, "-m", "ocop_helpers", "synth", "--products", str(products)]
        + ["--organisations", str(organisations), "--out", str(folder), "--seed", "1"],
        check=True,
        cwd=paths.ROOT,
        stdout=subprocess.DEVNULL,
    )
    return folder


def measure(plan_dir: Path, size: str, args: argparse.Namespace, only: set[str], warm_up: bool) -> float:
    """Print the baseline and every control's first and refined answer; return the slowest first (s)."""
    plan = loading.load_plan(plan_dir)
    P = params.Params({"draws": args.draws} if args.draws else {})
    budget = plan.targets.budget_total_vnd
    n = vnformat.number
    print(
        f"== {size}: {plan_dir} — {n(len(plan.products))} sản phẩm, {n(len(plan.organisations))} tổ chức, "
        f"{n(P.draws)} lượt mô phỏng (xem trước: {n(workbench.preview_draws(plan))})"
    )
    if warm_up:
        compute.compute(plan, P)
    runs = 3 if size == "default" and not args.small else 1
    baseline = statistics.median(
        [(lambda t: (compute.compute(plan, P), time.perf_counter() - t)[1])(time.perf_counter()) for _ in range(runs)]
    )
    print(f"{'baseline: whole scenario from scratch':58} {1000 * baseline:8.0f} ms")
    threshold = THRESHOLD_MS[size]
    slow: list[str] = []
    slowest = 0.0
    for notebook, shown in NOTEBOOK_PANELS.items():
        bench = workbench.Workbench(plan, P, refine="manual")
        boxes = [bench.panel(p) for p in shown]
        found: dict = {}
        for box in boxes:
            found.update(_controls(box))
        for name, control in {c.name: c for p in shown for c in p.controls(plan)}.items():
            if only and name not in only:
                continue
            widget = found[name]
            original = widget.value
            firsts, refineds, previews, charts_later = [], [], set(), False
            for value in fresh_values(control, widget, args.repeat, budget):
                t = time.perf_counter()
                widget.value = value
                firsts.append(1000 * (time.perf_counter() - t))
                errors = [st.msg.value for st in bench._panels if "ocop-msg-error" in st.msg.value]
                if errors:
                    raise SystemExit(f"{name} = {value!r} was refused: {errors[0]}")
                if bench.results.params.draws < P.draws:
                    previews.add(bench.results.params.draws)
                charts_later = charts_later or not bench.refined
                bench.wait_refined()
                refineds.append(1000 * (time.perf_counter() - t))
            widget.value = original
            bench.wait_refined()
            values = fresh_values(control, widget, args.repeat, budget)
            # Too few options for fresh values: the first change is the work, repeats come from the cache.
            pick = (lambda xs: xs[0]) if len(set(map(str, values))) < len(values) else statistics.median
            first, refined = pick(firsts), pick(refineds)
            slowest = max(slowest, first)
            flag = f"  > {_comma(threshold / 1000)} s" if first > threshold else ""
            if flag:
                slow.append(f"{notebook}:{name}")
            later = [f"xem trước {vnformat.number(min(previews))} lượt"] if previews else []
            later += ["biểu đồ vẽ sau"] if charts_later else []
            how = f"({', '.join(later) or 'không cần tinh chỉnh'})"
            print(
                f"{f'{notebook}: {name}':58} {first:8.0f} ms   baseline/this {1000 * baseline / first:5.1f}x"
                f"   refined {refined:8.0f} ms {how}{flag}"
            )
    print(f"first answer over {threshold} ms ({size}): {', '.join(slow) or 'none'}")
    return slowest / 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", default="", help="comma-separated parameter names")
    ap.add_argument("--plan", type=Path, default=paths.DEFAULT_PLAN_DIR)
    ap.add_argument("--draws", type=int, help="Monte Carlo draws (default: the parameter's default)")
    ap.add_argument("--national", type=Path, help="a national-size plan folder (default: made in a temp folder)")
    ap.add_argument("--no-national", action="store_true", help="only the default plan")
    ap.add_argument("--national-repeat", type=int, default=1, help="changes per control at the national size")
    ap.add_argument(
        "--small",
        action="store_true",
        help=f"the demo plan ({SMALL_PLAN.relative_to(paths.ROOT)}), {SMALL_DRAWS} draws, one change of each "
        f"control in --only (default {SMALL_CONTROLS}), no national size",
    )
    args = ap.parse_args()
    if args.small:
        args.plan, args.repeat, args.draws = SMALL_PLAN, 1, args.draws or SMALL_DRAWS
        args.only = args.only or SMALL_CONTROLS
        args.no_national = True
    only = {x for x in args.only.split(",") if x}
    display.setup_notebook()
    t0 = time.perf_counter()
    slowest = measure(args.plan, "default", args, only, warm_up=True)
    if not args.no_national:
        with tempfile.TemporaryDirectory(prefix="ocop-national-") as tmp:
            folder = args.national or national_plan(Path(tmp) / "national")
            args.repeat = args.national_repeat
            measure(folder, "national", args, only, warm_up=False)
    print(f"(total {time.perf_counter() - t0:.0f} s)")
    where = "the demo plan (--small)" if args.small else "the default plan"
    print(f"first answer: slowest {_comma(round(slowest, 2))} s on {where}")


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

"""Build speed: the full yearly-plan build against its floor, measured in the same run.

Floor = for each plan notebook, start a kernel and import the libraries the notebooks use (run
through papermill in this process, one after another). The ratio build / floor says how much the
build costs beyond what any papermill run of these notebooks must pay; with two notebooks running
in parallel it can go below 1. Also reports the HTML size (target < 3 MB).

    .venv/bin/python benchmarks/bench_build.py [--plan data/bac-giang/2025] [--repeat 2] [--draws N]
    .venv/bin/python benchmarks/bench_build.py --small   # demo plan, 500 draws, 1 repeat, floor from 1 kernel
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import nbformat
import papermill

from ocop_helpers.core import paths
from ocop_helpers.runs import build

# The plan notebooks' import cell (these four pull in every layer the notebooks use) and the heavy libraries.
IMPORTS = (
    "from ocop_helpers import panels, params, report, widgets\n"
    "import pandas, altair, numpy, scipy.optimize\n"
    "report.setup_notebook()"
)
# --small: a tiny plan and few Monte Carlo draws, to check in seconds that the benchmark still runs.
SMALL_PLAN = paths.ROOT / "tests" / "fixtures" / "plans" / "demo" / "2027"
SMALL_DRAWS = 500


def floor_seconds(notebooks: int, workdir: Path) -> float:
    """Kernel start + imports, once per notebook, sequentially."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(IMPORTS)]
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    src = workdir / "floor.ipynb"
    nbformat.write(nb, src)
    start = time.perf_counter()
    for i in range(notebooks):
        papermill.execute_notebook(
            str(src),
            str(workdir / f"floor-{i}.ipynb"),
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            extra_arguments=build.KERNEL_ARGUMENTS,
        )
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plan", default=str(paths.DEFAULT_PLAN_DIR))
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--draws", type=int, help="Monte Carlo draws of the build (default: the notebooks' default)")
    ap.add_argument(
        "--small",
        action="store_true",
        help=f"the demo plan ({SMALL_PLAN.relative_to(paths.ROOT)}), {SMALL_DRAWS} draws, one repeat, no warm-up, "
        "the floor from one kernel start counted once per notebook",
    )
    args = ap.parse_args()
    if args.small:
        args.plan, args.repeat, args.draws = str(SMALL_PLAN), 1, args.draws or SMALL_DRAWS
    overrides = {"draws": args.draws} if args.draws else None
    notebooks = build.plan_notebooks()
    floors, builds, sizes = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if not args.small:
            floor_seconds(1, work)  # warm the file cache so neither side pays it
        for r in range(args.repeat):
            # --small: one kernel start measured, counted once per notebook
            floors.append(
                floor_seconds(1, work) * len(notebooks) if args.small else floor_seconds(len(notebooks), work)
            )
            t0 = time.perf_counter()
            result = build.build(args.plan, overrides=overrides, out_root=work / f"out-{r}", progress=lambda line: None)
            builds.append(time.perf_counter() - t0)
            sizes.append(result.html.stat().st_size)
            stages = {k: round(v, 2) for k, v in result.timings.items()}
    floor, full = statistics.median(floors), statistics.median(builds)
    draws = f"  draws: {args.draws}" if args.draws else ""
    print(f"plan: {args.plan}  notebooks: {len(notebooks)}  repeats: {args.repeat} (medians){draws}")
    floor_label = f"floor ({'1 ' if args.small else ''}kernel + imports) x notebooks"
    print(f"{floor_label:42} {floor:7.2f} s")
    print(f"{'full build (2 workers, HTML, annex)':42} {full:7.2f} s")
    print(f"{'ratio build / floor':42} {full / floor:7.2f}x   (target <= 1.2x)")
    print(f"{'HTML size':42} {sizes[-1] / 1e6:7.2f} MB  (target < 3 MB)")
    print(f"last build's stages (s): {stages}")


if __name__ == "__main__":
    main()

"""Build speed: the full yearly-plan build against its floor, measured in the same run.

Floor = for each plan notebook, start a kernel and import the libraries the notebooks use (run
through papermill in this process, one after another). The ratio build / floor says how much the
build costs beyond what any papermill run of these notebooks must pay; with two notebooks running
in parallel it can go below 1. Also reports the HTML size (target < 3 MB).

    .venv/bin/python benchmarks/bench_build.py [--plan data/bac-giang/2025] [--repeat 2]
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

IMPORTS = (
    "from ocop_helpers import io, panels, params, report, sections, widgets, summary, charts\n"
    "import pandas, altair, numpy, scipy.optimize\n"
    "report.setup_notebook()"
)


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
    args = ap.parse_args()
    notebooks = build.plan_notebooks()
    floors, builds, sizes = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        floor_seconds(1, work)  # warm the file cache so neither side pays it
        for r in range(args.repeat):
            floors.append(floor_seconds(len(notebooks), work))
            t0 = time.perf_counter()
            result = build.build(args.plan, out_root=work / f"out-{r}", progress=lambda line: None)
            builds.append(time.perf_counter() - t0)
            sizes.append(result.html.stat().st_size)
            stages = {k: round(v, 2) for k, v in result.timings.items()}
    floor, full = statistics.median(floors), statistics.median(builds)
    print(f"plan: {args.plan}  notebooks: {len(notebooks)}  repeats: {args.repeat} (medians)")
    print(f"{'floor (kernel + imports) x notebooks':42} {floor:7.2f} s")
    print(f"{'full build (2 workers, HTML, annex)':42} {full:7.2f} s")
    print(f"{'ratio build / floor':42} {full / floor:7.2f}x   (target <= 1.2x)")
    print(f"{'HTML size':42} {sizes[-1] / 1e6:7.2f} MB  (target < 3 MB)")
    print(f"last build's stages (s): {stages}")


if __name__ == "__main__":
    main()

"""Scale: build synthetic plans of about 190, 1,900 and 18,700 products and report the cost.

For each size (organisations scaled alike: 98, 960, 9,600), a synthetic plan is generated with
``python -m ocop_helpers synth`` into a temporary folder and built with the real command line
(``python -m ocop_helpers build``). Printed per size: wall time; peak resident memory of every
process of the build (the parent and each papermill kernel), found by polling the process tree
with psutil every 0.1 s (a process shorter than that can be missed; the kernels live for seconds);
plan.html / annex.xlsx / plan.docx sizes; the annex write time from the manifest's
``timings_s``; and the growth ratio between consecutive sizes.

The build is being reorganised (notebooks reading one precomputed result), so the parts this
benchmark's owner changed are also measured in isolation at the largest size: the annex writer
(on the products sheet of N and 10·N products: linear means a time ratio near 10), the SVG of
every chart whose data grows with the plan, and the Monte Carlo (time and peak memory in a fresh
process, default 10,000 draws, at every size). The machine's 1-minute load average is printed with
each build: on a shared 2-core machine, a load above 2 means the build did not have the cores to
itself.

Targets at 18,700 products / 9,600 organisations (issue 11): build < 60 s, no process above
4 GB, plan.html < 3 MB, annex written in < 15 s, cost growing no faster than linearly from 10×
to 100× (the MILP optimum excepted).

    .venv/bin/python benchmarks/bench_scale.py [--sizes 190,1870,18700] [--keep DIR] [--draws N] [--no-warm-up]
    .venv/bin/python benchmarks/bench_scale.py --small   # 30 and 100 products, 200 draws, no warm-up

Exits 1 when a build or a part in isolation fails (after printing what it measured).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from ocop_helpers.core import paths

ORGS_PER_PRODUCT = 9600 / 18700
GB = 1024**3
MB = 1024**2
TARGETS = {"wall_s": 60.0, "process_bytes": 4 * GB, "html_bytes": 3 * MB, "annex_s": 15.0}
DRAWS = 10_000  # the Monte Carlo in isolation (the builds use the notebooks' default unless --draws)
# --small: two tiny plans (synth needs about 3 products per unit of the model plan), few draws.
SMALL = {"sizes": "30,100", "draws": 200}


@dataclass
class Run:
    """What one build cost."""

    products: int
    organisations: int
    wall_s: float
    ok: bool
    processes: list[tuple[str, int]] = field(default_factory=list)  # (role, peak RSS bytes)
    html_bytes: int = 0
    annex_bytes: int = 0
    docx_bytes: int = 0
    annex_s: float | None = None
    timings: dict[str, float] = field(default_factory=dict)
    error: str = ""
    load: float = 0.0  # 1-minute load average at the end of the build (2 cores: above 2 = shared)


def _role(proc: psutil.Process, parent_pid: int) -> str:
    try:
        cmd = " ".join(proc.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return "?"
    if proc.pid == parent_pid:
        return "build"
    if "ipykernel" in cmd:
        return "kernel"
    return "other"


def run_watched(cmd: list[str], cwd: Path, poll_s: float = 0.1) -> tuple[float, int, list[tuple[str, int]], str]:
    """Run ``cmd``; return (wall seconds, exit code, [(role, peak RSS)] per process, stderr tail)."""
    peaks: dict[int, tuple[str, int]] = {}
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
        root = psutil.Process(proc.pid)
        while proc.poll() is None:
            try:
                tree = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                tree = []
            for p in tree:
                try:
                    rss = p.memory_info().rss
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
                role, best = peaks.get(p.pid, (_role(p, proc.pid), 0))
                peaks[p.pid] = (role, max(best, rss))
            time.sleep(poll_s)
        wall = time.perf_counter() - start
        err.seek(0)
        tail = err.read().decode("utf-8", "replace")[-600:]
    return wall, proc.returncode, sorted(peaks.values(), key=lambda x: (x[0] != "build", -x[1])), tail


def synth(products: int, folder: Path) -> int:
    """Write a synthetic plan of ``products`` products; returns its number of organisations."""
    organisations = max(2, round(products * ORGS_PER_PRODUCT))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "ocop_helpers",
            "synth",
            "--products",
            str(products),
            "--organisations",
            str(organisations),
            "--out",
            str(folder),
            "--seed",
            "1",
        ],
        check=True,
        cwd=paths.ROOT,
        stdout=subprocess.DEVNULL,
    )
    return organisations


def build_once(products: int, work: Path, draws: int | None = None) -> Run:
    work.mkdir(parents=True, exist_ok=True)
    plan = work / f"plan-{products}"
    organisations = synth(products, plan)
    out = work / f"out-{products}"
    settings = ["--set", f"draws={draws}"] if draws else []
    wall, code, procs, tail = run_watched(
        [sys.executable, "-m", "ocop_helpers", "build", "--plan", str(plan), "--out", str(out), *settings], paths.ROOT
    )
    run = Run(products, organisations, wall, code == 0, procs, error="" if code == 0 else tail)
    run.load = os.getloadavg()[0]
    built = next(out.glob("*/*/*/manifest.json"), None)
    if built is not None:
        folder = built.parent
        manifest = json.loads(built.read_text(encoding="utf-8"))
        run.timings = manifest.get("timings_s", {})
        run.annex_s = run.timings.get("annex")
        for name, attr in (("plan.html", "html_bytes"), ("annex.xlsx", "annex_bytes"), ("plan.docx", "docx_bytes")):
            if (folder / name).exists():
                setattr(run, attr, (folder / name).stat().st_size)
    return run


# ----------------------------------------------------------------------------- parts in isolation

ISOLATED = r"""
import json, resource, sys, time
from pathlib import Path
from ocop_helpers.domain import labels
from ocop_helpers.inputs import loading

plan_dir, what, draws = sys.argv[1], sys.argv[2], int(sys.argv[3])
plan = loading.load_plan(plan_dir)
out = {}
if what == "simulation":
    from ocop_helpers.domain import claims, simulation

    norms = plan.norms_in_force()
    items = claims.item_claims(plan.requests, plan.products, plan.organisations, norms)
    orgs = claims.organisation_claims(items)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    t = time.perf_counter()
    sim = simulation.simulate(items, orgs, plan.products, norms, plan.budget_lines,
                              plan_total_vnd=plan.targets.budget_total_vnd,
                              params=simulation.SimulationParams(draws=draws))
    out = {"seconds": time.perf_counter() - t, "draws": sim.params.draws, "organisations": len(orgs),
           "items": len(items), "rss_before": before,
           "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}
elif what == "annex":
    import tempfile
    from ocop_helpers.document import annex, registry
    from ocop_helpers.model import compute, params
    from ocop_helpers.render import xlsx

    # the products sheet as the build makes it (named by the registry); it reads the plan only, so a
    # lazy view computes nothing else
    entry = next(e for e in registry.ANNEX if e.build is annex.products_sheet)
    sheet = entry.build(compute.Model(plan).lazy(params.Params({})), entry.name)
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        xlsx.write_annex(Path(tmp) / "a.xlsx", [sheet])
        out = {"seconds": time.perf_counter() - t, "rows": len(sheet.frame)}
elif what == "charts":
    import vl_convert as vlc
    from ocop_helpers.document import charts
    from ocop_helpers.domain import allocation, claims, simulation, targets

    norms = plan.norms_in_force()
    items = claims.item_claims(plan.requests, plan.products, plan.organisations, norms)
    orgs = claims.organisation_claims(items)
    orgs = orgs.merge(plan.units[["unit_id", "unit_name"]], on="unit_id", how="left")
    envelope = int(plan.budget_lines.set_index("line")["amount_vnd"].get("branding", 0))
    long, table = allocation.compare_rules(orgs, envelope)
    long = long.assign(rule_label=long["rule"].map(labels.allocation_rule))
    four = long[long["rule"].isin(["priority", "proportional", "equal_awards", "equal_losses"])]
    cov = long.groupby(["unit_name", "rule_label"])[["claim_vnd", "granted_vnd"]].sum().reset_index()
    cov["funded_share"] = cov["granted_vnd"] / cov["claim_vnd"]
    status = long.groupby(["rule_label", "status"]).size().rename("organisations").reset_index()
    status["status_label"] = status["status"].map(labels.FUNDING_STATUS).fillna(status["status"]).astype("str")
    sim = simulation.simulate(items, orgs, plan.products, norms, plan.budget_lines,
                              params=simulation.SimulationParams(draws=min(draws, 2000)))
    rule_cov = sim.rule_summary.query("metric == 'weighted_coverage'").assign(rule_label=lambda f: f["rule"])
    interval = sim.line_summary.assign(label=sim.line_summary["line"])
    made = {
        "unit_stream_chart": charts.unit_stream_chart(targets.by_unit(plan.products, plan.units)),
        "grants_by_organisation_chart": charts.grants_by_organisation_chart(four),
        "coverage_by_unit_chart": charts.coverage_by_unit_chart(cov),
        "funding_status_chart": charts.funding_status_chart(status),
        "simulation_histogram_chart": charts.simulation_histogram_chart(sim.line_draws, "total", sim.plan_total_vnd),
        "simulation_interval_chart": charts.simulation_interval_chart(interval),
        "rule_coverage_chart": charts.rule_coverage_chart(rule_cov),
    }
    for name, chart in made.items():
        spec = charts.style(chart).to_dict()
        rows = sum(len(v) for v in spec.get("datasets", {}).values())
        out[name] = {"svg_bytes": len(vlc.vegalite_to_svg(spec).encode("utf-8")), "data_rows": rows}
print(json.dumps(out))
"""


def isolated(plan: Path, what: str, draws: int = DRAWS) -> dict:
    """Run one isolated measurement in a fresh Python (its own peak memory)."""
    done = subprocess.run(
        [sys.executable, "-c", ISOLATED, str(plan), what, str(draws)],
        cwd=paths.ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        print(f"part in isolation '{what}' on {plan.name} failed:\n{done.stderr[-3000:]}", file=sys.stderr)
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------- report


def _mb(n: float) -> str:
    return f"{n / MB:,.1f} MB"


def _ok(flag: bool) -> str:
    return "met" if flag else "NOT met"


def report(runs: list[Run], parts: dict) -> None:
    print("\n## Full build (python -m ocop_helpers build), one run per size\n")
    print(
        "| products / organisations | wall | peak per process (role: RSS) | plan.html | annex.xlsx | plan.docx "
        "| annex write | load avg |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in runs:
        procs = ", ".join(f"{role} {_mb(rss)}" for role, rss in r.processes)
        annex = "–" if r.annex_s is None else f"{r.annex_s:.2f} s"
        docx = _mb(r.docx_bytes) if r.docx_bytes else "–"
        status = "" if r.ok else " (FAILED)"
        print(
            f"| {r.products:,} / {r.organisations:,}{status} | {r.wall_s:.1f} s | {procs} | {_mb(r.html_bytes)} "
            f"| {_mb(r.annex_bytes)} | {docx} | {annex} | {r.load:.1f} |"
        )
    for r in runs:
        if not r.ok:
            print(f"\nbuild of {r.products} products failed:\n{r.error}")
    print("\n## Growth between consecutive sizes\n")
    print("| from → to | wall | largest process | plan.html | annex.xlsx | annex write |")
    print("|---|---|---|---|---|---|")
    for a, b in zip(runs, runs[1:], strict=False):

        def ratio(x: float | None, y: float | None) -> str:
            return f"{y / x:.2f}×" if x and y else "–"

        peak_a = max((rss for _, rss in a.processes), default=0)
        peak_b = max((rss for _, rss in b.processes), default=0)
        print(
            f"| {a.products:,} → {b.products:,} | {ratio(a.wall_s, b.wall_s)} | {ratio(peak_a, peak_b)} "
            f"| {ratio(a.html_bytes, b.html_bytes)} | {ratio(a.annex_bytes, b.annex_bytes)} "
            f"| {ratio(a.annex_s, b.annex_s)} |"
        )
    big = runs[-1]
    peak = max((rss for _, rss in big.processes), default=0)
    print(f"\n## Targets at {big.products:,} products / {big.organisations:,} organisations\n")
    print(f"- full build < 60 s: {big.wall_s:.1f} s — {_ok(big.ok and big.wall_s < TARGETS['wall_s'])}")
    print(f"- no process above 4 GB: largest {_mb(peak)} — {_ok(peak < TARGETS['process_bytes'])}")
    print(f"- plan.html < 3 MB: {_mb(big.html_bytes)} — {_ok(0 < big.html_bytes < TARGETS['html_bytes'])}")
    if big.annex_s is not None:
        print(f"- annex written < 15 s: {big.annex_s:.2f} s — {_ok(big.annex_s < TARGETS['annex_s'])}")
    if len(runs) >= 3:
        first, mid = runs[-3], runs[-2]
        lin = (big.wall_s / mid.wall_s) if mid.wall_s else float("inf")
        print(
            f"- cost growing no faster than linearly: wall ×{mid.wall_s / first.wall_s:.2f} for 10×, "
            f"×{big.wall_s / first.wall_s:.2f} for 100× (linear: 10× and 100×) — {_ok(lin <= 10.0)}"
        )
    print("\n## Parts in isolation\n")
    annex = parts.get("annex", {})
    if "small" in annex and "large" in annex and "seconds" in annex["small"]:
        s, lg = annex["small"], annex["large"]
        print(
            f"- annex writer, products sheet: {s['rows']:,} rows {s['seconds']:.2f} s, {lg['rows']:,} rows "
            f"{lg['seconds']:.2f} s: ×{lg['seconds'] / s['seconds']:.1f} for ×{lg['rows'] / s['rows']:.0f} rows "
            "(linear: the time ratio near the rows ratio)"
        )
    sim = parts.get("simulation", {})
    if "seconds" in sim:
        print(
            f"- Monte Carlo, {sim['draws']:,} draws × {sim['organisations']:,} organisations × {sim['items']:,} items: "
            f"{sim['seconds']:.1f} s, peak {_mb(sim['peak_rss'])} (process before the run: {_mb(sim['rss_before'])})"
        )
    elif sim:
        print(f"- Monte Carlo: {sim}")
    series = [*parts.get("simulation_sizes", []), sim]
    series = [x for x in series if "seconds" in x]
    if len(series) > 1:
        steps = ", ".join(
            f"{a['organisations']:,} → {b['organisations']:,} organisations: time ×{b['seconds'] / a['seconds']:.1f}, "
            f"peak ×{b['peak_rss'] / a['peak_rss']:.2f}"
            for a, b in zip(series, series[1:], strict=False)
        )
        print(f"- Monte Carlo growth (same draws): {steps}")
    chart_sizes = parts.get("charts", {})
    if chart_sizes and "error" not in chart_sizes:
        print("\n| chart (largest size) | SVG | rows of data in the spec |")
        print("|---|---|---|")
        for name, v in chart_sizes.items():
            print(f"| {name} | {v['svg_bytes'] / 1024:,.0f} KB | {v['data_rows']} |")
    elif chart_sizes:
        print(f"- charts: {chart_sizes}")


def failures(runs: list[Run], parts: dict) -> list[str]:
    """What failed: the builds, and the parts in isolation that returned an error."""
    failed = [f"build of {r.products} products" for r in runs if not r.ok]
    checked = {
        "annex (smaller plan)": parts["annex"]["small"],
        "annex (largest plan)": parts["annex"]["large"],
        "simulation": parts["simulation"],
        "charts": parts["charts"],
        **{f"simulation (smaller plan {i + 1})": x for i, x in enumerate(parts["simulation_sizes"])},
    }
    return failed + [f"part in isolation: {name}" for name, x in checked.items() if "error" in x]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="190,1870,18700", help="products per plan, comma separated, ascending")
    ap.add_argument("--keep", type=Path, help="keep the plans and outputs in this folder")
    ap.add_argument("--no-build", action="store_true", help="only the parts in isolation")
    ap.add_argument("--no-warm-up", action="store_true", help="skip the untimed first build")
    ap.add_argument("--draws", type=int, help=f"Monte Carlo draws of the builds and in isolation (default {DRAWS:,})")
    ap.add_argument(
        "--small", action="store_true", help=f"{SMALL['sizes']} products, {SMALL['draws']} draws, no warm-up"
    )
    args = ap.parse_args()
    if args.small:
        args.sizes, args.draws, args.no_warm_up = SMALL["sizes"], args.draws or SMALL["draws"], True
    sizes = [int(s) for s in args.sizes.split(",")]
    draws = args.draws or DRAWS
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        runs = []
        if not args.no_build:
            if not args.no_warm_up:
                # one untimed build first: the first papermill run of a session pays cold caches
                build_once(sizes[0], work / "warm-up", args.draws)
            for products in sizes:
                run = build_once(products, work, args.draws)
                print(f"built {products:,} products: {run.wall_s:.1f} s{'' if run.ok else ' FAILED'}", flush=True)
                runs.append(run)
        largest = work / f"plan-{sizes[-1]}"
        if not largest.exists():
            synth(sizes[-1], largest)
        smaller = work / f"plan-{sizes[-2]}" if len(sizes) > 1 else largest
        if not smaller.exists():
            synth(sizes[-2], smaller)
        parts = {
            "annex": {"small": isolated(smaller, "annex"), "large": isolated(largest, "annex")},
            "simulation": isolated(largest, "simulation", draws),
            "simulation_sizes": [
                isolated(work / f"plan-{n}", "simulation", draws) for n in sizes[:-1] if (work / f"plan-{n}").exists()
            ],
            "charts": isolated(largest, "charts", draws),
        }
        if runs:
            report(runs, parts)
        else:
            report_parts_only(parts)
    failed = failures(runs, parts)
    if failed:
        print(f"\nFAILED: {'; '.join(failed)}")
        return 1
    return 0


def report_parts_only(parts: dict) -> None:
    """The isolated measurements alone (``--no-build``)."""
    print(json.dumps(parts, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())

"""Speed of the allocation rules, the Monte Carlo workload and the MILP, against plain baselines.

Run from the repository root::

    .venv/bin/python benchmarks/bench_allocation.py            # full run (~1–2 min, baselines included)
    .venv/bin/python benchmarks/bench_allocation.py --baseline-draws 1000   # faster, baselines scaled
    .venv/bin/python benchmarks/bench_allocation.py --small    # seconds: 153 / 2,000 organisations, 500 draws

Everything is measured in this run on the same seeded instance: claims like Bắc Giang's 153
organisations (lognormal around 43 M đồng, 10–200 M), priority weights 3–8, an envelope of 78% of
the claims; the Monte Carlo multiplies each claim by a lognormal cost factor (10,000 draws).
Baselines: (a) straightforward pure-Python loops of the same rule, draw by draw; (b) pabutools'
``greedy_utilitarian_welfare`` draw by draw on the same costs (skipped when pabutools is missing).
Times are medians of repeats; sub-millisecond figures vary ~2× on a shared 2-core machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ocop_helpers.domain import allocation as al

SEED = 153
SIZES = (153, 5_000, 50_000)
DRAWS = 10_000
MILP_SIZES = (153, 5_000)
# --small: the same sections on tiny sizes, each timing from 3 calls (the targets are for the full run).
SMALL_SIZES = (153, 2_000)
SMALL_DRAWS = 500
SMALL_BASELINE_DRAWS = 100
SMALL_MILP_SIZES = (153,)
QUICK = False  # set by --small: timeit stops after 3 calls


def instance(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, int]:
    """Claims (whole đồng), priority weights and envelope for ``n`` organisations."""
    claims = np.rint(np.clip(rng.lognormal(np.log(43e6), 0.35, n), 10e6, 200e6))
    weights = rng.integers(3, 9, n).astype(float)
    return claims, weights, int(0.78 * claims.sum())


def timeit(fn: Callable[[], object], min_total: float = 0.2, max_repeats: int = 25) -> float:
    """Median seconds per call; repeats until ``min_total`` seconds (at least 3 calls)."""
    fn()
    times: list[float] = []
    if QUICK:
        min_total = 0.0
    while len(times) < 3 or (sum(times) < min_total and len(times) < max_repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:8.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:8.2f} ms"
    return f"{seconds:8.2f} s "


# ---------------------------------------------------------------- pure-Python baselines (one draw)


def py_cea(claims: list[float], envelope: float) -> list[float]:
    """Constrained equal awards, the obvious way: raise the common ceiling claim by claim."""
    order = sorted(range(len(claims)), key=claims.__getitem__)
    left, rest = envelope, len(claims)
    out = [0.0] * len(claims)
    lam = None
    for i in order:
        if lam is None and claims[i] * rest > left:
            lam = left / rest
        if lam is None:
            out[i] = claims[i]
            left -= claims[i]
            rest -= 1
        else:
            out[i] = min(claims[i], lam)
    return out


def py_cea_bisection(claims: list[float], envelope: float, tol: float = 1e-3) -> list[float]:
    """Constrained equal awards straight from its definition: bisection on λ in Σ min(c_i, λ) = E."""
    if sum(claims) <= envelope:
        return list(claims)
    lo, hi = 0.0, max(claims)
    while hi - lo > tol:
        mid = (lo + hi) / 2
        if sum(min(c, mid) for c in claims) < envelope:
            lo = mid
        else:
            hi = mid
    lam = (lo + hi) / 2
    return [min(c, lam) for c in claims]


def py_proportional(claims: list[float], envelope: float) -> list[float]:
    total = sum(claims)
    f = min(1.0, envelope / total) if total else 1.0
    return [c * f for c in claims]


def py_priority(claims: list[float], envelope: float, order: list[int]) -> list[float]:
    out = [0.0] * len(claims)
    left = envelope
    for i in order:
        out[i] = min(claims[i], left)
        left -= out[i]
    return out


def py_greedy(claims: list[float], envelope: float, weights: list[float]) -> list[float]:
    order = sorted(range(len(claims)), key=lambda i: -weights[i] / claims[i])
    out = [0.0] * len(claims)
    left = envelope
    for i in order:
        if claims[i] <= left:
            out[i] = claims[i]
            left -= claims[i]
    return out


def pabutools_greedy(claims: np.ndarray, envelope: float, weights: np.ndarray) -> list[int]:
    """pabutools' greedy utilitarian welfare on one draw (instance built from the draw's costs)."""
    from pabutools.election import Additive_Cardinal_Sat, CardinalBallot, CardinalProfile, Instance, Project
    from pabutools.rules import greedy_utilitarian_welfare

    projects = [Project(str(i), cost=int(c)) for i, c in enumerate(claims)]
    inst = Instance(projects, budget_limit=int(envelope))
    profile = CardinalProfile(
        [CardinalBallot({p: int(w) for p, w in zip(projects, weights, strict=False)})], instance=inst
    )
    chosen = greedy_utilitarian_welfare(inst, profile, sat_class=Additive_Cardinal_Sat)
    return sorted(int(p.name) for p in chosen)


def main() -> None:
    global QUICK
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--baseline-draws",
        type=int,
        default=None,
        help=f"draws for the pure-Python and pabutools baselines (scaled to the Monte Carlo's; default {DRAWS:,})",
    )
    parser.add_argument(
        "--small",
        action="store_true",
        help=f"every section on tiny sizes ({', '.join(map(str, SMALL_SIZES))} organisations, {SMALL_DRAWS} draws)",
    )
    args = parser.parse_args()
    QUICK = args.small
    sizes = SMALL_SIZES if args.small else SIZES
    draws = SMALL_DRAWS if args.small else DRAWS
    milp_sizes = SMALL_MILP_SIZES if args.small else MILP_SIZES
    baseline_draws = args.baseline_draws or (SMALL_BASELINE_DRAWS if args.small else DRAWS)
    if args.small:
        print("small mode: tiny sizes, 3 calls per timing; the targets below are for the full run")
    rng = np.random.default_rng(SEED)
    inst = {n: instance(n, rng) for n in sizes}
    rules = list(al.RULES)

    print("\n1. One allocation, each heuristic rule (median time per call)")
    print(f"{'rule':24s}" + "".join(f"{n:>14,d}" for n in sizes))
    single: dict[tuple[str, int], float] = {}
    for name in rules:
        fn = al.RULES[name]
        row = []
        for n in sizes:
            c, w, e = inst[n]
            t = timeit(lambda fn=fn, c=c, e=e, w=w: fn(c, e, weights=w, priority=w))
            single[name, n] = t
            row.append(fmt(t))
        print(f"{name:24s}" + "".join(f"{x:>14s}" for x in row))
    worst = max(single[name, sizes[-1]] for name in rules)
    print(
        f"   slowest rule at {sizes[-1]:,}: {fmt(worst).strip()}"
        f"   (target < 20 ms at 50,000: {'met' if worst < 0.02 else 'NOT met'})"
    )

    print(f"\n2. Monte Carlo: {draws:,} draws × 153 organisations")
    c, w, e = inst[153]
    mult = np.exp(rng.normal(0.0, 0.2, (draws, 153)) + rng.normal(0.0, 0.1, (draws, 1)))
    cd = c * mult
    unit_codes = rng.integers(0, 10, 153)
    t_all = timeit(
        lambda: al.evaluate_draws(cd, e, rules, weights=w, priority=w, unit_codes=unit_codes),
        min_total=2.0,
        max_repeats=7,
    )
    t_gen = timeit(lambda: c * np.exp(np.random.default_rng(1).normal(0.0, 0.2, (draws, 153))), min_total=0.5)
    per_rule = {
        name: timeit(lambda name=name: al.RULES[name](cd, e, weights=w, priority=w), min_total=0.5, max_repeats=7)
        for name in rules
    }
    print(
        f"   all {len(rules)} heuristic rules + all metrics (evaluate_draws): {fmt(t_all).strip()}"
        f"   (target < 0.5 s at 10,000 draws: {'met' if t_all < 0.5 else 'NOT met'})"
    )
    print(f"   drawing the cost multipliers and claims:            {fmt(t_gen).strip()}")
    print(
        "   each rule alone on the (draws × orgs) array:        "
        + ", ".join(f"{k} {fmt(v).strip()}" for k, v in per_rule.items())
    )

    print(f"\n3. Baselines on the same draws ({baseline_draws:,} draws, scaled to {draws:,})")
    k = min(baseline_draws, draws)
    scale = draws / k
    rows_py = [list(map(float, r)) for r in cd[:k]]
    order = list(np.argsort(-w, kind="stable"))
    wl = list(map(float, w))
    one_draw: dict[str, Callable[[list[float]], list[float]]] = {
        "equal_awards": lambda r: py_cea(r, e),
        "equal_awards (bisection)": lambda r: py_cea_bisection(r, e),
        "proportional": lambda r: py_proportional(r, e),
        "priority": lambda r: py_priority(r, e, order),
        "greedy": lambda r: py_greedy(r, e, wl),
    }
    for name, fn in one_draw.items():  # the baselines compute the same grants
        ours = al.RULES[name.split(" ")[0]](cd[:50], e, weights=w, priority=w)
        assert np.allclose(ours, np.array([fn(r) for r in rows_py[:50]]), rtol=1e-9, atol=1e-3), name
    baselines = {name: (lambda fn=fn: [fn(r) for r in rows_py]) for name, fn in one_draw.items()}
    print(f"   {'rule (pure-Python loop)':28s}{'pure Python':>14s}{'vectorised':>14s}{'ratio':>10s}")
    for name, base in baselines.items():
        t_py = timeit(base, min_total=0.0, max_repeats=1) * scale
        ours = per_rule[name.split(" ")[0]]
        ratio = t_py / ours
        note = f"   (target ≥ 200×: {'met' if ratio >= 200 else 'NOT met'})" if name.startswith("equal_awards") else ""
        print(f"   {name:28s}{fmt(t_py):>14s}{fmt(ours):>14s}{ratio:>9.0f}×{note}")

    try:
        import pabutools  # noqa: F401

        have_pabutools = True
    except ImportError:
        have_pabutools = False
        print("   pabutools not installed: the pabutools column is skipped (pip install pabutools)")
    if have_pabutools:
        kp = min(k, 500)
        same = 0
        t = time.perf_counter()
        for r in range(kp):
            chosen = pabutools_greedy(cd[r], e, w)
            ours = np.flatnonzero(al.greedy(cd[r], e, priority=w) > 0).tolist()
            same += chosen == ours
        t_pabu = (time.perf_counter() - t) * draws / kp
        print(
            f"   pabutools greedy_utilitarian_welfare, draw by draw ({kp:,} draws, scaled): {fmt(t_pabu).strip()};"
            f" same funded set as ours in {same}/{kp} draws"
        )
        r1 = t_pabu / per_rule["greedy"]
        r2 = t_pabu / t_all
        print(
            f"   ratio vs our greedy on all draws: {r1:,.0f}×   (target ≥ 500×: {'met' if r1 >= 500 else 'NOT met'});"
            f" vs all {len(rules)} rules + metrics: {r2:,.0f}×"
        )

    print("\n4. MILP optimum (HiGHS via scipy.optimize.milp), minimum grant 10 M đồng or 30% of the claim")
    for n in milp_sizes:
        c, w, e = inst[n]
        res = al.optimum(c, e, weights=w, min_grant=10e6, min_share=0.3)
        t = timeit(
            lambda c=c, e=e, w=w: al.optimum(c, e, weights=w, min_grant=10e6, min_share=0.3),
            min_total=1.0,
            max_repeats=5,
        )
        best_heuristic = max(
            al._coverage(c, al.RULES[r](c, e, weights=w, priority=w, min_grant=10e6, min_share=0.3), w) for r in rules
        )
        target = 0.1 if n == 153 else 1.0
        print(
            f"   {n:>6,d} organisations: {fmt(t).strip():>10s}  (target < {target:g} s: {'met' if t < target else 'NOT met'})"
            f"  coverage {res.coverage:.5f} vs best heuristic {best_heuristic:.5f};"
            f" spent {res.grants.sum():,} of {e:,} đồng; {res.status.split('(')[-1].rstrip(')')}"
        )


if __name__ == "__main__":
    main()

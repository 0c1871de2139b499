"""Monte Carlo of the plan's uncertain spending, all draws at once with numpy.

Uncertain: each item's unit cost (lognormal multiplier around the requested cost: a shared price
shock plus an item shock) and which products pass evaluation, at which star (pass rates per
stream). Outputs: P10/P50/P90 of spending per budget line, the probability that the plan overruns
its total, and for every allocation rule the distribution of its metrics over the draws (the
rules solve a ``(draws × organisations)`` array at once). Same seed → same numbers.

Memory: the draws are processed in chunks of about ``CHUNK_ELEMENTS`` cells (draws × the widest of
items, organisations and products), keeping only per-draw figures and per-organisation sums, so
the peak does not grow with ``draws × organisations``. Random numbers are drawn in the same order as
one big array would be (cost shocks of every chunk, then pass draws, then star draws), so a chunked
run gives the same draws as an unchunked one: spending and counts per draw are identical, and the
rule metrics and per-organisation means agree to floating-point rounding (~1e-14 relative: sums
over a different block shape). At the default plan's size one chunk holds every draw, so its
figures are bit for bit those of the one-block version.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ocop_helpers.domain import allocation, budget

PERCENTILES: tuple[int, int, int] = (10, 50, 90)
CHUNK_ELEMENTS = 4_000_000  # cells of a (draws × organisations) block per chunk: ~32 MB per float64 array


@dataclass(frozen=True)
class SimulationParams:
    """Monte Carlo parameters (assumptions, to be set by the planner).

    ``cost_sigma`` / ``common_cost_sigma``: log-sd of the item and shared cost multipliers, whose
    median is ``cost_median``. ``pass_rate`` per stream; ``target_rate``: a new product that passes
    reaches its target star (else one star lower, at least 3★); ``kept_rate``: a failed upgrade keeps
    its star (reward ``kept``).
    """

    draws: int = 10_000
    seed: int = 1
    cost_sigma: float = 0.20
    common_cost_sigma: float = 0.10
    cost_median: float = 1.0
    pass_rate: Mapping[str, float] = field(default_factory=lambda: {"new": 0.4, "reevaluation": 0.9, "upgrade": 0.5})
    target_rate: float = 0.8
    kept_rate: float = 0.9

    def __post_init__(self) -> None:
        if int(self.draws) != self.draws or self.draws < 1:
            raise ValueError(f"draws (số lượt mô phỏng) phải là số nguyên dương, nhận {self.draws}")
        for name in ("cost_sigma", "common_cost_sigma"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} không được âm, nhận {getattr(self, name)}")
        if self.cost_median <= 0:
            raise ValueError(f"cost_median phải dương, nhận {self.cost_median}")
        rates = {f"pass_rate[{k}]": v for k, v in dict(self.pass_rate).items()}
        rates |= {"target_rate": self.target_rate, "kept_rate": self.kept_rate}
        for name, value in rates.items():
            if value is None or not 0 <= value <= 1:
                raise ValueError(f"{name} (xác suất) phải trong khoảng 0–1, nhận {value}")
        unknown = set(self.pass_rate) - {"new", "reevaluation", "upgrade"}
        if unknown:
            raise ValueError(f"pass_rate: hình thức đánh giá không rõ {sorted(unknown)}")


@dataclass(frozen=True)
class SimulationResult:
    """Draws and summaries of one Monte Carlo run."""

    params: SimulationParams
    envelope_vnd: int
    plan_total_vnd: int
    line_draws: pd.DataFrame
    line_summary: pd.DataFrame
    prob_overrun: float
    prob_rationing: float
    recognised: pd.DataFrame
    rule_summary: pd.DataFrame
    rule_draws: pd.DataFrame
    organisation_funding: pd.DataFrame


def cost_multipliers(items: int, params: SimulationParams, rng: np.random.Generator) -> np.ndarray:
    """(draws, items) lognormal cost multipliers: ``median · exp(σ_common Z_d + σ Z_di)``."""
    common = rng.standard_normal((params.draws, 1), dtype=np.float32) * np.float32(params.common_cost_sigma)
    own = rng.standard_normal((params.draws, items), dtype=np.float32)
    own *= np.float32(params.cost_sigma)
    own += common
    np.exp(own, out=own)
    own *= np.float32(params.cost_median)
    return own


def claims_per_draw(
    items: pd.DataFrame, org_claims: pd.DataFrame, multipliers: np.ndarray, organisation_cap_vnd: int | None = None
) -> np.ndarray:
    """(draws, organisations) claims when the item costs are multiplied by ``multipliers``.

    Per item ``min(share × cost × m, limit)`` for eligible items (``limit`` = norm and item cap), summed
    per organisation in the order of ``org_claims`` and capped at ``organisation_cap_vnd``.
    """
    org_index = pd.Index(org_claims["organisation_id"])
    pos = org_index.get_indexer(items["organisation_id"])
    if (pos < 0).any():
        raise ValueError("Có hạng mục của chủ thể không có trong bảng đề nghị theo chủ thể")
    base = items["share"].to_numpy(dtype=float) * items["cost_vnd"].to_numpy(dtype=float)
    limit = np.where(items["eligible"].to_numpy(dtype=bool), items["limit_vnd"].to_numpy(dtype=float), 0.0)
    item_claims = np.minimum(multipliers * base, limit)
    order = np.argsort(pos, kind="stable")
    sorted_pos = pos[order]
    starts = np.flatnonzero(np.r_[True, sorted_pos[1:] != sorted_pos[:-1]])
    sums = np.add.reduceat(item_claims[:, order], starts, axis=1) if len(order) else np.zeros((len(multipliers), 0))
    out = np.zeros((multipliers.shape[0], len(org_index)))
    out[:, sorted_pos[starts]] = sums
    if organisation_cap_vnd is not None:
        if organisation_cap_vnd < 0:
            raise ValueError(f"organisation_cap_vnd không được âm, nhận {organisation_cap_vnd}")
        np.minimum(out, organisation_cap_vnd, out=out)
    return out


def reward_draws(
    products: pd.DataFrame,
    norms: pd.DataFrame,
    params: SimulationParams,
    rng: np.random.Generator,
    chunk_draws: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """NQ 67/2023 reward per draw (draws,) and recognised products per draw and star (draws, 3: 3★/4★/5★).

    The outcome model is documented in ``budget.expected_rewards``. ``chunk_draws`` bounds the
    (draws × products) blocks held at once; the pass draws of every draw come first, then the star
    draws, as with one block, so the result does not depend on it.
    """
    table = budget.reward_table(norms).astype(float)
    d = params.draws
    n = len(products)
    step = max(1, min(d, chunk_draws or d))
    stream = products["stream"].to_numpy(dtype=object)
    target = products["target_star"].astype(int).to_numpy()
    current = products["current_star"].astype("Float64").fillna(0).astype(int).to_numpy()
    current = np.where(current > 0, current, target)
    rate = np.array([float(params.pass_rate.get(s, 0.0)) for s in stream], dtype=np.float32)
    is_new, is_re, is_up = stream == "new", stream == "reevaluation", stream == "upgrade"
    lower = np.maximum(target - 1, 3)
    # per product: reward and star if it passes and hits the target (a), passes and misses (b),
    # fails but keeps its star (k; failed upgrades only)
    amount_a = np.select([is_new, is_re, is_up], [table[0][target], table[3][current], table[2][target]], 0.0)
    amount_b = np.where(is_new, table[0][lower], amount_a)
    amount_k = np.where(is_up, table[1][current], 0.0)
    star_a = np.where(is_re, current, target)
    star_b = np.where(is_new, lower, star_a)
    star_k = np.where(is_up, current, 0)
    hit_rate = np.where(is_new, params.target_rate, 1.0).astype(np.float32)
    keep_rate = np.where(is_up, params.kept_rate, 0.0).astype(np.float32)
    starts = range(0, d, step)
    # pass outcomes of every draw first (bit-packed: d × n / 8 bytes), then the star draws
    packed = [np.packbits(rng.random((min(step, d - a), n), dtype=np.float32) < rate, axis=1) for a in starts]
    reward = np.empty(d)
    counts = np.empty((d, 3), dtype=np.int64)

    # Per outcome (a, b, k) a column of amounts and one indicator column per star: one matrix
    # product per outcome gives the reward and the counts of every draw. Amounts are whole đồng and
    # counts whole numbers, so the float64 sums are exact whatever their order.
    def columns(amount: np.ndarray, star: np.ndarray) -> np.ndarray:
        return np.column_stack([amount, *((star == s).astype(float) for s in (3, 4, 5))])

    col_a, col_b, col_k = columns(amount_a, star_a), columns(amount_b, star_b), columns(amount_k, star_k)
    for a, bits in zip(starts, packed, strict=True):
        b = min(a + step, d)
        passed = np.unpackbits(bits, axis=1, count=n).view(bool)
        u_star = rng.random((b - a, n), dtype=np.float32)
        hit = u_star < hit_rate
        kept = u_star < keep_rate
        total = (passed & hit).astype(float) @ col_a
        total += (passed & ~hit).astype(float) @ col_b
        total += (~passed & kept).astype(float) @ col_k
        reward[a:b] = total[:, 0]
        counts[a:b] = np.rint(total[:, 1:]).astype(np.int64)
    return reward, counts


def _percentiles(values: np.ndarray) -> np.ndarray:
    return np.percentile(values, PERCENTILES, axis=0)


def simulate(
    items: pd.DataFrame,
    org_claims: pd.DataFrame,
    products: pd.DataFrame,
    norms: pd.DataFrame,
    budget_lines: pd.DataFrame,
    *,
    envelope_vnd: int | None = None,
    plan_total_vnd: int | None = None,
    params: SimulationParams | None = None,
    allocation_params: allocation.AllocationParams | None = None,
    rules: list[str] | None = None,
    organisation_cap_vnd: int | None = None,
    chunk_draws: int | None = None,
) -> SimulationResult:
    """Run the Monte Carlo.

    ``items`` / ``org_claims`` from ``claims.item_claims`` / ``claims.organisation_claims``;
    ``budget_lines`` the plan's lines (the branding line is the default envelope, the sum the
    default plan total). Branding spend per draw is ``min(envelope, Σ claims)``; rewards come from
    the outcome draws; the other lines are spent as planned. ``chunk_draws``: draws per chunk
    (default: as many as fit in ``CHUNK_ELEMENTS`` cells); it changes memory, not the draws.
    """
    p = params or SimulationParams()
    ap = allocation_params or allocation.AllocationParams()
    planned = dict(zip(budget_lines["line"], budget_lines["amount_vnd"].astype(np.int64), strict=False))
    envelope = int(planned.get("branding", 0) if envelope_vnd is None else envelope_vnd)
    if envelope < 0:
        raise ValueError(f"envelope_vnd không được âm, nhận {envelope}")
    total_plan = int(sum(planned.values()) if plan_total_vnd is None else plan_total_vnd)
    names = list(allocation.RULES) if rules is None else rules
    for name in names:
        allocation.get_rule(name)
    if chunk_draws is not None and chunk_draws < 1:
        raise ValueError(f"chunk_draws phải là số nguyên dương, nhận {chunk_draws}")
    d = p.draws
    widest = max(len(items), len(org_claims), len(products), 1)
    step = max(1, min(d, chunk_draws or CHUNK_ELEMENTS // widest))
    rng = np.random.default_rng(p.seed)

    score = allocation.priority_scores(org_claims, ap.weights, ap.funded_before_per_unit).to_numpy()
    unit_codes, _ = pd.factorize(org_claims["unit_id"])
    n_org = len(org_claims)
    need = np.empty(d)
    metric_parts: dict[str, list[dict[str, np.ndarray]]] = {name: [] for name in names}
    has_count = np.zeros(n_org, dtype=np.int64)  # draws in which the organisation has a claim
    share_sum = {name: np.zeros(n_org) for name in names}
    funded_count = {name: np.zeros(n_org, dtype=np.int64) for name in names}

    # cost shocks: the shared shock of every draw, then the item shocks chunk by chunk (the same
    # stream as ``cost_multipliers`` for all draws at once)
    common = rng.standard_normal((d, 1), dtype=np.float32) * np.float32(p.common_cost_sigma)
    for a in range(0, d, step):
        b = min(a + step, d)
        mult = rng.standard_normal((b - a, len(items)), dtype=np.float32)
        mult *= np.float32(p.cost_sigma)
        mult += common[a:b]
        np.exp(mult, out=mult)
        mult *= np.float32(p.cost_median)
        c = claims_per_draw(items, org_claims, mult, organisation_cap_vnd)
        del mult
        need[a:b] = c.sum(axis=1)
        evaluated = allocation.evaluate_draws(
            c,
            float(envelope),
            names,
            weights=score,
            priority=score,
            unit_codes=unit_codes,
            min_grant=ap.min_grant_vnd,
            min_share=ap.min_share,
            per_organisation=True,
        )
        has_count += np.count_nonzero(c > 0, axis=0)
        for name in names:
            m = evaluated.pop(name)
            # a grant is never above its claim, so "funded" implies "has a claim"
            funded_count[name] += m.pop("organisation_funded_draws")
            share_sum[name] += m.pop("organisation_share_sum")
            metric_parts[name].append(m)
        del c
    rewards, counts = reward_draws(products, norms, p, rng, chunk_draws=step)

    spend = np.minimum(need, envelope)
    others = {line: np.full(d, float(planned.get(line, 0))) for line in ("councils", "promotion", "training")}
    lines = {"rewards": rewards, "branding": spend, **others}
    total = sum(lines.values())
    line_draws = pd.DataFrame(
        {k: np.rint(v).astype(np.int64) for k, v in {**lines, "branding_need": need, "total": total}.items()}
    )
    rows = []
    for line in [*lines, "branding_need", "total"]:
        v = line_draws[line].to_numpy()
        plan_amount = total_plan if line == "total" else planned.get("branding" if line == "branding_need" else line, 0)
        p10, p50, p90 = _percentiles(v)
        rows.append(
            {
                "line": line,
                "planned_vnd": int(plan_amount),
                "mean_vnd": int(round(v.mean())),
                "p10_vnd": int(round(p10)),
                "p50_vnd": int(round(p50)),
                "p90_vnd": int(round(p90)),
                "prob_over_planned": float((v > plan_amount).mean()),
            }
        )
    line_summary = pd.DataFrame(rows)

    recognised = pd.DataFrame(
        [
            {
                "star": s,
                "mean": float(counts[:, i].mean()),
                **{f"p{q}": float(x) for q, x in zip(PERCENTILES, _percentiles(counts[:, i]), strict=False)},
            }
            for i, s in enumerate((3, 4, 5))
        ]
    )

    summary_rows, draw_frames, org_rows = [], [], []
    for name in names:
        parts = metric_parts.pop(name)
        m = {metric: np.concatenate([part[metric] for part in parts]) for metric in parts[0]} if parts else {}
        # funded in some draw and not funded (with a claim) in another
        flips = int(((funded_count[name] > 0) & (funded_count[name] < has_count)).sum())
        for metric, values in m.items():
            q = _percentiles(values)
            summary_rows.append(
                {
                    "rule": name,
                    "metric": metric,
                    "mean": float(values.mean()),
                    "p10": float(q[0]),
                    "p50": float(q[1]),
                    "p90": float(q[2]),
                }
            )
        summary_rows.append(
            {
                "rule": name,
                "metric": "flips",
                "mean": float(flips),
                "p10": float(flips),
                "p50": float(flips),
                "p90": float(flips),
            }
        )
        draw_frames.append(pd.DataFrame({"rule": name, "draw": np.arange(d), **m}))
        org_rows.append(
            pd.DataFrame(
                {
                    "rule": name,
                    "organisation_id": org_claims["organisation_id"].to_numpy(),
                    "mean_funded_share": share_sum[name] / d,
                    "prob_funded": funded_count[name] / d,
                }
            )
        )
    return SimulationResult(
        params=p,
        envelope_vnd=envelope,
        plan_total_vnd=total_plan,
        line_draws=line_draws,
        line_summary=line_summary,
        prob_overrun=float((total > total_plan).mean()),
        prob_rationing=float((need > envelope).mean()),
        recognised=recognised,
        rule_summary=pd.DataFrame(summary_rows),
        rule_draws=pd.concat(draw_frames, ignore_index=True),
        organisation_funding=pd.concat(org_rows, ignore_index=True),
    )

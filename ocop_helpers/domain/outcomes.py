"""Outcome targets by Monte Carlo: each target's expected value and the chance of meeting it.

Every product of the plan gets, in each draw, the star its evaluation ends with (0: not recognised):

- ``new``: passes with its stream's pass rate; a pass reaches the target star with ``target_rate``,
  else one star lower (at least 3★);
- ``reevaluation``: passes and keeps its star, or fails and leaves the certified stock;
- ``upgrade``: passes and reaches the target star, or keeps its current star (it stays in the stock,
  but is not counted as recognised in the year).

A product whose result is known (``fixed``: the star awarded, 0 if not recognised) has that outcome
in every draw; a product with no result and no round left (``unheld``) was not evaluated (new: not
recognised; re-evaluation: its certificate lapses; upgrade: keeps its star). The random numbers are
drawn for every product whatever is fixed, so fixing one product's result never changes another's
draws. The year-end stock of a draw is ``base`` (start stock less the expected lapses the stock
projection counts outside the plan's products) + new recognised − re-evaluations failed (the caller
folds the re-evaluations never held into the re-evaluation pass rate); its mean equals :class:`~ocop_helpers.domain.stock.StockProjection`'s end stock when nothing is fixed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ocop_helpers.inputs.plan import OutcomeTarget

# Independent stream of random numbers for the outcomes (the budget simulation keeps its own).
STREAM_KEY = 18
CHUNK_CELLS = 8_000_000


@dataclass(frozen=True)
class OutcomeForecast:
    """Per target: ``target_id, kind, value, realised, expected, p10, p90, chance``; per unit for
    ``per_unit`` targets: ``target_id, unit_id, realised, expected, chance``; the year-end stock draws'
    summary (``stock_mean``, ``stock_p10``, ``stock_p90``)."""

    table: pd.DataFrame
    units: pd.DataFrame
    stock_mean: float
    stock_p10: float
    stock_p90: float
    draws: int


def _matches(star: np.ndarray, target: OutcomeTarget) -> np.ndarray:
    return star >= target.star if target.or_higher else star == target.star


def outcome_draws(
    products: pd.DataFrame,
    organisations: pd.DataFrame,
    unit_ids: Sequence[str],
    targets: Sequence[OutcomeTarget],
    pass_rate: Mapping[str, float],
    *,
    target_rate: float,
    stock_base: float,
    draws: int,
    seed: int,
    fixed: Mapping[str, int] | None = None,
    unheld: Sequence[str] = (),
) -> OutcomeForecast:
    """Simulate the products' outcomes ``draws`` times and measure every target in each draw."""
    fixed = dict(fixed or {})
    n = len(products)
    stream = products["stream"].astype(str).to_numpy()
    target_star = products["target_star"].astype(int).to_numpy()
    current = products["current_star"].astype("Float64").fillna(0).astype(int).to_numpy()
    current = np.where(current > 0, current, target_star)
    is_new, is_re, is_up = stream == "new", stream == "reevaluation", stream == "upgrade"
    rate = np.array([float(pass_rate.get(s, 0.0)) for s in stream])
    lower = np.maximum(target_star - 1, 3)
    pid = products["product_id"].astype(str).to_numpy()
    fixed_mask = np.array([p in fixed for p in pid], dtype=bool)
    fixed_star = np.array([int(fixed.get(p, 0) or 0) for p in pid])
    held_out = np.isin(pid, list(unheld)) & ~fixed_mask
    # stars a product ends with that are not random
    constant = np.where(fixed_mask, fixed_star, np.where(is_up, current, 0))
    random = ~(fixed_mask | held_out)
    # recognised in the year: a decision at its star (a failed upgrade keeps its star, not counted)
    counted_constant = fixed_mask & ~(is_up & (fixed_star <= current))

    units = pd.Index(list(unit_ids))
    unit_pos = units.get_indexer(products["unit_id"].astype(str))
    org_pos, org_index = pd.factorize(products["organisation_id"].astype(str))
    org_types = organisations.set_index("organisation_id")["organisation_type"].reindex(org_index).astype(str)

    rng = np.random.default_rng([int(seed), STREAM_KEY])
    step = max(1, min(draws, CHUNK_CELLS // max(n, 1)))
    per_target: dict[str, list[np.ndarray]] = {t.id: [] for t in targets}
    per_unit: dict[str, list[np.ndarray]] = {t.id: [] for t in targets if t.kind == "per_unit"}
    stock_parts: list[np.ndarray] = []
    for a in range(0, draws, step):
        b = min(a + step, draws)
        u_pass = rng.random((b - a, n))
        u_star = rng.random((b - a, n))
        passed = u_pass < rate
        star = np.where(
            passed, np.where(is_new & (u_star >= target_rate), lower, np.where(is_re, current, target_star)), 0
        )
        star = np.where(is_up & ~passed, current, star)
        star = np.where(random, star, constant)
        counted = np.where(random, passed, counted_constant)
        recognised = counted & (star > 0)
        new_in = (recognised & is_new).sum(axis=1)
        re_failed = (is_re & (star == 0)).sum(axis=1)
        stock_draw = stock_base + new_in - re_failed
        stock_parts.append(stock_draw)
        for t in targets:
            streams = np.isin(stream, list(t.streams))
            hit = recognised & streams & _matches(star, t)
            if t.kind == "recognised":
                per_target[t.id].append(hit.sum(axis=1).astype(float))
            elif t.kind == "stock":
                per_target[t.id].append(stock_draw.astype(float))
            elif t.kind == "centre_candidates":
                per_target[t.id].append((recognised & (star == 5)).sum(axis=1).astype(float))
            elif t.kind == "share_registered":
                registered = max(int(streams.sum()), 1)
                per_target[t.id].append(hit.sum(axis=1) / registered)
            elif t.kind == "per_unit":
                counts = np.zeros((b - a, len(units)))
                ok = unit_pos >= 0
                for j in np.unique(unit_pos[ok]):
                    counts[:, j] = hit[:, unit_pos == j].sum(axis=1)
                per_unit[t.id].append(counts)
                per_target[t.id].append((counts >= t.value).sum(axis=1).astype(float))
            elif t.kind == "share_organisation_type":
                any_org = np.zeros((b - a, len(org_index)), dtype=bool)
                rows, cols = np.nonzero(recognised)
                any_org[rows, org_pos[cols]] = True
                of_type = (org_types == t.organisation_type).to_numpy()
                total = any_org.sum(axis=1)
                per_target[t.id].append(
                    np.where(total > 0, any_org[:, of_type].sum(axis=1) / np.maximum(total, 1), 0.0)
                )
    stock_all = np.concatenate(stock_parts) if stock_parts else np.zeros(0)

    realised_rec = counted_constant & (constant > 0)
    rows, unit_rows = [], []
    for t in targets:
        values = np.concatenate(per_target[t.id])
        streams = np.isin(stream, list(t.streams))
        if t.kind == "per_unit":
            counts = np.concatenate(per_unit[t.id])
            meet = (counts >= t.value).all(axis=1)
            real_hit = realised_rec & streams & _matches(constant, t)
            for j, unit in enumerate(units):
                unit_rows.append(
                    {
                        "target_id": t.id,
                        "unit_id": unit,
                        "realised": int(real_hit[unit_pos == j].sum()),
                        "candidates": int(((unit_pos == j) & streams & (random | real_hit)).sum()),
                        "expected": float(counts[:, j].mean()),
                        "chance": float((counts[:, j] >= t.value).mean()),
                    }
                )
            realised = float(sum(1 for r in unit_rows if r["target_id"] == t.id and r["realised"] >= t.value))
        else:
            meet = values >= t.value - 1e-12
            if t.kind == "stock":
                realised = float("nan")
            elif t.kind == "centre_candidates":
                realised = float((realised_rec & (constant == 5)).sum())
            elif t.kind == "share_registered":
                realised = float((realised_rec & streams & _matches(constant, t)).sum() / max(int(streams.sum()), 1))
            elif t.kind == "share_organisation_type":
                orgs = pd.Series(org_index[org_pos[realised_rec]]).unique()
                of_type = org_types.reindex(orgs) == t.organisation_type
                realised = float(of_type.mean()) if len(orgs) else 0.0
            else:
                realised = float((realised_rec & streams & _matches(constant, t)).sum())
        q10, q90 = np.percentile(values, [10, 90]) if len(values) else (np.nan, np.nan)
        rows.append(
            {
                "target_id": t.id,
                "kind": t.kind,
                "value": t.value,
                "realised": realised,
                "expected": float(values.mean()) if len(values) else float("nan"),
                "p10": float(q10),
                "p90": float(q90),
                "chance": float(meet.mean()) if len(values) else float("nan"),
            }
        )
    q = np.percentile(stock_all, [10, 90]) if len(stock_all) else (np.nan, np.nan)
    return OutcomeForecast(
        table=pd.DataFrame(rows),
        units=pd.DataFrame(unit_rows, columns=["target_id", "unit_id", "realised", "candidates", "expected", "chance"]),
        stock_mean=float(stock_all.mean()) if len(stock_all) else float("nan"),
        stock_p10=float(q[0]),
        stock_p90=float(q[1]),
        draws=draws,
    )

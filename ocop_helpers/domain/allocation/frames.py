"""The frame-level API: parameters, ``allocate`` (one rule or the optimum on an organisations
frame, in whole đồng), ``compare_rules``, ``distribute_to_items`` and ``rule_description``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .metrics import metrics
from .optimum import optimum
from .rules import (
    OPTIMUM,
    RULES,
    PriorityWeights,
    _check_min,
    _ranks,
    get_rule,
    priority_scores,
    round_grants,
    split_exact,
)


@dataclass(frozen=True)
class AllocationParams:
    """Rationing parameters: priority weights, minimum useful grant, MILP time bound."""

    weights: PriorityWeights = field(default_factory=PriorityWeights)
    min_grant_vnd: int = 0
    min_share: float = 0.0
    milp_time_limit: float = 10.0
    funded_before_per_unit: Mapping[str, int] | None = None

    def __post_init__(self) -> None:
        _check_min(self.min_grant_vnd, self.min_share)
        if self.milp_time_limit <= 0:
            raise ValueError(f"milp_time_limit phải dương, nhận {self.milp_time_limit}")


def allocate(
    org_claims: pd.DataFrame,
    envelope_vnd: int,
    rule: str,
    params: AllocationParams | None = None,
    scores: np.ndarray | None = None,
) -> pd.DataFrame:
    """Grants per organisation under ``rule``, in whole đồng.

    ``org_claims`` as made by ``claims.organisation_claims`` (``organisation_id, unit_id,
    organisation_type, target_star, stream, claim_vnd``). Returns a new frame with
    ``priority_score, priority_rank, granted_vnd`` (int64), ``funded_share`` and ``status``
    (``full`` / ``partial`` / ``none``). ``Σ granted_vnd = min(E, Σ claim_vnd)`` exactly for the
    rules that spend the whole envelope. ``scores``: the organisations' priority scores when already
    computed with these ``params`` (several rules on the same claims).
    """
    p = params or AllocationParams()
    if envelope_vnd is None or envelope_vnd < 0:
        raise ValueError(f"envelope_vnd (tổng kinh phí hỗ trợ) không được âm, nhận {envelope_vnd}")
    if rule != OPTIMUM:
        fn = get_rule(rule)
    c = org_claims["claim_vnd"].to_numpy(dtype=float)
    score = priority_scores(org_claims, p.weights, p.funded_before_per_unit).to_numpy() if scores is None else scores
    out = org_claims.copy()
    out["priority_score"] = score
    out["priority_rank"] = (_ranks(score, len(out)) + 1).astype(np.int64)
    if rule == OPTIMUM:
        res = optimum(
            c,
            envelope_vnd,
            weights=score,
            min_grant=p.min_grant_vnd,
            min_share=p.min_share,
            time_limit=p.milp_time_limit,
        )
        granted = res.grants
    else:
        x = fn(c, float(envelope_vnd), weights=score, priority=score, min_grant=p.min_grant_vnd, min_share=p.min_share)
        spent = x.sum()
        full_target = min(int(envelope_vnd), int(c.sum()))
        target = full_target if abs(spent - full_target) < 1e-3 * max(1, len(c)) else int(np.floor(spent + 1e-6))
        granted = round_grants(x, c, target)
    out["granted_vnd"] = np.asarray(granted, dtype=np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["funded_share"] = np.where(c > 0, out["granted_vnd"].to_numpy() / np.where(c > 0, c, 1), 1.0)
    out["status"] = np.select(
        [out["granted_vnd"] >= out["claim_vnd"], out["granted_vnd"] > 0], ["full", "partial"], "none"
    )
    out["status"] = out["status"].astype("str")
    return out


def compare_rules(
    org_claims: pd.DataFrame,
    envelope_vnd: int,
    rules: list[str] | None = None,
    params: AllocationParams | None = None,
    with_optimum: bool = True,
    optimum_allocation: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Allocate under several rules: (long frame of allocations with ``rule``, metrics table).

    The metrics table has one row per rule (scalar metrics of :class:`AllocationMetrics`) with the
    gap to the MILP optimum when ``with_optimum``; ``optimum_allocation`` is that optimum when it is
    already computed (``allocate(org_claims, envelope_vnd, "optimum", params)``).
    """
    names = list(RULES) if rules is None else [r for r in rules if r != OPTIMUM]
    for name in names:
        get_rule(name)
    if with_optimum:
        names.append(OPTIMUM)
    p = params or AllocationParams()
    scores = priority_scores(org_claims, p.weights, p.funded_before_per_unit).to_numpy()
    frames = {
        name: optimum_allocation
        if name == OPTIMUM and optimum_allocation is not None
        else allocate(org_claims, envelope_vnd, name, p, scores=scores)
        for name in names
    }
    best = metrics(frames[OPTIMUM], envelope_vnd).weighted_coverage if with_optimum else None
    rows = []
    for name, frame in frames.items():
        row = metrics(frame, envelope_vnd, best).as_series()
        row["rule"] = name
        rows.append(row)
    long = pd.concat([f.assign(rule=name) for name, f in frames.items()], ignore_index=True)
    table = pd.DataFrame(rows).set_index("rule")
    return long, table


def distribute_to_items(items: pd.DataFrame, allocation: pd.DataFrame) -> pd.DataFrame:
    """Split each organisation's grant over its items in proportion to the item claims.

    Largest-remainder rounding per organisation: the item grants add up to the organisation's
    grant exactly, and no item gets more than its claim. Returns a copy of ``items`` with
    ``granted_vnd`` (int64).
    """
    granted = allocation.set_index("organisation_id")["granted_vnd"]
    missing = set(items["organisation_id"]) - set(granted.index)
    if missing:
        raise ValueError(f"Các chủ thể có hạng mục nhưng không có trong kết quả phân bổ: {sorted(missing)[:5]}")
    codes, uniques = pd.factorize(items["organisation_id"])
    totals = granted.reindex(uniques).to_numpy(dtype=float)
    out = items.copy()
    out["granted_vnd"] = split_exact(items["claim_vnd"].to_numpy(dtype=float), codes, totals)
    return out


def rule_description(name: str) -> dict[str, str]:
    """Name, definition and reference of a rule, read from its docstring."""
    if name == OPTIMUM:
        doc = optimum.__doc__ or ""
    else:
        doc = get_rule(name).__doc__ or ""
    parts = [p.strip() for p in doc.strip().split("\n\n")]
    title = parts[0]
    body = " ".join(" ".join(line.strip() for line in p.splitlines()) for p in parts[1:])
    definition = body.split("Definition:", 1)[-1].split("Reference:", 1)[0].strip()
    reference = body.split("Reference:", 1)[-1].strip() if "Reference:" in body else ""
    return {"rule": name, "name": title, "definition": definition, "reference": reference}

"""The whole-plan budget: planned lines, NQ 67/2023 reward norms, planned vs simulated need.

Lines (``budget_lines.csv``): ``rewards`` (post-recognition rewards, NQ 67/2023), ``branding``
(the allocation envelope), ``councils``, ``promotion``, ``training``; they must add up to the plan
total. Amounts or shares may be overridden by parameters. Money is integer đồng.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ocop_helpers.core.dated import in_force
from ocop_helpers.domain.allocation import split_exact
from ocop_helpers.inputs.plan import BUDGET_LINES, REWARD_CASES

MAX_STAR = 5


def check_total(lines: pd.DataFrame, total_vnd: int) -> None:
    """Raise ValueError unless the lines add up to ``total_vnd`` exactly."""
    have = int(lines["amount_vnd"].sum())
    if have != int(total_vnd):
        raise ValueError(
            f"Tổng các nội dung chi ({have:,} đồng) khác tổng kinh phí kế hoạch "
            f"({int(total_vnd):,} đồng), chênh {have - int(total_vnd):,} đồng"
        )


def plan_lines(
    budget_lines: pd.DataFrame,
    total_vnd: int | None = None,
    amounts: Mapping[str, int] | None = None,
    shares: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """The plan's budget lines (codes) with amounts and shares.

    ``amounts`` overrides lines in đồng; ``shares`` sets lines as shares of ``total_vnd`` (rounded
    to the đồng with a largest-remainder pass across the overridden lines). Without overrides the
    lines must sum to ``total_vnd`` (when given); with overrides the total becomes their sum
    unless shares are used, in which case the lines must still sum to ``total_vnd``.
    """
    unknown = set(budget_lines["line"]) - set(BUDGET_LINES)
    for _name, override in (("amounts", amounts), ("shares", shares)):
        unknown |= set(override or {}) - set(BUDGET_LINES)
    if unknown:
        raise ValueError(f"Nội dung chi không rõ: {sorted(unknown)}; dùng {', '.join(BUDGET_LINES)}")
    out = budget_lines[["line", "amount_vnd"]].copy()
    out["amount_vnd"] = out["amount_vnd"].astype(np.int64)
    for line, value in (amounts or {}).items():
        if value is None or value < 0:
            raise ValueError(f"Số tiền của nội dung '{line}' không được âm, nhận {value}")
        out.loc[out["line"] == line, "amount_vnd"] = int(value)
    if shares:
        if total_vnd is None:
            raise ValueError("Cần total_vnd để đặt nội dung chi theo tỷ lệ")
        for line, share in shares.items():
            if share is None or not 0 <= share <= 1:
                raise ValueError(f"Tỷ lệ của nội dung '{line}' phải trong khoảng 0–1, nhận {share}")
        if sum(shares.values()) > 1 + 1e-12:
            raise ValueError(f"Tổng các tỷ lệ vượt 100%: {sum(shares.values()):.4f}")
        names = list(shares)
        raw = np.array([shares[k] * total_vnd for k in names])
        whole = int(np.rint(raw.sum()))
        parts = split_exact(raw, np.zeros(len(names), dtype=np.int64), np.array([float(whole)]))
        for line, value in zip(names, parts, strict=False):
            out.loc[out["line"] == line, "amount_vnd"] = int(value)
    if total_vnd is not None and (not amounts or shares):
        check_total(out, total_vnd)
    total = int(out["amount_vnd"].sum())
    out["share"] = out["amount_vnd"] / total if total else 0.0
    order = {line: i for i, line in enumerate(BUDGET_LINES)}
    return out.sort_values("line", key=lambda s: s.map(order)).reset_index(drop=True)[["line", "amount_vnd", "share"]]


def reward_table(norms: pd.DataFrame, as_of: dt.date | pd.Timestamp | None = None) -> np.ndarray:
    """NQ 67/2023 reward per (case, star) as an int64 array ``[len(REWARD_CASES), 6]`` (0 = no reward).

    Rows follow ``REWARD_CASES``; columns are stars 0–5. Duplicated case/star norms raise ValueError.
    """
    r = norms[norms["line"] == "reward"]
    if as_of is not None:
        r = in_force(r, as_of)
    if r.empty:
        raise ValueError("Không có định mức thưởng (norms.csv: line = reward)")
    dup = r.duplicated(["case", "star"], keep=False)
    if dup.any():
        raise ValueError(
            "Định mức thưởng bị trùng (cần chọn ngày áp dụng as_of): "
            + ", ".join(f"{c} {s}★" for c, s in r.loc[dup, ["case", "star"]].drop_duplicates().itertuples(index=False))
        )
    table = np.zeros((len(REWARD_CASES), MAX_STAR + 1), dtype=np.int64)
    for case, star, amount in r[["case", "star", "amount_vnd"]].itertuples(index=False):
        if case not in REWARD_CASES or pd.isna(star):
            raise ValueError(f"Định mức thưởng cần case trong {REWARD_CASES} và hạng sao, nhận {case!r}, {star!r}")
        table[REWARD_CASES.index(case), int(star)] = int(amount)
    return table


def expected_rewards(
    products: pd.DataFrame,
    norms: pd.DataFrame,
    pass_rate: Mapping[str, float],
    target_rate: float,
    kept_rate: float,
    as_of: dt.date | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Expected NQ 67 reward need per stream (analytic mean of the simulation's outcome model).

    Model (the same as ``simulation.simulate``): a new product passes with ``pass_rate['new']`` and
    then reaches its target star with ``target_rate`` (else one star lower, at least 3★) → reward
    ``first``; a re-evaluated product passes with ``pass_rate['reevaluation']`` → ``reevaluated`` at
    its current star; an upgrade succeeds with ``pass_rate['upgrade']`` → ``upgraded`` at the target,
    otherwise keeps its star with ``kept_rate`` → ``kept``.
    """
    table = reward_table(norms, as_of)
    rows = []
    for stream, group in products.groupby("stream", sort=False):
        p = float(pass_rate.get(stream, 0.0))
        target = group["target_star"].astype(int).to_numpy()
        current = group["current_star"].astype("Float64").fillna(0).astype(int).to_numpy()
        if stream == "new":
            lower = np.maximum(target - 1, 3)
            amount = p * (target_rate * table[0, target] + (1 - target_rate) * table[0, lower])
        elif stream == "reevaluation":
            amount = p * table[3, np.where(current > 0, current, target)]
        else:
            amount = p * table[2, target] + (1 - p) * kept_rate * table[1, current]
        rows.append({"stream": stream, "products": len(group), "expected_vnd": int(round(float(amount.sum())))})
    return pd.DataFrame(rows)


def budget_comparison(lines: pd.DataFrame, need: pd.DataFrame, branding_granted_vnd: int | None = None) -> pd.DataFrame:
    """Planned vs simulated need per line, with a total row.

    ``lines`` from :func:`plan_lines`; ``need`` from ``simulation.line_summary`` (``line, mean_vnd,
    p10_vnd, p50_vnd, p90_vnd, prob_over_planned``). Lines missing from ``need`` are taken as
    planned. ``branding_granted_vnd`` (the chosen allocation) is shown for the branding line.
    """
    n = need.set_index("line")
    out = lines[["line", "amount_vnd", "share"]].rename(columns={"amount_vnd": "planned_vnd", "share": "planned_share"})
    for col in ("mean_vnd", "p10_vnd", "p50_vnd", "p90_vnd"):
        out[col] = (
            out["line"].map(n[col]).fillna(out["planned_vnd"]).astype(np.int64) if col in n else out["planned_vnd"]
        )
    out["prob_over_planned"] = (
        out["line"].map(n["prob_over_planned"]).fillna(0.0).astype(float) if "prob_over_planned" in n else 0.0
    )
    out["gap_p50_vnd"] = (out["p50_vnd"] - out["planned_vnd"]).astype(np.int64)
    total_p50 = out["p50_vnd"].sum()
    out["need_share_p50"] = out["p50_vnd"] / total_p50 if total_p50 else 0.0
    out["granted_vnd"] = pd.array([pd.NA] * len(out), dtype="Int64")
    if branding_granted_vnd is not None:
        out.loc[out["line"] == "branding", "granted_vnd"] = int(branding_granted_vnd)
    total = {
        "line": "total",
        "planned_vnd": int(out["planned_vnd"].sum()),
        "planned_share": float(out["planned_share"].sum()),
        "mean_vnd": int(n.loc["total", "mean_vnd"]) if "total" in n.index else int(out["mean_vnd"].sum()),
        "p10_vnd": int(n.loc["total", "p10_vnd"]) if "total" in n.index else int(out["p10_vnd"].sum()),
        "p50_vnd": int(n.loc["total", "p50_vnd"]) if "total" in n.index else int(out["p50_vnd"].sum()),
        "p90_vnd": int(n.loc["total", "p90_vnd"]) if "total" in n.index else int(out["p90_vnd"].sum()),
        "prob_over_planned": float(n.loc["total", "prob_over_planned"]) if "total" in n.index else 0.0,
    }
    total["gap_p50_vnd"] = total["p50_vnd"] - total["planned_vnd"]
    total["need_share_p50"] = 1.0
    total["granted_vnd"] = pd.NA
    out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
    for col in ("planned_vnd", "mean_vnd", "p10_vnd", "p50_vnd", "p90_vnd", "gap_p50_vnd"):
        out[col] = out[col].astype(np.int64)
    out["granted_vnd"] = out["granted_vnd"].astype("Int64")
    return out


def by_source(lines: pd.DataFrame, line_sources: pd.DataFrame, on: dt.date | pd.Timestamp) -> pd.DataFrame:
    """The budget by funding source: each line split by the shares in force on ``on`` (whole đồng,
    largest remainder, so the sources add up to the lines exactly). Columns ``source_id, amount_vnd,
    certainty`` (the least certain of the rows behind it: published < memory < uncertain < assumption).
    Raises ValueError naming a line that has no source in force or whose shares do not sum to 1."""

    table = in_force(line_sources, on)
    order = ("published", "memory", "uncertain", "assumption")
    parts: list[tuple[str, int, str]] = []
    for line, amount in zip(lines["line"], lines["amount_vnd"].astype("int64"), strict=True):
        rows = table[table["line"] == line]
        if rows.empty:
            raise ValueError(f"dòng kinh phí '{line}' chưa có nguồn trong bảng phân nguồn (line_sources.csv)")
        shares = rows["share"].to_numpy(dtype=float)
        if abs(shares.sum() - 1) > 1e-9:
            raise ValueError(f"tỷ lệ các nguồn của dòng '{line}' cộng lại {shares.sum():g}, cần bằng 1")
        exact = shares * int(amount)
        whole = np.floor(exact).astype(np.int64)
        rest = int(amount) - int(whole.sum())
        whole[np.argsort(-(exact - whole), kind="stable")[:rest]] += 1
        parts += [(s, int(w), c) for s, w, c in zip(rows["source_id"], whole, rows["certainty"], strict=True)]
    frame = pd.DataFrame(parts, columns=["source_id", "amount_vnd", "certainty"])
    grouped = frame.groupby("source_id", sort=False).agg(
        amount_vnd=("amount_vnd", "sum"), certainty=("certainty", lambda c: max(c, key=order.index))
    )
    return grouped.reset_index()

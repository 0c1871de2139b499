"""Branding-support claims: requests + norms → what the state would pay per item and per organisation.

Stages 1–2 of the allocation (``allocation-notes.md``): eligibility, then per item
``claim = min(share × cost, norm for the item / target star, item cap)`` and per organisation
``min(Σ items, organisation cap)``. Norms come from ``norms.csv`` (``line`` = ``trademark`` or
``packaging``; packaging per target star, 5 = potential 5★); parameters may override the state's
co-financing share and set the caps. Money is integer đồng.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ocop_helpers.core.dated import in_force
from ocop_helpers.domain.allocation import split_exact
from ocop_helpers.inputs.plan import BRANDING_ITEMS as BRANDING_LINES

STREAM_ORDER: dict[str, int] = {"new": 0, "upgrade": 1, "reevaluation": 2}
MIN_PACKAGING_STAR = 3

ITEM_COLUMNS: list[str] = [
    "request_id",
    "organisation_id",
    "unit_id",
    "organisation_type",
    "item",
    "product_id",
    "stream",
    "target_star",
    "cost_vnd",
    "share",
    "norm_vnd",
    "limit_vnd",
    "eligible",
    "reason",
    "claim_before_cap_vnd",
    "claim_vnd",
]


def _check_share(share: float | Mapping[str, float] | None) -> dict[str, float]:
    """Co-financing share override(s) per branding line; each in [0, 1]."""
    if share is None:
        return {}
    values = dict(share) if isinstance(share, Mapping) else {line: share for line in BRANDING_LINES}
    for line, value in values.items():
        if line not in BRANDING_LINES:
            raise ValueError(f"co_financing_share: nội dung '{line}' không có; dùng {', '.join(BRANDING_LINES)}")
        if value is None or not np.isfinite(value) or not 0 <= value <= 1:
            raise ValueError(f"co_financing_share (tỷ lệ nhà nước hỗ trợ) phải trong khoảng 0–1, nhận {value}")
    return {k: float(v) for k, v in values.items()}


def _check_cap(name: str, cap: int | float | None) -> float:
    """A cap in đồng (None = no cap); negative caps are rejected."""
    if cap is None:
        return np.inf
    if not np.isfinite(cap) and cap != np.inf or cap < 0:
        raise ValueError(f"{name} (mức trần) không được âm, nhận {cap}")
    return float(cap)


def branding_norms(norms: pd.DataFrame, as_of: dt.date | pd.Timestamp | None = None) -> pd.DataFrame:
    """The trademark and packaging norms that apply (valid on ``as_of`` if given), one row per line/star.

    Raises ValueError when a line/star has no norm or more than one.
    """
    br = norms[norms["line"].isin(BRANDING_LINES)].copy()
    if as_of is not None:
        br = in_force(br, as_of)
    br["star_key"] = br["star"].astype("Float64").fillna(0).astype(int)
    br.loc[br["line"] == "trademark", "star_key"] = 0
    dup = br.duplicated(["line", "star_key"], keep=False)
    if dup.any():
        rows = br.loc[dup, ["line", "star_key"]].drop_duplicates().itertuples(index=False)
        raise ValueError(
            "Định mức hỗ trợ bị trùng (cần chọn ngày áp dụng as_of): "
            + ", ".join(f"{r.line} {r.star_key or ''}".strip() for r in rows)
        )
    if not (br["line"] == "trademark").any():
        raise ValueError("Thiếu định mức đăng ký nhãn hiệu (norms.csv: line = trademark)")
    if not (br["line"] == "packaging").any():
        raise ValueError("Thiếu định mức bao bì, tem nhãn (norms.csv: line = packaging)")
    return br[["line", "star_key", "amount_vnd", "share"]].reset_index(drop=True)


def _organisation_profile(products: pd.DataFrame) -> pd.DataFrame:
    """Per organisation: the highest target star among its products and that product's stream."""
    p = products[["organisation_id", "product_id", "stream", "target_star"]].copy()
    p["stream_rank"] = p["stream"].map(STREAM_ORDER).fillna(9)
    p["star_sort"] = p["target_star"].astype("Float64").fillna(0)
    p = p.sort_values(
        ["organisation_id", "star_sort", "stream_rank", "product_id"], ascending=[True, False, True, True]
    )
    best = p.drop_duplicates("organisation_id")
    return best.set_index("organisation_id")[["stream", "target_star"]]


def item_claims(
    requests: pd.DataFrame,
    products: pd.DataFrame,
    organisations: pd.DataFrame,
    norms: pd.DataFrame,
    co_financing_share: float | Mapping[str, float] | None = None,
    item_cap_vnd: int | None = None,
    organisation_cap_vnd: int | None = None,
    as_of: dt.date | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """One row per request item with the state's claim in whole đồng.

    ``claim_before_cap_vnd = min(floor(share × cost), norm, item cap)`` for eligible items, 0
    otherwise (``reason`` says why). ``co_financing_share`` (a number or ``{line: share}``)
    overrides the norms' share. With ``organisation_cap_vnd`` an organisation's item claims are
    scaled down together (largest remainder) so they sum to at most the cap: ``claim_vnd``.
    Packaging is eligible only for a product of the same organisation with target star ≥ 3;
    a trademark item takes the star and stream of the organisation's highest-target product.
    """
    shares = _check_share(co_financing_share)
    item_cap = _check_cap("item_cap_vnd", item_cap_vnd)
    org_cap = _check_cap("organisation_cap_vnd", organisation_cap_vnd)
    br = branding_norms(norms, as_of)
    orgs = organisations.set_index("organisation_id")[["unit_id", "organisation_type"]]
    unknown = sorted(set(requests["organisation_id"]) - set(orgs.index))
    if unknown:
        raise ValueError(f"Đề nghị hỗ trợ của chủ thể không có trong organisations: {unknown[:5]}")
    prod = products.set_index("product_id")[["organisation_id", "stream", "target_star"]]
    profile = _organisation_profile(products)

    out = requests[["request_id", "organisation_id", "item", "product_id", "cost_vnd"]].copy()
    out = out.join(orgs, on="organisation_id")
    is_pack = (out["item"] == "packaging").to_numpy()
    by_product = prod.reindex(out["product_id"].where(is_pack))
    by_org = profile.reindex(out["organisation_id"])
    out["stream"] = np.where(
        is_pack, by_product["stream"].to_numpy(dtype=object), by_org["stream"].to_numpy(dtype=object)
    )
    out["stream"] = out["stream"].astype("str")
    star = np.where(
        is_pack,
        by_product["target_star"].astype("Float64").to_numpy(dtype=float, na_value=np.nan),
        by_org["target_star"].astype("Float64").to_numpy(dtype=float, na_value=np.nan),
    )
    out["target_star"] = pd.array(np.where(np.isnan(star), None, star), dtype="Int64")

    star_key = np.where(is_pack, np.nan_to_num(star, nan=0).astype(int), 0)
    norm_table = br.set_index(["line", "star_key"])
    keys = pd.MultiIndex.from_arrays([out["item"], star_key])
    norm = norm_table.reindex(keys)
    out["norm_vnd"] = norm["amount_vnd"].to_numpy(dtype=float)
    share = norm["share"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    for line, value in shares.items():
        share = np.where(out["item"].to_numpy() == line, value, share)
    share = np.where(np.isnan(share), 1.0, share)  # no share in the norm: the state pays up to the norm
    out["share"] = share

    reason = np.full(len(out), "", dtype=object)
    product_org = by_product["organisation_id"].to_numpy(dtype=object)
    no_product = is_pack & pd.isna(by_product["stream"]).to_numpy()
    reason[no_product] = "không có sản phẩm"
    other_org = is_pack & ~no_product & (product_org != out["organisation_id"].to_numpy(dtype=object))
    reason[other_org & (reason == "")] = "sản phẩm của chủ thể khác"
    low_star = is_pack & ~no_product & (np.nan_to_num(star, nan=0) < MIN_PACKAGING_STAR)
    reason[low_star & (reason == "")] = "hạng sao mục tiêu dưới 3"
    no_norm = np.isnan(out["norm_vnd"].to_numpy())
    reason[no_norm & (reason == "")] = "không có định mức"
    eligible = reason == ""
    out["eligible"] = eligible
    out["reason"] = pd.array(reason.astype(str), dtype="str")

    norm_vnd = np.nan_to_num(out["norm_vnd"].to_numpy(), nan=0.0)
    limit = np.minimum(norm_vnd, item_cap)
    out["norm_vnd"] = norm_vnd.astype(np.int64)
    out["limit_vnd"] = np.where(eligible, limit, 0).astype(np.int64)
    raw = np.floor(share * out["cost_vnd"].to_numpy(dtype=float) + 1e-6)
    claim = np.where(eligible, np.minimum(raw, limit), 0.0)
    out["claim_before_cap_vnd"] = claim.astype(np.int64)
    out["claim_vnd"] = _apply_organisation_cap(out["organisation_id"], claim, org_cap)
    return out[ITEM_COLUMNS].reset_index(drop=True)


def _apply_organisation_cap(organisation_id: pd.Series, claim: np.ndarray, cap: float) -> np.ndarray:
    """Scale each organisation's item claims down to at most ``cap`` in total, exact to the đồng."""
    claim = claim.astype(np.int64)
    if not np.isfinite(cap):
        return claim
    codes, _ = pd.factorize(organisation_id)
    totals = np.bincount(codes, weights=claim.astype(float))
    capped = np.minimum(totals, np.floor(cap))
    if (capped == totals).all():
        return claim
    return split_exact(claim.astype(float), codes, capped)


def organisation_claims(items: pd.DataFrame, organisation_cap_vnd: int | None = None) -> pd.DataFrame:
    """Per organisation: ``claim_vnd = min(Σ item claims, cap)`` and the profile used for priority.

    Columns: ``organisation_id, unit_id, organisation_type, target_star, stream, items, products,
    cost_vnd, items_claim_vnd, claim_vnd`` (sorted by ``organisation_id``).
    """
    cap = _check_cap("organisation_cap_vnd", organisation_cap_vnd)
    it = items.copy()
    it["_star"] = it["target_star"].astype("Float64").fillna(0)
    it["_rank"] = it["stream"].map(STREAM_ORDER).fillna(9)
    it["_packaging"] = (it["item"] == "packaging").astype(np.int64)  # a built-in sum, not a function per group
    best = (
        it.sort_values(["organisation_id", "_star", "_rank"], ascending=[True, False, True])
        .drop_duplicates("organisation_id")
        .set_index("organisation_id")
    )
    g = it.groupby("organisation_id", sort=True).agg(
        items=("request_id", "size"),
        products=("_packaging", "sum"),
        cost_vnd=("cost_vnd", "sum"),
        items_claim_vnd=("claim_vnd", "sum"),
    )
    out = pd.DataFrame(
        {
            "organisation_id": g.index.astype("str"),
            "unit_id": best.loc[g.index, "unit_id"].to_numpy(),
            "organisation_type": best.loc[g.index, "organisation_type"].to_numpy(),
            "target_star": best.loc[g.index, "target_star"].to_numpy(),
            "stream": best.loc[g.index, "stream"].to_numpy(),
            "items": g["items"].to_numpy(dtype=np.int64),
            "products": g["products"].to_numpy(dtype=np.int64),
            "cost_vnd": g["cost_vnd"].to_numpy(dtype=np.int64),
            "items_claim_vnd": g["items_claim_vnd"].to_numpy(dtype=np.int64),
        }
    )
    out["target_star"] = out["target_star"].astype("Int64")
    claim = np.minimum(out["items_claim_vnd"].to_numpy(dtype=float), np.floor(cap))
    out["claim_vnd"] = claim.astype(np.int64)
    return out

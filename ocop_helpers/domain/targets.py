"""Products to evaluate against the published targets, and the breakdowns planners ask for.

Every breakdown lists all categories of its reference (all units of the plan, all sectors and
subgroups of QĐ 148, stars 3–5, all organisation types), with zeros where nothing is planned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from ocop_helpers.inputs.plan import ORGANISATION_TYPES, STREAMS

TARGET_STARS: tuple[int, ...] = (3, 4, 5)
UNKNOWN = "unknown"


def _share(part: pd.Series, whole: float) -> pd.Series:
    return (part / whole).astype("float64") if whole else pd.Series(0.0, index=part.index)


def stream_summary(products: pd.DataFrame, targets: Mapping[str, int]) -> pd.DataFrame:
    """Products per stream against the published targets, with a ``total`` row.

    Columns: ``stream, target, actual, difference`` (actual − target), ``target_share``,
    ``actual_share`` (shares of the respective totals).
    """
    actual = products["stream"].value_counts().reindex(list(STREAMS), fill_value=0)
    target = pd.Series({s: int(targets.get(s, 0)) for s in STREAMS})
    out = pd.DataFrame({"stream": list(STREAMS), "target": target.to_numpy(), "actual": actual.to_numpy()})
    out["target_share"] = _share(out["target"], out["target"].sum())
    out["actual_share"] = _share(out["actual"], out["actual"].sum())
    total_target = int(targets.get("total", out["target"].sum()))
    total = pd.DataFrame(
        [
            {
                "stream": "total",
                "target": total_target,
                "actual": int(out["actual"].sum()),
                "target_share": 1.0,
                "actual_share": 1.0,
            }
        ]
    )
    out = pd.concat([out, total], ignore_index=True)
    out["difference"] = out["actual"] - out["target"]
    out["stream"] = out["stream"].astype("str")
    out[["target", "actual", "difference"]] = out[["target", "actual", "difference"]].astype("int64")
    return out[["stream", "target", "actual", "difference", "target_share", "actual_share"]]


def _stream_cross(products: pd.DataFrame, key: str, index: Sequence) -> pd.DataFrame:
    counts = (
        products.groupby([key, "stream"], observed=True).size().unstack("stream", fill_value=0)
        if not products.empty
        else pd.DataFrame()
    )
    counts = counts.reindex(index=list(index), columns=list(STREAMS), fill_value=0).fillna(0)
    counts = counts.astype("int64")
    counts["total"] = counts[list(STREAMS)].sum(axis=1)
    counts["share"] = _share(counts["total"], counts["total"].sum())
    counts.index.name = key
    counts.columns.name = None
    return counts.reset_index()


def by_unit(products: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """The unit × stream cross-table: every unit of ``units`` (zeros included), in table order.

    Columns: ``unit_id, unit_name, new, reevaluation, upgrade, total, share, in_unit_list``.
    Products keyed by a unit missing from ``units`` get their own rows (``in_unit_list`` False).
    """
    known = [str(u) for u in units["unit_id"]]
    extra = sorted(set(products["unit_id"].astype(str)) - set(known))
    table = _stream_cross(products.assign(unit_id=products["unit_id"].astype(str)), "unit_id", known + extra)
    names = dict(zip(units["unit_id"].astype(str), units["unit_name"].astype(str), strict=False))
    table.insert(1, "unit_name", table["unit_id"].map(lambda u: names.get(u, u)).astype("str"))
    table["in_unit_list"] = table["unit_id"].isin(known)
    return table


def by_target_star(products: pd.DataFrame, stars: Sequence[int] = TARGET_STARS) -> pd.DataFrame:
    """Target star × stream: ``target_star, new, reevaluation, upgrade, total, share``."""
    data = products.assign(target_star=products["target_star"].astype("Int64"))
    extra = sorted(set(data["target_star"].dropna().astype(int)) - set(stars))
    return _stream_cross(data, "target_star", [*stars, *extra])


def _with_codes(products: pd.DataFrame, product_codes: pd.DataFrame) -> pd.DataFrame:
    codes = product_codes[["code", "sector", "sector_name", "group_name", "subgroup_name"]]
    joined = products.merge(codes, left_on="product_code", right_on="code", how="left")
    joined["sector"] = joined["sector"].fillna(UNKNOWN)
    return joined


def by_sector(products: pd.DataFrame, product_codes: pd.DataFrame) -> pd.DataFrame:
    """Products per QĐ 148 sector (bộ sản phẩm), every sector listed.

    Columns: ``sector, sector_name, new, reevaluation, upgrade, total, share``. Products whose
    code is not in the reference go to a ``sector`` ``unknown`` row.
    """
    joined = _with_codes(products, product_codes)
    sectors = list(pd.unique(product_codes["sector"].astype(str)))
    if (joined["sector"] == UNKNOWN).any():
        sectors.append(UNKNOWN)
    table = _stream_cross(joined, "sector", sectors)
    names = product_codes.drop_duplicates("sector").set_index("sector")["sector_name"]
    table.insert(1, "sector_name", table["sector"].map(names).fillna(UNKNOWN).astype("str"))
    return table


def by_subgroup(products: pd.DataFrame, product_codes: pd.DataFrame) -> pd.DataFrame:
    """Products per leaf of the QĐ 148 tree (phân nhóm, or nhóm without subgroups), all listed.

    Columns: ``code, sector, sector_name, group_name, subgroup_name, new, reevaluation, upgrade,
    total, share``.
    """
    codes = list(product_codes["code"].astype(str))
    extra = sorted(set(products["product_code"].astype(str)) - set(codes))
    table = _stream_cross(products.assign(code=products["product_code"].astype(str)), "code", codes + extra)
    ref = product_codes[["code", "sector", "sector_name", "group_name", "subgroup_name"]].astype({"code": "str"})
    table = ref.merge(table, on="code", how="right")
    table["sector"] = table["sector"].fillna(UNKNOWN)
    return table


def by_organisation_type(products: pd.DataFrame, organisations: pd.DataFrame) -> pd.DataFrame:
    """Products and organisations per organisation type (all types listed).

    Columns: ``organisation_type, products, organisations, share`` (share of products).
    """
    joined = products.merge(organisations[["organisation_id", "organisation_type"]], on="organisation_id", how="left")
    joined["organisation_type"] = joined["organisation_type"].fillna(UNKNOWN)
    types = list(ORGANISATION_TYPES)
    types += sorted(set(joined["organisation_type"].astype(str)) - set(types))
    grouped = joined.groupby("organisation_type", observed=True)
    out = pd.DataFrame(
        {
            "products": grouped.size().reindex(types, fill_value=0),
            "organisations": grouped["organisation_id"].nunique().reindex(types, fill_value=0),
        }
    ).astype("int64")
    out["share"] = _share(out["products"], out["products"].sum())
    out.index.name = "organisation_type"
    return out.reset_index()


def load_concentration(unit_table: pd.DataFrame, top: int = 3, heavy_factor: float = 1.5) -> dict[str, object]:
    """Which units carry most of the load: the ``top`` units and their combined share, the units
    with nothing to evaluate, and the units above ``heavy_factor`` × the mean load.

    ``unit_table`` is the output of ``by_unit``. Keys: ``top_units`` (frame ``unit_id, unit_name,
    total, share``), ``top_share``, ``zero_units`` (list of names), ``heavy_units`` (list of names),
    ``mean_load``.
    """
    ranked = unit_table.sort_values(["total", "unit_name"], ascending=[False, True])
    leaders = ranked.head(top)[["unit_id", "unit_name", "total", "share"]].reset_index(drop=True)
    mean = float(unit_table["total"].mean()) if len(unit_table) else 0.0
    return {
        "top_units": leaders,
        "top_share": float(leaders["share"].sum()),
        "zero_units": unit_table.loc[unit_table["total"] == 0, "unit_name"].tolist(),
        "heavy_units": ranked.loc[ranked["total"] > heavy_factor * mean, "unit_name"].tolist() if mean else [],
        "mean_load": mean,
    }


def thin_sectors(sector_table: pd.DataFrame, max_share: float = 0.05) -> pd.DataFrame:
    """Sectors with at most ``max_share`` of the products (zeros included), thinnest first."""
    thin = sector_table.loc[(sector_table["share"] <= max_share) & (sector_table["sector"] != UNKNOWN)]
    return thin.sort_values(["total", "sector"]).reset_index(drop=True)

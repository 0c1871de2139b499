"""Certified stock (products ≥3★) by year end, and the certificate-expiry pipeline.

Model (every rate a parameter, expected values as floats):
- start: the latest ``history`` row dated before the plan year;
- + new products × pass rate of ``new`` (upgrades do not change the count: the product is already
  in the stock and keeps its star if the upgrade fails);
- − re-evaluations falling due in the year (certificate age ≥ validity by year end) that are not
  re-evaluated (``lapse_share`` of them) and re-evaluated products that fail
  (× (1 − pass rate of ``reevaluation``));
- − ``unplanned_lapses``: certificates of the stock falling due in the year that the plan does not
  list for re-evaluation (e.g. estimated with ``cohort_due_from_history``).
A certificate that expired before the plan year is counted like one falling due (the published
stock usually still counts it) and flagged.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from ocop_helpers.core.dated import in_force
from ocop_helpers.domain.calendar import round_status

STOCK_COMPONENTS: tuple[str, ...] = (
    "start",
    "new_recognised",
    "reevaluation_failed",
    "not_reevaluated",
    "unplanned_lapses",
    "end",
)


def _year_start(year: int) -> pd.Timestamp:
    return pd.Timestamp(year=int(year), month=1, day=1)


def _year_end(year: int) -> pd.Timestamp:
    return pd.Timestamp(year=int(year), month=12, day=31)


def stock_at(history: pd.DataFrame, date: dt.date | pd.Timestamp | str) -> tuple[pd.Timestamp, int]:
    """The latest history row dated on or before ``date``: (its date, its total)."""
    rows = history.loc[pd.to_datetime(history["date"]) <= pd.Timestamp(date)]
    rows = rows.loc[rows["total"].notna()]
    if rows.empty:
        raise LookupError(f"no certified-stock history on or before {pd.Timestamp(date).date()}")
    last = rows.sort_values("date").iloc[-1]
    return pd.Timestamp(last["date"]), int(last["total"])


def start_stock(history: pd.DataFrame, year: int) -> tuple[pd.Timestamp, int]:
    """The certified stock at the start of ``year``: the latest history row dated before it."""
    return stock_at(history, _year_start(year) - pd.Timedelta(days=1))


def certificate_expiry(products: pd.DataFrame, year: int, validity_months: int, notice_days: int) -> pd.DataFrame:
    """Products with a certificate: expiry date, notice deadline, year due, and flags.

    Columns added to the product columns: ``expiry_date`` (certificate + validity), ``notice_by``
    (expiry − notice days: the producer must be notified by then), ``due_year``,
    ``expired_before_year`` (expired before 1 January of ``year``) and ``due_in_year``
    (expires by 31 December of ``year``, including already expired).
    """
    rows = products.loc[products["certificate_date"].notna()].copy()
    issued = pd.to_datetime(rows["certificate_date"])
    rows["expiry_date"] = issued + pd.DateOffset(months=validity_months)
    rows["notice_by"] = rows["expiry_date"] - pd.Timedelta(days=notice_days)
    rows["due_year"] = rows["expiry_date"].dt.year.astype("int64")
    rows["expired_before_year"] = rows["expiry_date"] < _year_start(year)
    rows["due_in_year"] = rows["expiry_date"] <= _year_end(year)
    return rows.reset_index(drop=True)


@dataclass(frozen=True)
class StockProjection:
    """Expected certified stock at the end of the plan year and what it takes to meet the target."""

    year: int
    start_date: pd.Timestamp
    start_stock: int
    stock_target: int
    pass_rates: dict[str, float]
    lapse_share: float
    new_products: int
    new_recognised: float
    reevaluations: int
    reevaluations_due: int
    expired_before_year: int
    not_reevaluated: float
    reevaluation_failed: float
    unplanned_lapses: float
    upgrades: int
    upgrades_achieved: float

    @property
    def losses(self) -> float:
        """Certificates expected to leave the stock during the year."""
        return self.not_reevaluated + self.reevaluation_failed + self.unplanned_lapses

    @property
    def end_stock(self) -> float:
        """Expected stock at year end."""
        return self.start_stock + self.new_recognised - self.losses

    @property
    def gap(self) -> float:
        """Target minus expected end stock (positive: shortfall)."""
        return self.stock_target - self.end_stock

    @property
    def can_reach(self) -> bool:
        """Whether the plan as filed reaches the target at these pass rates."""
        return self.end_stock >= self.stock_target - 1e-9

    @property
    def recognitions_needed(self) -> int:
        """New recognitions needed in the year to reach the target, given the expected losses."""
        return max(0, math.ceil(self.stock_target - (self.start_stock - self.losses) - 1e-9))

    @property
    def new_products_needed(self) -> int | None:
        """New products to put to evaluation for that many recognitions at the ``new`` pass rate."""
        rate = self.pass_rates["new"]
        if rate <= 0:
            return None if self.recognitions_needed else 0
        return math.ceil(self.recognitions_needed / rate - 1e-9)

    @property
    def required_new_pass_rate(self) -> float | None:
        """Pass rate of new products the plan as filed needs to reach the target (may exceed 1)."""
        if self.new_products == 0:
            return None
        return self.recognitions_needed / self.new_products

    @property
    def reachable_at_full_pass(self) -> bool:
        """Whether the plan could reach the target if every product evaluated passed."""
        best = self.start_stock + self.new_products - self.not_reevaluated - self.unplanned_lapses
        return best >= self.stock_target - 1e-9

    def whole(self) -> dict[str, int]:
        """The expected changes in whole products that add up: ``new_recognised``,
        ``reevaluation_failed``, ``not_reevaluated``, ``unplanned_lapses``, ``losses`` and ``end``
        (= start + new − losses = the rounded end stock). Each part is rounded to the nearest whole
        number and the few rounding units left over go to the parts closest to the next whole
        number, so a sentence never says 14 where its parts are 7 and 8."""
        names = ("new_recognised", "reevaluation_failed", "not_reevaluated", "unplanned_lapses")
        signs = (1, -1, -1, -1)
        exact = [sign * float(getattr(self, n)) for n, sign in zip(names, signs, strict=True)]
        whole = [round(v) for v in exact]
        end = round(self.end_stock)
        left = end - self.start_stock - sum(whole)
        order = sorted(range(len(exact)), key=lambda i: -abs(exact[i] - whole[i]))
        for i in order[: abs(left)]:
            whole[i] += 1 if left > 0 else -1
        out = {n: abs(w) for n, w in zip(names, whole, strict=True)}
        out["losses"] = out["reevaluation_failed"] + out["not_reevaluated"] + out["unplanned_lapses"]
        out["end"] = self.start_stock + out["new_recognised"] - out["losses"]
        return out

    def components(self, whole: bool = False) -> pd.DataFrame:
        """Waterfall rows ``component, value, cumulative`` (losses negative), start to end; with
        ``whole`` the parts of :meth:`whole` (what a document shows)."""
        w = self.whole() if whole else None
        values = [
            ("start", float(self.start_stock)),
            ("new_recognised", w["new_recognised"] if w else self.new_recognised),
            ("reevaluation_failed", -(w["reevaluation_failed"] if w else self.reevaluation_failed)),
            ("not_reevaluated", -(w["not_reevaluated"] if w else self.not_reevaluated)),
            ("unplanned_lapses", -(w["unplanned_lapses"] if w else self.unplanned_lapses)),
        ]
        frame = pd.DataFrame(values, columns=["component", "value"])
        frame["cumulative"] = frame["value"].cumsum()
        end_value = float(w["end"]) if w else self.end_stock
        end = pd.DataFrame([{"component": "end", "value": end_value, "cumulative": end_value}])
        out = pd.concat([frame, end], ignore_index=True)
        out["component"] = out["component"].astype("str")
        return out

    def summary(self) -> dict[str, float | int | bool | None]:
        """The key figures as a flat dict (for tables and the narrative)."""
        return {
            "year": self.year,
            "start_stock": self.start_stock,
            "new_products": self.new_products,
            "new_recognised": self.new_recognised,
            "reevaluations": self.reevaluations,
            "reevaluations_due": self.reevaluations_due,
            "expired_before_year": self.expired_before_year,
            "losses": self.losses,
            "end_stock": self.end_stock,
            "stock_target": self.stock_target,
            "gap": self.gap,
            "can_reach": self.can_reach,
            "recognitions_needed": self.recognitions_needed,
            "new_products_needed": self.new_products_needed,
            "required_new_pass_rate": self.required_new_pass_rate,
            "reachable_at_full_pass": self.reachable_at_full_pass,
        }


def _check_share(name: str, value: float) -> float:
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be between 0 and 1, not {value}")
    return value


def project_stock(
    products: pd.DataFrame,
    history: pd.DataFrame,
    year: int,
    stock_target: int,
    pass_rates: Mapping[str, float],
    lapse_share: float = 0.0,
    unplanned_lapses: float = 0.0,
    *,
    validity_months: int,
) -> StockProjection:
    """Project the certified stock at the end of ``year`` (see the module docstring for the model).

    ``pass_rates``: share passing per stream, keys ``new`` and ``reevaluation`` (``upgrade``
    optional, only for the count of upgrades achieved). ``lapse_share``: share of the re-evaluations
    falling due in the year that are never re-evaluated.
    """
    rates = {stream: _check_share(f"pass rate of {stream}", pass_rates[stream]) for stream in ("new", "reevaluation")}
    rates["upgrade"] = _check_share("pass rate of upgrade", pass_rates.get("upgrade", 0.0))
    lapse_share = _check_share("lapse_share", lapse_share)
    start_date, start = start_stock(history, year)

    stream = products["stream"]
    n_new = int((stream == "new").sum())
    n_up = int((stream == "upgrade").sum())
    reevaluations = products.loc[stream == "reevaluation"]
    expiry = certificate_expiry(reevaluations, year, validity_months, 0)
    due = int(expiry["due_in_year"].sum())
    expired_before = int(expiry["expired_before_year"].sum())
    not_reevaluated = due * lapse_share
    evaluated = len(reevaluations) - not_reevaluated
    return StockProjection(
        year=int(year),
        start_date=start_date,
        start_stock=start,
        stock_target=int(stock_target),
        pass_rates=rates,
        lapse_share=lapse_share,
        new_products=n_new,
        new_recognised=n_new * rates["new"],
        reevaluations=len(reevaluations),
        reevaluations_due=due,
        expired_before_year=expired_before,
        not_reevaluated=not_reevaluated,
        reevaluation_failed=evaluated * (1.0 - rates["reevaluation"]),
        unplanned_lapses=float(unplanned_lapses),
        upgrades=n_up,
        upgrades_achieved=n_up * rates["upgrade"],
    )


def stock_sensitivity(
    products: pd.DataFrame,
    history: pd.DataFrame,
    year: int,
    stock_target: int,
    new_pass_rates: Sequence[float],
    pass_rates: Mapping[str, float],
    lapse_share: float = 0.0,
    unplanned_lapses: float = 0.0,
    *,
    validity_months: int,
) -> pd.DataFrame:
    """End stock for each pass rate of new products (other rates fixed): ``new_pass_rate,
    end_stock, stock_target, gap, can_reach``."""
    rows = []
    for rate in new_pass_rates:
        projection = project_stock(
            products,
            history,
            year,
            stock_target,
            {**pass_rates, "new": rate},
            lapse_share,
            unplanned_lapses,
            validity_months=validity_months,
        )
        rows.append(
            {
                "new_pass_rate": float(rate),
                "end_stock": projection.end_stock,
                "stock_target": stock_target,
                "gap": projection.gap,
                "can_reach": projection.can_reach,
            }
        )
    return pd.DataFrame(rows)


def cohort_due_from_history(history: pd.DataFrame, due_year: int, *, validity_months: int) -> int | None:
    """Rough count of certificates falling due in ``due_year``: the net growth of the stock in the
    year they were issued (``due_year`` − validity). A lower bound (net of earlier lapses);
    ``None`` when the history does not cover that year."""
    issue_year = int(due_year) - validity_months // 12
    try:
        end_date, end = stock_at(history, _year_end(issue_year))
        _, start = stock_at(history, _year_end(issue_year - 1))
    except LookupError:
        return None
    if end_date.year != issue_year:
        return None
    return max(0, end - start)


def _shift_rounds(rounds: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """The plan's rounds repeated (same day and month) in each of ``years``."""
    base = rounds.copy()
    base["deadline"] = pd.to_datetime(base["deadline"])
    first = int(base["deadline"].dt.year.min())
    frames = []
    for target in years:
        shifted = base.copy()
        shifted["deadline"] = shifted["deadline"] + pd.DateOffset(years=int(target) - first)
        frames.append(shifted)
    out = pd.concat(frames, ignore_index=True) if frames else base.iloc[0:0]
    return out.sort_values("deadline").reset_index(drop=True)


def expiry_pipeline(
    products: pd.DataFrame,
    rounds: pd.DataFrame,
    year: int,
    years: int = 3,
    levels: Sequence[str] | None = None,
    rules: pd.DataFrame | None = None,
    units: pd.DataFrame | None = None,
    province_id: str | None = None,
    *,
    validity_months: int,
    notice_days: int,
) -> pd.DataFrame:
    """Re-evaluations falling due per product, with the latest round that can still take each.

    ``rounds`` (the plan's rounds, optionally only ``levels``) is repeated with the same dates in
    each year of the horizon; with ``rules`` (and ``units``, ``province_id``) a repeated round whose
    level is not in force on its date is dropped (see ``calendar.round_status``). Adds to
    ``certificate_expiry``'s columns: ``in_horizon`` (due in ``year`` … ``year + years − 1``, or
    already expired), ``latest_round``, ``latest_round_level``, ``latest_round_deadline`` (the last
    round whose deadline is on or before the expiry date), ``no_round_before_expiry`` (in the
    horizon but no round ends before the expiry: an expiry before the year's first round, or
    already expired) and ``next_round_deadline`` / ``next_round_level`` (the first round of the
    horizon, where such a product can be taken at the earliest).
    """

    table = certificate_expiry(products, year, validity_months, notice_days)
    horizon = list(range(int(year), int(year) + int(years)))
    table["in_horizon"] = table["due_year"].isin(horizon) | table["expired_before_year"]
    candidates = rounds if levels is None else rounds.loc[rounds["level"].isin(list(levels))]
    calendar = _shift_rounds(candidates, horizon)
    if rules is not None and not calendar.empty:
        status = round_status(calendar[["round", "level", "deadline"]], rules, units, province_id)
        calendar = status.loc[status["level_in_force"], ["round", "level", "deadline"]]
    calendar = calendar.loc[calendar["deadline"] >= _year_start(year)].sort_values("deadline")
    latest_round, latest_level, latest_deadline = [], [], []
    for expiry in table["expiry_date"]:
        usable = calendar.loc[calendar["deadline"] <= expiry]
        if usable.empty:
            latest_round.append(pd.NA)
            latest_level.append(pd.NA)
            latest_deadline.append(pd.NaT)
        else:
            last = usable.iloc[-1]
            latest_round.append(int(last["round"]))
            latest_level.append(str(last["level"]))
            latest_deadline.append(last["deadline"])
    table["latest_round"] = pd.array(latest_round, dtype="Int64")
    table["latest_round_level"] = pd.Series(latest_level, index=table.index, dtype="str")
    table["latest_round_deadline"] = pd.to_datetime(pd.Series(latest_deadline, index=table.index))
    table["no_round_before_expiry"] = table["in_horizon"] & table["latest_round_deadline"].isna()
    first = calendar.iloc[0] if not calendar.empty else None
    table["next_round_deadline"] = pd.to_datetime(
        pd.Series(first["deadline"] if first is not None else pd.NaT, index=table.index)
    )
    table["next_round_level"] = pd.Series(
        str(first["level"]) if first is not None else pd.NA, index=table.index, dtype="str"
    )
    return table


def expiry_by_year(
    pipeline: pd.DataFrame,
    year: int,
    years: int = 3,
    history: pd.DataFrame | None = None,
    *,
    validity_months: int,
) -> pd.DataFrame:
    """Re-evaluations due per year of the horizon (every year listed, zeros included).

    Columns: ``due_year``, ``due`` (from the certificate dates in the products table; expired
    before ``year`` counted in ``year``), ``expired_before_year``, ``no_round_before_expiry`` and,
    with ``history``, ``cohort_estimate`` (``cohort_due_from_history``).
    """
    horizon = list(range(int(year), int(year) + int(years)))
    due_year = pipeline["due_year"].where(~pipeline["expired_before_year"], int(year))
    due = due_year.value_counts().reindex(horizon, fill_value=0)
    expired = pipeline.loc[pipeline["expired_before_year"]].shape[0]
    missing = (
        due_year[pipeline["no_round_before_expiry"]].value_counts().reindex(horizon, fill_value=0)
        if "no_round_before_expiry" in pipeline
        else pd.Series(0, index=horizon)
    )
    out = pd.DataFrame(
        {
            "due_year": horizon,
            "due": due.to_numpy(dtype="int64"),
            "expired_before_year": [expired if y == int(year) else 0 for y in horizon],
            "no_round_before_expiry": missing.to_numpy(dtype="int64"),
        }
    )
    if history is not None:
        estimates = [cohort_due_from_history(history, y, validity_months=validity_months) for y in horizon]
        out["cohort_estimate"] = pd.array(estimates, dtype="Int64")
    return out


def expiry_stock_effect(by_year: pd.DataFrame, share_not_reevaluated: float, column: str = "due") -> pd.DataFrame:
    """Certificates lost per year if ``share_not_reevaluated`` of those due are not re-evaluated.

    Adds ``lost`` (expected, float) and ``lost_cumulative`` to ``by_year``.
    """
    share = _check_share("share_not_reevaluated", share_not_reevaluated)
    out = by_year.copy()
    out["lost"] = out[column].astype("float64").fillna(0.0) * share
    out["lost_cumulative"] = out["lost"].cumsum()
    return out


def certificate_terms(rules: pd.DataFrame, on: dt.date | pd.Timestamp | str) -> dict[str, int]:
    """``validity_months`` and ``notice_days`` of the certificate rules in force on ``on``
    (data/reference/certificate_rules.csv); raises ValueError when none or several are."""

    rows = in_force(rules, on)
    if len(rows) != 1:
        raise ValueError(
            f"certificate_rules.csv: cần đúng một quy định về thời hạn giấy chứng nhận hiệu lực ngày "
            f"{pd.Timestamp(on).date()} (có {len(rows)})"
        )
    return {"validity_months": int(rows.iloc[0]["validity_months"]), "notice_days": int(rows.iloc[0]["notice_days"])}

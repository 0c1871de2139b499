"""The evaluation calendar: rounds, which products each round scores, load and capacity.

Inputs follow the data contract: ``rounds`` (``round, level, deadline``), ``products``
(``product_id, unit_id, stream, target_star, planned_round``), ``authority_rules`` and optionally
``units`` (to know whether a local level such as the district still exists on a round's deadline).
Which level exists when comes from those tables only; no date is written here.

Routing:
- ``as_filed``: every product follows the evaluation path of the rule in force when the plan was
  filed (``filed_on``, by default the earliest round deadline) through the rounds of its
  ``planned_round``. Rounds whose level is no longer in force on their deadline keep their products
  and are flagged.
- ``rerouted``: the same, except that a step at a round whose level is not in force moves to the
  level that evaluates the product on that deadline (the first level of its path under the rule then
  in force), in the round with the same number or else the next such round by deadline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from ocop_helpers.domain.authority import evaluating_levels, evaluation_path, level_rank
from ocop_helpers.domain.units import level_exists
from ocop_helpers.inputs.plan import STREAMS

ROUTINGS: tuple[str, ...] = ("as_filed", "rerouted")

STEP_STATUSES: tuple[str, ...] = ("scheduled", "level_not_in_force", "rerouted", "no_round")

DateLike = dt.date | pd.Timestamp | str
PerLevel = int | Mapping[str, int]


def _sorted_rounds(rounds: pd.DataFrame) -> pd.DataFrame:
    out = rounds.copy()
    out["deadline"] = pd.to_datetime(out["deadline"])
    out["round"] = out["round"].astype("int64")
    out["level"] = out["level"].astype("str")
    out["_rank"] = out["level"].map(level_rank)
    return out.sort_values(["deadline", "round", "_rank"]).drop(columns="_rank").reset_index(drop=True)


def round_status(
    rounds: pd.DataFrame,
    rules: pd.DataFrame,
    units: pd.DataFrame | None = None,
    province_id: str | None = None,
) -> pd.DataFrame:
    """Every round with whether its level can sit on its deadline.

    Adds ``level_in_rules`` (the level's council scores some star under the rule in force on the
    deadline), ``units_exist`` (the province has units of that level on the deadline; ``<NA>`` when
    the units table does not describe that level) and ``level_in_force`` (both hold).
    """
    out = _sorted_rounds(rounds)
    in_rules = [lvl in evaluating_levels(rules, d) for lvl, d in zip(out["level"], out["deadline"], strict=False)]
    if units is not None and province_id is not None:
        exist = [
            level_exists(units, province_id, lvl, d) for lvl, d in zip(out["level"], out["deadline"], strict=False)
        ]
    else:
        exist = [None] * len(out)
    out["level_in_rules"] = pd.Series(in_rules, index=out.index, dtype="bool")
    out["units_exist"] = pd.Series(exist, index=out.index, dtype="boolean")
    out["level_in_force"] = out["level_in_rules"] & out["units_exist"].fillna(True).astype("bool")
    return out


def _find_round(status: pd.DataFrame, level: str, number: int, after: pd.Timestamp | None = None) -> pd.Series | None:
    """The in-force round at ``level`` numbered ``number``; else the next one after ``after``."""
    candidates = status.loc[(status["level"] == level) & status["level_in_force"]]
    same = candidates.loc[candidates["round"] == number]
    if not same.empty:
        return same.iloc[0]
    if after is None:
        return None
    later = candidates.loc[candidates["deadline"] > after].sort_values("deadline")
    return None if later.empty else later.iloc[0]


def route_products(
    products: pd.DataFrame,
    rounds: pd.DataFrame,
    rules: pd.DataFrame,
    units: pd.DataFrame | None = None,
    province_id: str | None = None,
    *,
    routing: str = "as_filed",
    filed_on: DateLike | None = None,
) -> pd.DataFrame:
    """One row per product and evaluation step: which round (level, deadline) scores it.

    Columns: ``product_id, unit_id, stream, target_star, planned_round, step, level, round,
    deadline, status, from_level``. ``status`` is ``scheduled``, ``level_not_in_force`` (as filed,
    at a level that cannot sit on the deadline), ``rerouted`` (moved from ``from_level``) or
    ``no_round`` (the plan has no round at that level, e.g. the central council; ``round`` and
    ``deadline`` empty).
    """
    if routing not in ROUTINGS:
        raise ValueError(f"routing must be one of {ROUTINGS}, not {routing!r}")
    status = round_status(rounds, rules, units, province_id)
    filed = pd.Timestamp(filed_on) if filed_on is not None else status["deadline"].min()
    all_rounds = status.set_index(["round", "level"])

    def route(star: int, current: int | None, number: int) -> list[dict]:
        """The steps of every product with this target star, current star and planned round."""
        steps: list[dict] = []
        for level in evaluation_path(rules, filed, star, current):
            base = {"level": level, "round": pd.NA, "deadline": pd.NaT, "from_level": pd.NA}
            if (number, level) not in all_rounds.index:
                steps.append({**base, "status": "no_round"})
                continue
            row = all_rounds.loc[(number, level)]
            row = row.iloc[0] if isinstance(row, pd.DataFrame) else row
            if bool(row["level_in_force"]):
                steps.append({**base, "round": number, "deadline": row["deadline"], "status": "scheduled"})
            elif routing == "as_filed":
                steps.append({**base, "round": number, "deadline": row["deadline"], "status": "level_not_in_force"})
            else:
                new_level = evaluation_path(rules, row["deadline"], star, current)[0]
                target = _find_round(status, new_level, number, after=row["deadline"])
                if target is None:
                    steps.append({**base, "level": new_level, "status": "no_round", "from_level": level})
                else:
                    steps.append(
                        {
                            "level": new_level,
                            "round": int(target["round"]),
                            "deadline": target["deadline"],
                            "status": "rerouted",
                            "from_level": level,
                        }
                    )
        seen: set[tuple] = set()
        kept: list[dict] = []
        # a step already scheduled at a round wins over one rerouted to the same round
        for item in sorted(steps, key=lambda s: s["status"] != "scheduled"):
            key = (item["level"], None if pd.isna(item["round"]) else item["round"])
            if key in seen:
                continue
            seen.add(key)
            kept.append(item)
        kept.sort(key=lambda s: (level_rank(s["level"]), pd.Timestamp.max if pd.isna(s["deadline"]) else s["deadline"]))
        return [{"step": position, **item} for position, item in enumerate(kept, start=1)]

    # A product's route depends only on (target star, current star, planned round): route each such
    # combination once and join, so the cost grows with the products only through the join.
    current = products["current_star"] if "current_star" in products else pd.Series(pd.NA, index=products.index)
    keys = pd.DataFrame(
        {
            "_star": products["target_star"].astype("int64"),
            "_current": pd.to_numeric(current, errors="coerce").fillna(-1).astype("int64"),
            "_number": products["planned_round"].astype("int64"),
        },
        index=products.index,
    )
    routes = [
        {"_star": star, "_current": cur, "_number": number, **step}
        for star, cur, number in keys.drop_duplicates().itertuples(index=False)
        for step in route(int(star), None if cur < 0 else int(cur), int(number))
    ]
    route_columns = ["_star", "_current", "_number", "step", "level", "round", "deadline", "status", "from_level"]
    joined = (
        pd.concat([products[["product_id", "unit_id", "stream"]], keys], axis=1)
        .reset_index(drop=True)
        .reset_index(names="_order")
        .merge(pd.DataFrame(routes, columns=route_columns), on=["_star", "_current", "_number"], how="inner")
        .sort_values(["_order", "step"], kind="stable")
    )
    records = joined.assign(target_star=joined["_star"], planned_round=joined["_number"])
    columns = [
        "product_id",
        "unit_id",
        "stream",
        "target_star",
        "planned_round",
        "step",
        "level",
        "round",
        "deadline",
        "status",
        "from_level",
    ]
    out = records[columns].reset_index(drop=True)
    out["product_id"] = out["product_id"].astype("str")
    out["unit_id"] = out["unit_id"].astype("str")
    out["stream"] = out["stream"].astype("str")
    out["level"] = out["level"].astype("str")
    out["status"] = out["status"].astype("str")
    out["from_level"] = out["from_level"].astype("str")
    out["target_star"] = out["target_star"].astype("Int64")
    out["planned_round"] = out["planned_round"].astype("Int64")
    out["step"] = out["step"].astype("int64")
    out["round"] = out["round"].astype("Int64")
    out["deadline"] = pd.to_datetime(out["deadline"])
    return out


def _per_level(value: PerLevel, level: str) -> int:
    if isinstance(value, Mapping):
        return int(value.get(level, value.get("default", 0)))
    return int(value)


def round_load(
    steps: pd.DataFrame,
    status: pd.DataFrame,
    *,
    products_per_session: PerLevel,
    sessions_per_round: PerLevel,
    as_of: DateLike | None = None,
    local_levels: set[str] | frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """Load and flags per round (every round of ``status``, including rounds with no products).

    Capacity of one council = ``products_per_session`` × ``sessions_per_round`` (scalars or
    per-level mappings). At a level in ``local_levels`` each unit has its own council, so the check
    is on the busiest unit's council. Columns: ``round, level, deadline, products, new,
    reevaluation, upgrade, rerouted_in, councils, max_council_load, capacity_per_council,
    over_capacity, over_capacity_units, empty, deadline_passed, days_to_deadline, level_in_rules,
    units_exist, level_in_force``.
    """
    placed = steps.loc[steps["round"].notna()]
    out = status.copy()
    rows = []
    for r in out.itertuples(index=False):
        here = placed.loc[(placed["round"] == r.round) & (placed["level"] == r.level)]
        counts = here["stream"].value_counts()
        local = r.level in local_levels
        per_unit = here.groupby("unit_id").size() if local else pd.Series([len(here)], dtype="int64")
        per_council = _per_level(products_per_session, r.level) * _per_level(sessions_per_round, r.level)
        over_units = sorted(per_unit.index[per_unit > per_council].astype(str)) if local else []
        rows.append(
            {
                "products": len(here),
                **{s: int(counts.get(s, 0)) for s in STREAMS},
                "rerouted_in": int((here["status"] == "rerouted").sum()),
                "councils": int(per_unit.size) if local else 1,
                "max_council_load": int(per_unit.max()) if len(here) else 0,
                "capacity_per_council": per_council,
                "over_capacity_units": ", ".join(over_units),
            }
        )
    load = pd.DataFrame(rows, index=out.index)
    out = pd.concat([out, load], axis=1)
    out["over_capacity"] = out["max_council_load"] > out["capacity_per_council"]
    out["empty"] = out["products"] == 0
    if as_of is None:
        out["deadline_passed"] = False
        out["days_to_deadline"] = pd.array([pd.NA] * len(out), dtype="Int64")
    else:
        day = pd.Timestamp(as_of).normalize()
        out["deadline_passed"] = out["deadline"] < day
        out["days_to_deadline"] = (out["deadline"] - day).dt.days.astype("Int64")
    columns = [
        "round",
        "level",
        "deadline",
        "products",
        *STREAMS,
        "rerouted_in",
        "councils",
        "max_council_load",
        "capacity_per_council",
        "over_capacity",
        "over_capacity_units",
        "empty",
        "deadline_passed",
        "days_to_deadline",
        "level_in_rules",
        "units_exist",
        "level_in_force",
    ]
    return out[columns].reset_index(drop=True)


@dataclass(frozen=True)
class Calendar:
    """The evaluation calendar of a plan under one routing.

    ``rounds``: one row per round (see ``round_load``); ``steps``: one row per product and step
    (see ``route_products``); ``routing``: ``as_filed`` or ``rerouted``.
    """

    rounds: pd.DataFrame
    steps: pd.DataFrame
    routing: str

    def products_in(self, round_number: int, level: str) -> pd.DataFrame:
        """The steps (products) a given round scores."""
        mask = (self.steps["round"] == round_number) & (self.steps["level"] == level)
        return self.steps.loc[mask].reset_index(drop=True)

    @property
    def unscheduled(self) -> pd.DataFrame:
        """Steps with no round in the plan (e.g. central council sessions)."""
        return self.steps.loc[self.steps["status"] == "no_round"].reset_index(drop=True)

    @property
    def warnings(self) -> pd.DataFrame:
        """Rounds needing attention, one row per (round, warning) with ``warning`` codes.

        Codes: ``level_not_in_force`` (with products as filed, or listed at all), ``over_capacity``,
        ``deadline_passed``, ``empty``.
        """
        return calendar_warnings(self.rounds)


def evaluation_calendar(
    products: pd.DataFrame,
    rounds: pd.DataFrame,
    rules: pd.DataFrame,
    units: pd.DataFrame | None = None,
    province_id: str | None = None,
    *,
    routing: str = "as_filed",
    filed_on: DateLike | None = None,
    as_of: DateLike | None = None,
    products_per_session: PerLevel = 30,
    sessions_per_round: PerLevel = 2,
) -> Calendar:
    """Route the products, then compute load, capacity and flags for every round of the plan."""
    status = round_status(rounds, rules, units, province_id)
    steps = route_products(products, rounds, rules, units, province_id, routing=routing, filed_on=filed_on)
    local = (
        frozenset(units.loc[units["province_id"] == province_id, "level"].astype(str))
        if units is not None and province_id is not None
        else frozenset()
    )
    table = round_load(
        steps,
        status,
        products_per_session=products_per_session,
        sessions_per_round=sessions_per_round,
        as_of=as_of,
        local_levels=local,
    )
    return Calendar(rounds=table, steps=steps, routing=routing)


def calendar_warnings(rounds: pd.DataFrame) -> pd.DataFrame:
    """Rounds that need attention: ``round, level, deadline, warning, products, detail``."""
    records = []
    for r in rounds.itertuples(index=False):
        if not r.level_in_force:
            records.append((r.round, r.level, r.deadline, "level_not_in_force", r.products, ""))
        if r.over_capacity:
            detail = r.over_capacity_units or f"{r.max_council_load}/{r.capacity_per_council}"
            records.append((r.round, r.level, r.deadline, "over_capacity", r.products, detail))
        if r.deadline_passed:
            records.append((r.round, r.level, r.deadline, "deadline_passed", r.products, ""))
        if r.empty and r.level_in_force:
            records.append((r.round, r.level, r.deadline, "empty", r.products, ""))
    out = pd.DataFrame(records, columns=["round", "level", "deadline", "warning", "products", "detail"])
    out["deadline"] = pd.to_datetime(out["deadline"])
    out["warning"] = out["warning"].astype("str")
    out["level"] = out["level"].astype("str")
    out["detail"] = out["detail"].astype("str")
    return out

"""The season as of a date: what happened (the results entered), and the rest of the year re-forecast.

``season_of(r) -> Season`` reads one scenario's :class:`~ocop_helpers.model.compute.Results` and the
plan's results (:attr:`Plan.season_results`, the rows dated on or before ``r.as_of``). What happened
is fixed; only the products still waiting for a round are simulated (:mod:`ocop_helpers.domain.outcomes`),
in the rounds whose deadline is after ``as_of`` (at the levels in force on their deadlines). With no
results the season is the plan's own forecast. Built once per Results object and kept on it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ocop_helpers.core.dated import in_force
from ocop_helpers.core.errors import PlanValidationError
from ocop_helpers.domain import budget, outcomes
from ocop_helpers.inputs.plan import STREAMS, OutcomeTarget
from ocop_helpers.model.compute import Results, pass_rates


@dataclass(frozen=True)
class Season:
    """One season as of ``as_of``.

    ``streams``: per evaluation stream the plan's target, products evaluated so far, recognised, not
    recognised and still waiting. ``rounds``: each round with its deadline, whether it is held by
    ``as_of`` and the level deciding on its deadline. ``stars``: recognitions so far by star.
    ``forecast``: the outcome targets (:class:`~ocop_helpers.domain.outcomes.OutcomeForecast`).
    ``lines``: per budget line planned, spent so far, left and the share spent. ``rewards_owed_vnd``:
    NQ 67 rewards due for the recognitions so far. ``organisations_*``: requesting, paid so far,
    still waiting. ``failed`` / ``waiting``: products not recognised, and products with no result.
    """

    as_of: dt.date
    has_results: bool
    targets: tuple[OutcomeTarget, ...]
    streams: pd.DataFrame
    rounds: pd.DataFrame
    stars: pd.DataFrame
    forecast: outcomes.OutcomeForecast
    stock_start: int
    stock_now: int
    lines: pd.DataFrame
    sources_left: pd.DataFrame
    rewards_owed_vnd: int
    support_paid_vnd: int
    organisations_requesting: int
    organisations_paid: int
    failed: pd.DataFrame
    waiting: pd.DataFrame
    spending_as_of: dt.date | None
    below_band: int = 0  # products not recognised whose last score is below the 3★ band
    reevaluations_due_next: int = 0  # certificates falling due next year (expiry pipeline)

    @property
    def source_note(self) -> str:
        """Where the results come from, for a source line ("kết quả đến ngày 31/12/2025")."""
        return f"kết quả đánh giá đến ngày {self.as_of.day}/{self.as_of.month}/{self.as_of.year}"

    @property
    def evaluated(self) -> int:
        return int(self.streams["evaluated"].sum())

    @property
    def recognised(self) -> int:
        return int(self.streams["recognised"].sum())

    @property
    def organisations_waiting(self) -> int:
        return self.organisations_requesting - self.organisations_paid

    @property
    def rounds_held(self) -> int:
        """Rounds (by number) whose every deadline is on or before ``as_of``."""
        return int(self.rounds.groupby("round")["held"].all().sum())


def _results_through(r: Results):
    if r.plan.season_problems:  # a results file that failed its checks: never a season without it
        raise PlanValidationError(list(r.plan.season_problems))
    found = getattr(r.plan, "season_results", None)
    if found is None:
        return None
    return found.through(r.as_of)


def final_outcomes(evaluations: pd.DataFrame) -> pd.Series:
    """product_id -> the star its evaluations end with (0: not recognised): the latest decision."""
    if evaluations.empty:
        return pd.Series(dtype="int64")
    ordered = evaluations.sort_values(["decision_date", "round"], kind="stable")
    last = ordered.groupby("product_id", sort=False).tail(1).set_index("product_id")["star"]
    return last.astype("Float64").fillna(0).astype("int64")


def rewards_owed(products: pd.DataFrame, stars: pd.Series, table: np.ndarray) -> int:
    """NQ 67/2023 rewards due for these results: first recognition, re-evaluation kept, upgrade
    achieved or star kept (the cases of :func:`ocop_helpers.domain.budget.reward_table`)."""
    got = stars[stars > 0]
    if got.empty:
        return 0
    # plain arrays: a frame's per-row lookups copy its attrs (the row numbers of a large file) each time
    p = products.set_index("product_id")
    stream = p["stream"].reindex(got.index).astype(str).to_numpy()
    star = got.to_numpy().astype(int)
    current = p["current_star"].reindex(got.index).astype("Float64").fillna(0).astype(int).to_numpy()
    current = np.where(current > 0, current, star)
    case = np.select([stream == "new", stream == "reevaluation", star > current], [0, 3, 2], 1)
    return int(np.asarray(table)[case, star].sum())


def compute_season(r: Results) -> Season:
    """The season of ``r`` as of ``r.as_of`` (see the module)."""
    plan, p = r.plan, r.params
    got = _results_through(r)
    has = got is not None and not got.empty
    evaluations = got.evaluations if has else pd.DataFrame(columns=["product_id", "round", "star", "decision_date"])
    fixed = final_outcomes(evaluations)
    products = plan.products
    as_of = pd.Timestamp(r.as_of)
    rounds = r.round_authorities.copy() if len(r.round_authorities) else plan.rounds.copy()
    rounds = rounds.assign(held=pd.to_datetime(rounds["deadline"]) <= as_of)
    rounds_left = bool((~rounds["held"]).any())
    waiting_ids = [pid for pid in products["product_id"] if pid not in fixed.index]
    unheld = waiting_ids if has and not rounds_left else []

    stock = r.stock
    # a re-evaluation falling due is never held with the stock's lapse share: it passes with
    # rate × (1 − q), q the expected lapses per re-evaluation, so the draws' mean is the projection's
    q = stock.not_reevaluated / stock.reevaluations if stock.reevaluations else 0.0
    rates = pass_rates(p)
    rates["reevaluation"] = rates["reevaluation"] * (1.0 - q)
    forecast = outcomes.outcome_draws(
        products,
        plan.organisations,
        list(plan.units["unit_id"]),
        plan.outcomes,
        rates,
        target_rate=p.target_rate,
        stock_base=stock.start_stock - stock.unplanned_lapses,
        draws=p.draws,
        seed=p.seed,
        fixed=fixed.to_dict(),
        unheld=unheld,
    )

    stream_of = products.set_index("product_id")["stream"]
    rows = []
    for s in STREAMS:
        ids = stream_of.index[stream_of == s]
        got_s = fixed.reindex(ids).dropna()
        rows.append(
            {
                "stream": s,
                "planned": plan.targets.by_stream()[s],
                "evaluated": int(len(got_s)),
                "recognised": int((got_s > 0).sum()),
                "not_recognised": int((got_s <= 0).sum()),
                "waiting": int(len(ids) - len(got_s)),
            }
        )
    streams = pd.DataFrame(rows)
    stars = pd.DataFrame({"star": [3, 4, 5], "recognised": [int((fixed == s).sum()) for s in (3, 4, 5)]})
    new_in = int(((fixed > 0) & (stream_of.reindex(fixed.index) == "new")).sum())
    re_out = int(((fixed <= 0) & (stream_of.reindex(fixed.index) == "reevaluation")).sum())

    lines = r.budget_lines[["line", "amount_vnd"]].rename(columns={"amount_vnd": "planned_vnd"})
    spent = pd.Series(dtype="int64")
    spending_as_of = None
    if has and not got.spending.empty:
        spent = got.spending.set_index("line")["spent_vnd"].astype("int64")
        spending_as_of = pd.Timestamp(got.spending["as_of"].max()).date()
    lines = lines.assign(spent_vnd=lines["line"].map(spent).fillna(0).astype("int64"))
    lines = lines.assign(left_vnd=lines["planned_vnd"] - lines["spent_vnd"])
    lines = lines.assign(share_spent=np.where(lines["planned_vnd"] > 0, lines["spent_vnd"] / lines["planned_vnd"], 0.0))
    left = lines[["line"]].assign(amount_vnd=lines["left_vnd"].clip(lower=0))
    sources_left = budget.by_source(left, r.official[0]["line_sources"], plan.issued_on)

    table = budget.reward_table(plan.norms_in_force())
    support = got.support if has else pd.DataFrame(columns=["organisation_id", "paid_vnd"])
    requesting = int(plan.organisations["requests_branding"].astype(bool).sum())
    paid_orgs = int(support.loc[support["paid_vnd"] > 0, "organisation_id"].nunique()) if len(support) else 0
    band = in_force(plan.star_bands, as_of)
    band = band[band["star"] == 3]
    floor = float(band["min_score"].iloc[0]) if len(band) else 50.0
    below = 0
    if has and len(evaluations):
        last = evaluations.sort_values(["decision_date", "round"], kind="stable").groupby("product_id").tail(1)
        below = int(((last["star"].isna()) & (last["score"] < floor)).sum())
    by_year = r.expiry_by_year
    due_next = by_year.loc[by_year["due_year"] == plan.year + 1, "due"]
    failed = products[products["product_id"].isin(fixed.index[fixed <= 0])].reset_index(drop=True)
    waiting = products[products["product_id"].isin(waiting_ids)].reset_index(drop=True)
    return Season(
        as_of=r.as_of,
        has_results=has,
        targets=plan.outcomes,
        streams=streams,
        rounds=rounds.reset_index(drop=True),
        stars=stars,
        forecast=forecast,
        stock_start=int(stock.start_stock),
        stock_now=int(stock.start_stock + new_in - re_out),
        lines=lines.reset_index(drop=True),
        sources_left=sources_left,
        rewards_owed_vnd=rewards_owed(products, fixed, table) if has else 0,
        support_paid_vnd=int(support["paid_vnd"].sum()) if len(support) else 0,
        organisations_requesting=requesting,
        organisations_paid=paid_orgs,
        failed=failed,
        waiting=waiting,
        spending_as_of=spending_as_of,
        below_band=below,
        reevaluations_due_next=int(due_next.iloc[0]) if len(due_next) else 0,
    )


def season_of(r: Results) -> Season:
    """The season of ``r`` (computed once per Results object and kept on it)."""
    cached = r.__dict__.get("_season")
    if cached is None:
        cached = compute_season(r)
        object.__setattr__(r, "_season", cached)
    return cached


__all__ = ["Season", "compute_season", "season_of", "final_outcomes", "rewards_owed"]

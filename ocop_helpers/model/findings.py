"""The decisions a scenario puts before the signer, with the options and the figures of each.

Each :class:`Decision` comes from the scenario's computed figures (and, where an option changes a
parameter, from the same model run with that change), names the options, gives for each what it
costs, how many organisations it funds fully, partly or not at all, the least-served local unit and
the risk range, and says which option the figures recommend under the current parameters. Plain
data with codes: the words are written by :mod:`ocop_helpers.document.narrative` at the edge.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd

from ocop_helpers.domain.allocation import registry as rule_registry
from ocop_helpers.domain.simulation import SimulationResult
from ocop_helpers.model.params import Params


class Model(Protocol):
    """What a decision reads of the scenario's model (:class:`ocop_helpers.model.compute.Model`):
    the same stages and cache, so an option computed here reads as in the plan. A protocol, so that
    this module does not import the model that imports it."""

    def claims(self, p: Params) -> tuple[pd.DataFrame, pd.DataFrame]: ...
    def envelope(self, p: Params) -> int: ...
    def budget_lines(self, p: Params) -> pd.DataFrame: ...
    def simulation(self, p: Params) -> SimulationResult: ...
    def allocation(self, p: Params) -> tuple[pd.DataFrame, pd.DataFrame, Any]: ...


@dataclass(frozen=True)
class Decision:
    """One decision: ``kind`` ('allocation_rule', 'branding_envelope', 'calendar', 'late_reevaluations'),
    the options as a frame (one row per option, ``option`` a code), the recommended option and the
    facts that make the question arise (``facts``: numbers the sentence quotes)."""

    kind: str
    options: pd.DataFrame
    recommended: str
    current: str
    facts: dict[str, object]


def _unit_coverage(allocations: pd.DataFrame) -> pd.DataFrame:
    """Per rule and unit: claim, grant and the share funded (units with claims only)."""
    by = allocations.groupby(["rule", "unit_id"], sort=False)[["claim_vnd", "granted_vnd"]].sum().reset_index()
    by = by[by["claim_vnd"] > 0]
    return by.assign(share=by["granted_vnd"] / by["claim_vnd"])


def rule_options(rule_table: pd.DataFrame, rule_allocations: pd.DataFrame, current: str) -> pd.DataFrame:
    """One row per rule offered to the signer (``offered`` in the rule registry) and the current one:
    organisations funded fully / partly / not at all, the least-served unit and its share, the spread
    between units, the priority-weighted share."""
    units = _unit_coverage(rule_allocations)
    rows = []
    for rule in dict.fromkeys((current, *rule_registry.offered())):
        if rule not in rule_table.index:
            continue
        t = rule_table.loc[rule]
        u = units[units["rule"] == rule].sort_values(["share", "unit_id"], kind="stable")
        rows.append(
            {
                "option": rule,
                "cost_vnd": int(t["granted_vnd"]),
                "fully_funded": int(t["fully_funded"]),
                "partly_funded": int(t["partly_funded"]),
                "not_funded": int(t["not_funded"]),
                "least_unit_id": u["unit_id"].iloc[0] if len(u) else None,
                "least_unit_share": float(u["share"].iloc[0]) if len(u) else math.nan,
                "unit_spread": float(u["share"].max() - u["share"].min()) if len(u) else math.nan,
                "weighted_coverage": float(t["weighted_coverage"]),
            }
        )
    return pd.DataFrame(rows)


def recommend_rule(options: pd.DataFrame) -> str:
    """The option that leaves the fewest organisations with nothing; among those, the highest
    priority-weighted share funded; then the best-served least-served unit."""
    ranked = options.sort_values(
        ["not_funded", "weighted_coverage", "least_unit_share", "option"],
        ascending=[True, False, False, True],
        kind="stable",
    )
    return str(ranked["option"].iloc[0])


RULE_CRITERIA: tuple[str, ...] = ("not_funded", "weighted_coverage", "least_unit_share")
"""What a rule is judged on, in the order :func:`recommend_rule` weighs them."""
MAX_OPTIONS = 4
"""A signer chooses among two to four options."""


def rule_reason(options: pd.DataFrame, recommended: str) -> tuple[str, ...]:
    """The criteria of :data:`RULE_CRITERIA` that decide for ``recommended``, in order: each one on
    which it is best among the options still tied on the criteria before it, up to the first one
    that leaves it alone (so the reason follows from the criteria shown)."""
    tied = options
    reasons: list[str] = []
    for criterion in RULE_CRITERIA:
        best = tied[criterion].min() if criterion == "not_funded" else tied[criterion].max()
        reasons.append(criterion)
        tied = tied[np.isclose(tied[criterion].astype(float), float(best))]
        if len(tied) <= 1 or recommended not in set(tied["option"]):
            break
    return tuple(reasons)


def select_rule_options(options: pd.DataFrame, current: str, recommended: str) -> pd.DataFrame:
    """At most :data:`MAX_OPTIONS` rules: the current one, the recommended one, then the best on
    the least-served unit and the one funding most organisations fully (each a different answer a
    signer may prefer), in the order of ``options``."""
    keep = [current, recommended]
    for column in ("least_unit_share", "fully_funded"):
        ranked = options.sort_values([column, "option"], ascending=[False, True], kind="stable")
        for code in ranked["option"]:
            if code not in keep:
                if len(keep) < MAX_OPTIONS:
                    keep.append(str(code))
                break
    return options[options["option"].isin(keep)].reset_index(drop=True)


def allocation_decision(rule_table: pd.DataFrame, rule_allocations: pd.DataFrame, current: str) -> Decision | None:
    """Which rationing rule, when the envelope is short of what the norms allow; None when it is not.
    The recommendation is made among every offered rule; the signer sees at most four of them."""
    if rule_table.empty or int(rule_table["requested_vnd"].iloc[0]) <= int(rule_table["granted_vnd"].max()):
        return None
    every = rule_options(rule_table, rule_allocations, current)
    recommended = recommend_rule(every)
    options = select_rule_options(every, current, recommended)
    return Decision(
        "allocation_rule",
        options,
        recommended,
        current,
        {
            "requested_vnd": int(rule_table["requested_vnd"].iloc[0]),
            "organisations": int(rule_table["organisations"].iloc[0]),
            "reason": rule_reason(options, recommended),
        },
    )


def envelope_decision(model: Model, params: Params, rule: str) -> Decision | None:
    """Whether to move money to the branding support when the norms ask for more than its envelope:
    A keep the envelope; B move to it what the reward provision holds above the high end (9 in 10
    draws) of the simulated rewards; C fund the whole need. Figures under ``rule`` (the recommended
    rule), from the same model."""
    _, orgs = model.claims(params)
    need = int(orgs["claim_vnd"].sum())
    envelope = model.envelope(params)
    if need <= envelope:
        return None
    lines = model.budget_lines(params).set_index("line")["amount_vnd"]
    sim = model.simulation(params)
    rewards_planned = int(lines.get("rewards", 0))
    summary = sim.line_summary.set_index("line")
    rewards_high = int(summary.loc["rewards", "p90_vnd"]) if "rewards" in summary.index else rewards_planned
    draws = sim.line_draws["rewards"].to_numpy() if "rewards" in sim.line_draws else np.array([])
    shortfall = need - envelope
    movable = max(0, rewards_planned - rewards_high)
    plans = [("keep", envelope, rewards_planned, 0)]
    if movable > 0:
        moved = min(movable, shortfall)
        # Whole million đồng, as budget lines are written.
        moved = int(moved // 1_000_000 * 1_000_000)
        if moved > 0:
            plans.append(("move_from_rewards", envelope + moved, rewards_planned - moved, 0))
    plans.append(("fund_need", need, rewards_planned, shortfall))
    rows = []
    for option, env, rewards, extra in plans:
        p = params.replace(rule=rule, envelope_vnd=env, budget_rewards_vnd=rewards)
        if extra:  # more than the plan's total: the figures of full funding need no rationing
            funded = {"fully_funded": int((orgs["claim_vnd"] > 0).sum()), "partly_funded": 0, "not_funded": 0}
            least, least_share = None, 1.0
        else:
            result, _, m = model.grants(p)  # no gap to the optimum needed: no MILP per option
            funded = {"fully_funded": m.fully_funded, "partly_funded": m.partly_funded, "not_funded": m.not_funded}
            by_unit = m.by_unit[m.by_unit["claim_vnd"] > 0].sort_values(["funded_share", "unit_id"], kind="stable")
            least = by_unit["unit_id"].iloc[0] if len(by_unit) else None
            least_share = float(by_unit["funded_share"].iloc[0]) if len(by_unit) else math.nan
        rows.append(
            {
                "option": option,
                "branding_vnd": int(env),
                "rewards_vnd": int(rewards),
                "extra_vnd": int(extra),
                **funded,
                "least_unit_id": least,
                "least_unit_share": least_share,
                "rewards_over_line": float((draws > rewards).mean()) if len(draws) else math.nan,
            }
        )
    options = pd.DataFrame(rows)
    recommended = "move_from_rewards" if "move_from_rewards" in set(options["option"]) else "keep"
    return Decision(
        "branding_envelope",
        options,
        recommended,
        "keep",
        {
            "need_vnd": need,
            "envelope_vnd": envelope,
            "shortfall_vnd": shortfall,
            "rewards_planned_vnd": rewards_planned,
            "rewards_high_vnd": rewards_high,
            "rule": rule,
        },
    )


def calendar_decision(
    calendar, rerouted, routing: str, products_per_session: int, sessions_per_round: int
) -> Decision | None:
    """Rounds at a level that no longer sits on their deadline, or over capacity: keep as filed or
    re-route, and the sessions the busiest council then needs."""
    rounds = calendar.rounds
    blocked = rounds[(~rounds["level_in_force"].fillna(True).astype(bool)) & (rounds["products"] > 0)]
    over = rounds[rounds["over_capacity"].astype(bool)]
    if blocked.empty and over.empty:
        return None
    if blocked.empty:
        return capacity_decision(over, products_per_session, sessions_per_round, routing)
    rows = []
    for option, cal in (("as_filed" if routing == "as_filed" else routing, calendar), ("rerouted", rerouted)):
        if cal is None or option in {r["option"] for r in rows}:
            continue
        r = cal.rounds
        stuck = r[(~r["level_in_force"].fillna(True).astype(bool)) & (r["products"] > 0)]
        busiest = r.loc[r["max_council_load"].idxmax()] if len(r) else None
        sessions = 0 if busiest is None else math.ceil(int(busiest["max_council_load"]) / products_per_session)
        rows.append(
            {
                "option": option,
                "products_blocked": int(stuck["products"].sum()),
                "products_moved": int(r["rerouted_in"].sum()),
                "busiest_round": None if busiest is None else int(busiest["round"]),
                "busiest_level": None if busiest is None else str(busiest["level"]),
                "busiest_load": 0 if busiest is None else int(busiest["max_council_load"]),
                "capacity": 0 if busiest is None else int(busiest["capacity_per_council"]),
                "sessions_needed": sessions,
                "extra_sessions": max(0, sessions - sessions_per_round),
            }
        )
    options = pd.DataFrame(rows)
    feasible = options[options["products_blocked"] == 0]
    recommended = str(feasible["option"].iloc[0]) if len(feasible) else str(options["option"].iloc[0])
    return Decision(
        "calendar",
        options,
        recommended,
        routing,
        {"products_per_session": products_per_session, "sessions_per_round": sessions_per_round},
    )


def capacity_decision(over: pd.DataFrame, products_per_session: int, sessions_per_round: int, routing: str) -> Decision:
    """Rounds whose busiest council has more products than it can score: keep the rounds as filed
    (the products above capacity are not scored by the deadline), add sessions to the round, or hold
    extra rounds when the dossiers are complete ("tổ chức thêm đợt đánh giá khi đủ hồ sơ"), each
    within the council's capacity. Figures of the busiest round over capacity."""
    busiest = over.loc[over["max_council_load"].idxmax()]
    load, capacity = int(busiest["max_council_load"]), int(busiest["capacity_per_council"])
    above = max(0, load - capacity)
    sessions = math.ceil(load / products_per_session)
    extra_rounds = math.ceil(above / capacity) if capacity > 0 else 0
    common = {
        "busiest_round": int(busiest["round"]),
        "busiest_level": str(busiest["level"]),
        "busiest_load": load,
        "capacity": capacity,
    }
    options = pd.DataFrame(
        [
            {"option": "as_filed", **common, "not_scored": above, "extra_sessions": 0, "extra_rounds": 0},
            {
                "option": "more_sessions",
                **common,
                "not_scored": 0,
                "extra_sessions": max(0, sessions - sessions_per_round),
                "extra_rounds": 0,
            },
            {
                "option": "extra_round",
                **common,
                "not_scored": 0,
                "extra_sessions": extra_rounds * sessions_per_round,
                "extra_rounds": extra_rounds,
            },
        ]
    )
    # Every product scored; a council sitting more than twice its planned sessions in one round is
    # not credible, so beyond that the extra rounds are recommended.
    more = int(options.loc[1, "extra_sessions"])
    recommended = "more_sessions" if more <= sessions_per_round else "extra_round"
    return Decision(
        "calendar",
        options,
        recommended,
        routing,
        {
            "products_per_session": products_per_session,
            "sessions_per_round": sessions_per_round,
            "capacity_only": True,
            "rounds_over": len(over),
        },
    )


def is_reorganisation(decision: Decision) -> bool:
    """A calendar decision caused by a level that no longer sits (rounds to re-route after a
    reorganisation): it belongs to the successor's document, not to the submission of the plan."""
    return (
        decision.kind == "calendar"
        and "products_blocked" in decision.options
        and int(decision.options["products_blocked"].max()) > 0
    )


def for_submission(decisions: tuple[Decision, ...]) -> tuple[Decision, ...]:
    """The decisions the submission (Tờ trình) of the plan asks for: all but the reorganisation's."""
    return tuple(d for d in decisions if not is_reorganisation(d))


def late_reevaluation_decision(schedule: pd.DataFrame, year: int, as_of: object = None) -> Decision | None:
    """Re-evaluations planned in a round whose deadline falls after the certificate expires.

    Options: ``bring_forward`` the products that have a round before their expiry to that round;
    ``extra_round``: the same, and an extra sitting when the dossiers are complete, before expiry,
    for those with no round before it whose producer can still be notified (notice date on or after
    ``as_of``; one sitting per month in which such certificates expire); ``keep`` the rounds and
    notify the organisations that their certificates lapse before they are re-evaluated.
    ``lapsing``: products whose certificate expires before they are re-evaluated."""
    late = schedule[schedule["planned_after_expiry"].astype(bool) & (schedule["due_year"] == year)]
    if late.empty:
        return None
    earliest = late["latest_round"].notna()
    no_round = late[~earliest]
    start = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp(year, 1, 1)
    reachable = no_round[pd.to_datetime(no_round["notice_by"]) >= start]
    sittings = int(pd.to_datetime(reachable["expiry_date"]).dt.to_period("M").nunique())
    rows = [
        {
            "option": "bring_forward",
            "products": int(earliest.sum()),
            "extra": 0,
            "sittings": 0,
            "lapsing": len(no_round),
        },
    ]
    if len(reachable):
        rows.append(
            {
                "option": "extra_round",
                "products": int(earliest.sum()),
                "extra": len(reachable),
                "sittings": sittings,
                "lapsing": len(no_round) - len(reachable),
            }
        )
    rows.append({"option": "keep", "products": 0, "extra": 0, "sittings": 0, "lapsing": len(late)})
    options = pd.DataFrame(rows)
    # Fewest certificates lapsing before re-evaluation; then fewest extra sittings.
    ranked = options.sort_values(["lapsing", "sittings"], kind="stable")
    return Decision(
        "late_reevaluations",
        options,
        str(ranked["option"].iloc[0]),
        "keep",
        {"late": len(late), "no_round": len(no_round), "unreachable": len(no_round) - len(reachable)},
    )


def reorganisation_calendar(decisions) -> Decision | None:
    """The calendar decision a reorganisation raises: products planned at a level that no longer sits on
    its round's deadline. It belongs to the successor's adjusted plan (``document.adjustment``), not to
    the plan as issued."""
    return next((d for d in decisions if is_reorganisation(d)), None)

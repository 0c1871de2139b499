"""One scenario, computed once: ``compute(plan, params) -> Results``.

Every consumer reads the same :class:`Results`: the notebooks (one call at the top, then display),
the plan document and its renderers, the annex writer, the JupyterLab panels and the scenario
comparison. Nothing downstream recomputes a figure or rounds it differently.

The model is a set of *stages* (calendar, claims, allocation, Monte Carlo, …). Each stage declares
the parameters it depends on (directly or through the stages it reads), so a :class:`Model` can keep
the last few results of every stage and, when a planner moves one control, recompute only the
stages that depend on it. Every computed stage is counted in :data:`STEP_COUNTS` and, when the
environment variable ``OCOP_STEP_LOG`` names a file, appended to it as ``stage<TAB>pid`` — which is
how a test proves that a build runs each expensive step once across all its processes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

import pandas as pd

from ocop_helpers.domain import (
    allocation,
    budget,
    calendar,
    claims,
    reorganisation,
    simulation,
    stock,
    summary,
    targets,
    units,
    yoy,
)
from ocop_helpers.inputs.plan import Plan
from ocop_helpers.model import findings
from ocop_helpers.model.params import ParamError, Params

# ----------------------------------------------------------------------------- stage parameters
# What each stage reads, transitively. A stage's cache key is the values of these parameters.
SCOPE = ("unit_filter",)
PASS_RATES = ("pass_rate_new", "pass_rate_reevaluation", "pass_rate_upgrade")
STOCK = (*PASS_RATES, "lapse_share")
CALENDAR = ("routing", "as_of", "products_per_session", "sessions_per_round")
LINES = ("envelope_vnd", "budget_rewards_vnd", "budget_councils_vnd", "budget_promotion_vnd", "budget_training_vnd")
CLAIMS = ("co_financing_share", "item_cap_vnd", "organisation_cap_vnd")
WEIGHTS = ("weight_star", "weight_stream", "weight_organisation_type", "weight_unit_equity", "min_grant_vnd")
# The parameters every allocation rule reads (the rules themselves are allocation.RULES).
RULE_PARAMS = (*LINES, *CLAIMS, *WEIGHTS)
ALLOCATION = (*RULE_PARAMS, "rule")
SIMULATION = (*RULE_PARAMS, *PASS_RATES, "draws", "seed", "cost_sigma", "target_rate", "kept_rate")

STAGE_PARAMS: dict[str, tuple[str, ...]] = {
    "overview": (),
    "breakdowns": SCOPE,
    "stock": STOCK,
    "routes": ("routing",),  # which round scores each product: not the councils' capacity nor the day
    "calendar": CALENDAR,
    # computed only when the calendar as filed is the one chosen, and always re-routed: not keyed by routing
    "calendar_rerouted": tuple(x for x in CALENDAR if x != "routing"),
    "expiry": (),  # the certificates falling due: the data's, whatever the parameters
    "expiry_effect": ("lapse_share",),
    "budget_lines": LINES,
    "claims": CLAIMS,
    "allocation": ALLOCATION,
    "grants": ALLOCATION,  # the allocation without the optimum (a decision's other envelopes)
    "optimum": RULE_PARAMS,  # the MILP alone: the chosen rule's gap to it does not need every rule
    "rules": RULE_PARAMS,
    "simulation": SIMULATION,
    "budget_comparison": (*SIMULATION, "rule"),
    "decisions": (*SIMULATION, *CALENDAR, "rule"),
    "year_over_year": (),
    "official": (),
    "budget_sources": LINES,
}

# Budget line code -> the parameter that overrides its amount.
LINE_PARAMS: dict[str, str] = {
    "rewards": "budget_rewards_vnd",
    "branding": "envelope_vnd",
    "councils": "budget_councils_vnd",
    "promotion": "budget_promotion_vnd",
    "training": "budget_training_vnd",
}

STEP_COUNTS: Counter[str] = Counter()
STEP_LOG_ENV = "OCOP_STEP_LOG"


def _record(stage: str, key: tuple) -> None:
    STEP_COUNTS[stage] += 1
    log = os.environ.get(STEP_LOG_ENV)
    if log:
        digest = hashlib.sha256(repr(key).encode("utf-8")).hexdigest()[:12]
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"{stage}\t{digest}\t{os.getpid()}\n")


# ----------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Results:
    """Everything one scenario shows, computed once. Frames hold codes; labels are added at display."""

    plan: Plan
    params: Params
    as_of: dt.date
    unit_names: dict[str, str]
    key_figures: pd.DataFrame
    stream_comparison: pd.DataFrame
    streams: pd.DataFrame
    unit_load: pd.DataFrame
    concentration: dict[str, object]
    scope_name: str
    sectors: pd.DataFrame
    thin_sectors: pd.DataFrame
    stars: pd.DataFrame
    organisation_types: pd.DataFrame
    stock: stock.StockProjection
    calendar: calendar.Calendar
    calendar_rerouted: calendar.Calendar | None
    expiry_by_year: pd.DataFrame
    expiry_effect: pd.DataFrame
    reevaluation_schedule: pd.DataFrame
    budget_lines: pd.DataFrame
    envelope_vnd: int
    claim_items: pd.DataFrame
    claim_organisations: pd.DataFrame
    allocation: pd.DataFrame
    item_grants: pd.DataFrame
    allocation_metrics: allocation.AllocationMetrics
    rule_allocations: pd.DataFrame
    rule_table: pd.DataFrame
    simulation: simulation.SimulationResult
    budget_comparison: pd.DataFrame
    previous: Plan | None
    year_over_year: pd.DataFrame | None
    rekeyed_units: units.RekeyResult | None
    decisions: tuple[findings.Decision, ...]
    official: tuple[dict[str, pd.DataFrame], dict]
    round_authorities: pd.DataFrame
    round_authorities_issued: pd.DataFrame
    change_dates: tuple[pd.Timestamp, ...]
    budget_sources: pd.DataFrame
    certificate_terms: dict[str, int]
    # what changed since last year and why, predecessors of a merged province included (ocop_helpers.yoy)
    year_over_year_detail: yoy.YearOverYear | None

    def changed_fields(self, other: Results | None) -> set[str]:
        """Names of the fields whose object differs from ``other``'s (what a panel must redraw)."""
        if other is None:
            return {f.name for f in fields(self)}
        return {f.name for f in fields(self) if getattr(self, f.name) is not getattr(other, f.name)}


# ----------------------------------------------------------------------------- plan-level helpers
def unit_display_names(plan: Plan) -> dict[str, str]:
    """unit_id -> kind and name as written in a document ('xã Tân Yên', 'thành phố Bắc Giang')."""
    return {r.unit_id: f"{r.unit_kind} {r.unit_name}".strip() for r in plan.units.itertuples()}


def norms_in_force(plan: Plan) -> pd.DataFrame:
    """The support norms that apply to this plan: those in force on 1 January of the plan year."""
    return plan.norms_in_force()


def planned_line(plan: Plan, line: str) -> int:
    """The plan's own amount of one budget line (đồng), 0 when the plan has no such line."""
    return int(plan.budget_lines.set_index("line")["amount_vnd"].get(line, 0))


def packaging_share(plan: Plan) -> float:
    """The state's co-financing share of packaging under the plan's norms (the largest if several)."""
    norms = claims.branding_norms(norms_in_force(plan))
    shares = norms.loc[norms["line"] == "packaging", "share"].dropna()
    if shares.empty:
        raise ValueError("định mức của kế hoạch không có tỷ lệ hỗ trợ bao bì (packaging share)")
    return float(shares.max())


def check_params(plan: Plan, params: Params) -> list[str]:
    """Parameter values this plan cannot accept (checked before anything is computed or run)."""
    problems = []
    if params.unit_filter and params.unit_filter not in set(plan.units["unit_id"]):
        problems.append(
            f"'unit_filter' = {params.unit_filter!r}: không phải đơn vị hành chính của kế hoạch "
            f"(các mã: {', '.join(sorted(plan.units['unit_id'])[:12])}…)"
        )
    total = plan.targets.budget_total_vnd
    for name in LINE_PARAMS.values():
        value = getattr(params, name)
        if value is not None and value > total:
            problems.append(f"'{name}' = {value}: lớn hơn tổng kinh phí kế hoạch ({total} đồng)")
    return problems


def as_of_date(plan: Plan, params: Params) -> dt.date:
    """The 'as of' date: the parameter, or 1 January of the plan year."""
    return params.as_of or dt.date(plan.year, 1, 1)


def priority_weights(params: Params) -> allocation.PriorityWeights:
    """Default priority weights scaled by the four importance factors of the parameters."""
    d = allocation.PriorityWeights()
    return allocation.PriorityWeights(
        star={k: v * params.weight_star for k, v in d.star.items()},
        stream={k: v * params.weight_stream for k, v in d.stream.items()},
        organisation_type={k: v * params.weight_organisation_type for k, v in d.organisation_type.items()},
        unit_equity=d.unit_equity * params.weight_unit_equity,
        base=d.base,
    )


def allocation_params(params: Params) -> allocation.AllocationParams:
    """Rationing parameters from the notebook parameters."""
    return allocation.AllocationParams(weights=priority_weights(params), min_grant_vnd=params.min_grant_vnd)


def pass_rates(params: Params) -> dict[str, float]:
    """Pass rates per stream from the parameters."""
    return {
        "new": params.pass_rate_new,
        "reevaluation": params.pass_rate_reevaluation,
        "upgrade": params.pass_rate_upgrade,
    }


# ----------------------------------------------------------------------------- the model
class Model:
    """The stages of one plan, with the last few results of each kept for what-if changes."""

    def __init__(self, plan: Plan, keep: int = 8):
        self.plan = plan
        self.keep = keep
        self._cache: dict[str, OrderedDict[tuple, Any]] = {name: OrderedDict() for name in STAGE_PARAMS}
        # The Lab refines a preview in a background thread while the kernel answers the next change:
        # the caches are read and written under this lock (a stage itself is computed outside it).
        self._lock = threading.Lock()

    @staticmethod
    def _key(name: str, params: Params) -> tuple:
        return tuple(repr(getattr(params, p)) for p in STAGE_PARAMS[name])

    def cached(self, name: str, params: Params) -> bool:
        """Whether stage ``name`` for these parameters is kept (reading it would compute nothing)."""
        with self._lock:
            return self._key(name, params) in self._cache[name]

    def _stage(self, name: str, params: Params, fn: Callable[[], Any]) -> Any:
        key = self._key(name, params)
        cache = self._cache[name]
        with self._lock:
            if key in cache:
                cache.move_to_end(key)
                return cache[key]
        value = fn()
        _record(name, key)
        with self._lock:
            cache[key] = value
            while len(cache) > self.keep:
                cache.popitem(last=False)
        return value

    # -- products -------------------------------------------------------------------------
    def overview(self, p: Params) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, str]]:
        """(key figures, published targets against the data by stream, targets by stream with shares,
        unit display names)."""
        plan = self.plan
        return self._stage(
            "overview",
            p,
            lambda: (
                summary.key_figures(plan),
                summary.stream_comparison(plan),
                targets.stream_summary(plan.products, plan.targets.by_stream() | {"total": plan.targets.total}),
                unit_display_names(plan),
            ),
        )

    def breakdowns(self, p: Params) -> dict[str, Any]:
        def run() -> dict[str, Any]:
            plan = self.plan
            names = unit_display_names(plan)
            unit_table = targets.by_unit(plan.products, plan.units)
            unit_table = unit_table.assign(unit_name=unit_table["unit_id"].map(names).fillna(unit_table["unit_name"]))
            products, scope = plan.products, "toàn tỉnh"
            if p.unit_filter:
                products = plan.products[plan.products["unit_id"] == p.unit_filter].reset_index(drop=True)
                scope = names[p.unit_filter]
            sectors = targets.by_sector(products, plan.product_codes)
            return {
                "units": unit_table,
                "concentration": targets.load_concentration(unit_table),
                "scope_name": scope,
                "sectors": sectors,
                "thin_sectors": targets.thin_sectors(sectors),
                "stars": targets.by_target_star(products),
                "organisation_types": targets.by_organisation_type(products, plan.organisations),
            }

        return self._stage("breakdowns", p, run)

    def certificate_terms(self, p: Params) -> dict[str, int]:
        """Certificate validity (months) and notice (days) in force at the start of the plan year."""
        official, _, _, _ = self.official(p)
        return stock.certificate_terms(official[0]["certificate_rules"], dt.date(self.plan.year, 1, 1))

    def stock(self, p: Params) -> stock.StockProjection:
        plan = self.plan
        terms = self.certificate_terms(p)
        return self._stage(
            "stock",
            p,
            lambda: stock.project_stock(
                plan.products,
                plan.history,
                plan.year,
                plan.targets.stock_target,
                pass_rates(p),
                lapse_share=p.lapse_share,
                validity_months=terms["validity_months"],
            ),
        )

    def _routes(self, p: Params, routing: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(status of every round, the products' steps routed to rounds): the part of
        ``calendar.evaluation_calendar`` that a council's capacity or the day looked at do not change."""
        plan = self.plan
        return self._stage(
            "routes",
            p.replace(routing=routing),
            lambda: (
                calendar.round_status(plan.rounds, plan.authority_rules, plan.units, plan.province_id),
                calendar.route_products(
                    plan.products,
                    plan.rounds,
                    plan.authority_rules,
                    plan.units,
                    plan.province_id,
                    routing=routing,
                    filed_on=plan.units_as_of,
                ),
            ),
        )

    def _calendar(self, p: Params, routing: str) -> calendar.Calendar:
        """``calendar.evaluation_calendar`` in two stages: the routing (kept across capacity changes)
        and the load of each round."""
        plan = self.plan
        status, steps = self._routes(p, routing)
        units_ = plan.units
        local = (
            frozenset(units_.loc[units_["province_id"] == plan.province_id, "level"].astype(str))
            if units_ is not None and plan.province_id is not None
            else frozenset()
        )
        table = calendar.round_load(
            steps,
            status,
            products_per_session=p.products_per_session,
            sessions_per_round=p.sessions_per_round,
            as_of=as_of_date(plan, p),
            local_levels=local,
        )
        return calendar.Calendar(rounds=table, steps=steps, routing=routing)

    def calendar(self, p: Params) -> calendar.Calendar:
        return self._stage("calendar", p, lambda: self._calendar(p, p.routing))

    def calendar_rerouted(self, p: Params) -> calendar.Calendar | None:
        """What re-routing would do, when the calendar as filed has products at a level that is gone."""
        cal = self.calendar(p)
        w = cal.warnings
        if p.routing != "as_filed" or not bool(((w["warning"] == "level_not_in_force") & (w["products"] > 0)).any()):
            return None
        return self._stage("calendar_rerouted", p, lambda: self._calendar(p, "rerouted"))

    def expiry(self, p: Params) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """(re-evaluations due per year with the ``basis`` used, stock effect, re-evaluation schedule)."""

        def run() -> tuple[pd.DataFrame, pd.DataFrame]:
            plan = self.plan
            terms = self.certificate_terms(p)
            pipe = stock.expiry_pipeline(
                plan.products,
                plan.rounds,
                plan.year,
                rules=plan.authority_rules,
                units=plan.units,
                province_id=plan.province_id,
                **terms,
            )
            by_year = stock.expiry_by_year(
                pipe, plan.year, history=plan.history, validity_months=terms["validity_months"]
            )
            estimate = by_year["cohort_estimate"] if "cohort_estimate" in by_year else by_year["due"]
            later = by_year["due_year"] > plan.year
            basis = by_year["due"].where(~later, pd.concat([by_year["due"], estimate.fillna(0)], axis=1).max(axis=1))
            by_year = by_year.assign(basis=basis.astype("int64"))
            steps = calendar.route_products(
                plan.products,
                plan.rounds,
                plan.authority_rules,
                plan.units,
                plan.province_id,
                filed_on=plan.units_as_of,
            )
            last_step = steps.dropna(subset=["deadline"]).groupby("product_id")["deadline"].max()
            finish = pipe["product_id"].map(last_step)
            schedule = pipe.assign(
                planned_deadline=finish, planned_after_expiry=(finish > pipe["expiry_date"]).fillna(False)
            )
            return by_year, schedule

        by_year, schedule = self._stage("expiry", p, run)
        # only the stock effect reads the lapse share: moving it does not redo the pipeline
        effect = self._stage(
            "expiry_effect", p, lambda: stock.expiry_stock_effect(by_year, p.lapse_share, column="basis")
        )
        return by_year, effect, schedule

    def year_over_year(
        self, p: Params
    ) -> tuple[Plan | None, pd.DataFrame | None, units.RekeyResult | None, yoy.YearOverYear | None]:
        """(last year's plan, the comparison table, last year's products re-keyed to this year's units,
        the detailed comparison with every predecessor of this plan's units — :class:`yoy.YearOverYear`)."""

        def run() -> tuple[Plan | None, pd.DataFrame | None, units.RekeyResult | None, yoy.YearOverYear | None]:
            plan = self.plan
            previous = plan.previous
            if previous is None:
                return None, None, None, None
            rekeyed = None
            if set(previous.units["unit_id"]) != set(plan.units["unit_id"]):
                mapping = units.unit_mapping(
                    plan.unit_changes, previous.units["unit_id"], previous.units_as_of, plan.units_as_of
                )
                old = targets.by_unit(previous.products, previous.units)[["unit_id", "total"]]
                rekeyed = units.rekey(old, mapping, value_columns=["total"])
            by_year = self.expiry(p)[0]
            due = by_year.loc[by_year["due_year"] == plan.year, "due"]
            detail = yoy.compare_years(plan, current_due=int(due.iloc[0]) if len(due) else None)
            return previous, yoy.headline_table(plan, [previous]), rekeyed, detail

        return self._stage("year_over_year", p, run)

    # -- budget ---------------------------------------------------------------------------
    def budget_lines(self, p: Params) -> pd.DataFrame:
        def run() -> pd.DataFrame:
            amounts = {line: getattr(p, name) for line, name in LINE_PARAMS.items() if getattr(p, name) is not None}
            return budget.plan_lines(
                self.plan.budget_lines, self.plan.targets.budget_total_vnd, amounts=amounts or None
            )

        return self._stage("budget_lines", p, run)

    def envelope(self, p: Params) -> int:
        return int(self.budget_lines(p).set_index("line")["amount_vnd"].get("branding", 0))

    def claims(self, p: Params) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(claims per request item, claims per organisation)."""

        def run() -> tuple[pd.DataFrame, pd.DataFrame]:
            plan = self.plan
            share = None if p.co_financing_share is None else {"packaging": p.co_financing_share}
            items = claims.item_claims(
                plan.requests,
                plan.products,
                plan.organisations,
                norms_in_force(plan),
                co_financing_share=share,
                item_cap_vnd=p.item_cap_vnd,
                organisation_cap_vnd=p.organisation_cap_vnd,
            )
            return items, claims.organisation_claims(items, p.organisation_cap_vnd)

        return self._stage("claims", p, run)

    def optimum(self, p: Params) -> tuple[pd.DataFrame, float]:
        """The MILP optimum on the claims and envelope: (its allocation, its weighted coverage)."""

        def run() -> tuple[pd.DataFrame, float]:
            _, orgs = self.claims(p)
            env = self.envelope(p)
            best = allocation.allocate(orgs, env, allocation.OPTIMUM, allocation_params(p))
            return best, allocation.metrics(best, env).weighted_coverage

        return self._stage("optimum", p, run)

    def rules(self, p: Params) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Every rule and the optimum on the same claims and envelope: (allocations, metrics table)."""
        _, orgs = self.claims(p)
        best, _ = self.optimum(p)
        return self._stage(
            "rules",
            p,
            lambda: allocation.compare_rules(
                orgs, self.envelope(p), params=allocation_params(p), optimum_allocation=best
            ),
        )

    def grants(self, p: Params) -> tuple[pd.DataFrame, pd.DataFrame, allocation.AllocationMetrics]:
        """(grants per organisation under the chosen rule, grants per request item, its metrics
        without the gap to the optimum): what the envelope options of a decision compare."""

        def run() -> tuple[pd.DataFrame, pd.DataFrame, allocation.AllocationMetrics]:
            plan = self.plan
            items, orgs = self.claims(p)
            env = self.envelope(p)
            result = allocation.allocate(orgs, env, p.rule, allocation_params(p))
            names = plan.organisations.set_index("organisation_id")["organisation_name"]
            result = result.assign(
                organisation_name=result["organisation_id"].map(names),
                unit_name=result["unit_id"].map(unit_display_names(plan)),
            )
            return result, allocation.distribute_to_items(items, result), allocation.metrics(result, env)

        return self._stage("grants", p, run)

    def allocation(self, p: Params) -> tuple[pd.DataFrame, pd.DataFrame, allocation.AllocationMetrics]:
        """(grants per organisation under the chosen rule, grants per request item, its metrics with
        the gap to the MILP optimum)."""

        def run() -> tuple[pd.DataFrame, pd.DataFrame, allocation.AllocationMetrics]:
            result, items, m = self.grants(p)
            _, best = self.optimum(p)
            return result, items, m.with_optimum(best)

        return self._stage("allocation", p, run)

    def simulation(self, p: Params) -> simulation.SimulationResult:
        def run() -> simulation.SimulationResult:
            plan = self.plan
            items, orgs = self.claims(p)
            sim_params = simulation.SimulationParams(
                draws=p.draws,
                seed=p.seed,
                cost_sigma=p.cost_sigma,
                pass_rate=pass_rates(p),
                target_rate=p.target_rate,
                kept_rate=p.kept_rate,
            )
            return simulation.simulate(
                items,
                orgs,
                plan.products,
                norms_in_force(plan),
                self.budget_lines(p),
                envelope_vnd=self.envelope(p),
                plan_total_vnd=plan.targets.budget_total_vnd,
                params=sim_params,
                allocation_params=allocation_params(p),
                organisation_cap_vnd=p.organisation_cap_vnd,
            )

        return self._stage("simulation", p, run)

    def budget_comparison(self, p: Params) -> pd.DataFrame:
        def run() -> pd.DataFrame:
            result, _, _ = self.allocation(p)
            return budget.budget_comparison(
                self.budget_lines(p), self.simulation(p).line_summary, int(result["granted_vnd"].sum())
            )

        return self._stage("budget_comparison", p, run)

    def decisions(self, p: Params) -> tuple[findings.Decision, ...]:
        """The decisions this scenario puts before the signer (rule, envelope, calendar, expiries)."""

        def run() -> tuple[findings.Decision, ...]:
            long, table = self.rules(p)
            rule = findings.allocation_decision(table, long, p.rule)
            envelope = findings.envelope_decision(self, p, rule.recommended if rule else p.rule)
            cal = findings.calendar_decision(
                self.calendar(p), self.calendar_rerouted(p), p.routing, p.products_per_session, p.sessions_per_round
            )
            _, _, schedule = self.expiry(p)
            late = findings.late_reevaluation_decision(schedule, self.plan.year, as_of_date(self.plan, p))
            return tuple(d for d in (rule, envelope, cal, late) if d is not None)

        return self._stage("decisions", p, run)

    def official(self, p: Params) -> tuple[tuple[dict[str, pd.DataFrame], dict], pd.DataFrame, pd.DataFrame, tuple]:
        """The official frame's dated tables and texts; each round against the map and rules in force
        on its deadline, and as the plan was issued; the dates inside the plan year they change."""

        def run() -> tuple[tuple[dict[str, pd.DataFrame], dict], pd.DataFrame, pd.DataFrame, tuple]:
            plan = self.plan
            official = plan.official
            tables = official[0]
            on_deadline = reorganisation.round_authorities(plan, plan.rounds, tables)
            issued = reorganisation.round_authorities(plan, plan.rounds, tables, at=plan.issued_on)
            return official, on_deadline, issued, tuple(reorganisation.change_dates(plan, tables))

        return self._stage("official", p, run)

    def budget_sources(self, p: Params) -> pd.DataFrame:
        """The scenario's budget lines by funding source (dated shares in force on the issue date)."""
        official, _, _, _ = self.official(p)
        return self._stage(
            "budget_sources",
            p,
            lambda: budget.by_source(self.budget_lines(p), official[0]["line_sources"], self.plan.issued_on),
        )

    # -- everything -----------------------------------------------------------------------
    def check(self, params: Params) -> None:
        """Raise ParamError for values this plan cannot accept (before anything is computed)."""
        problems = check_params(self.plan, params)
        if problems:
            raise ParamError(problems)

    def field(self, name: str, params: Params) -> Any:
        """One field of :class:`Results` for these parameters, computing only the stages it needs."""
        return FIELDS[name](self, params)

    def results(self, params: Params) -> Results:
        """The whole scenario. Raises ParamError for values this plan cannot accept."""
        self.check(params)
        return Results(**{name: getter(self, params) for name, getter in FIELDS.items()})

    def lazy(self, params: Params) -> LazyResults:
        """The scenario's fields computed when first read (the Lab: a panel that shows no simulation
        never waits for one). Same stages, same cache, so a field reads as in :meth:`results`."""
        self.check(params)
        return LazyResults(self, params)


class LazyResults:
    """:class:`Results` read field by field through the model's stage cache (for the Lab)."""

    def __init__(self, model: Model, params: Params):
        self._model, self.params, self._seen = model, params, {}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in FIELDS:
            raise AttributeError(name)
        if name not in self._seen:
            self._seen[name] = self._model.field(name, self.params)
        return self._seen[name]

    def full(self) -> Results:
        """Every field, as one frozen :class:`Results`."""
        return Results(**{name: getattr(self, name) for name in FIELDS})


def _part(stage: str, index: int | str) -> Callable[[Model, Params], Any]:
    """One part of a stage's output: a position in its tuple (the order its method's docstring
    gives) or a key of its dict (``breakdowns``)."""
    return lambda m, p: getattr(m, stage)(p)[index]


# Results field -> how the model gets it (one place: the eager results and the Lab's lazy view).
FIELDS: dict[str, Callable[[Model, Params], Any]] = {
    "plan": lambda m, p: m.plan,
    "params": lambda m, p: p,
    "as_of": lambda m, p: as_of_date(m.plan, p),
    "unit_names": _part("overview", 3),
    "key_figures": _part("overview", 0),
    "stream_comparison": _part("overview", 1),
    "streams": _part("overview", 2),
    "unit_load": _part("breakdowns", "units"),
    "concentration": _part("breakdowns", "concentration"),
    "scope_name": _part("breakdowns", "scope_name"),
    "sectors": _part("breakdowns", "sectors"),
    "thin_sectors": _part("breakdowns", "thin_sectors"),
    "stars": _part("breakdowns", "stars"),
    "organisation_types": _part("breakdowns", "organisation_types"),
    "stock": lambda m, p: m.stock(p),
    "calendar": lambda m, p: m.calendar(p),
    "calendar_rerouted": lambda m, p: m.calendar_rerouted(p),
    "expiry_by_year": _part("expiry", 0),
    "expiry_effect": _part("expiry", 1),
    "reevaluation_schedule": _part("expiry", 2),
    "budget_lines": lambda m, p: m.budget_lines(p),
    "envelope_vnd": lambda m, p: m.envelope(p),
    "claim_items": _part("claims", 0),
    "claim_organisations": _part("claims", 1),
    "allocation": _part("allocation", 0),
    "item_grants": _part("allocation", 1),
    "allocation_metrics": _part("allocation", 2),
    "rule_allocations": _part("rules", 0),
    "rule_table": _part("rules", 1),
    "simulation": lambda m, p: m.simulation(p),
    "budget_comparison": lambda m, p: m.budget_comparison(p),
    "previous": _part("year_over_year", 0),
    "year_over_year": _part("year_over_year", 1),
    "rekeyed_units": _part("year_over_year", 2),
    "decisions": lambda m, p: m.decisions(p),
    "official": _part("official", 0),
    "round_authorities": _part("official", 1),
    "round_authorities_issued": _part("official", 2),
    "change_dates": _part("official", 3),
    "budget_sources": lambda m, p: m.budget_sources(p),
    "certificate_terms": lambda m, p: m.certificate_terms(p),
    "year_over_year_detail": _part("year_over_year", 3),
}


# Results field -> the stages its value comes from (directly; a stage's parameters are transitive).
FIELD_STAGES: dict[str, tuple[str, ...]] = {
    "plan": (),
    "params": (),
    "as_of": (),
    **dict.fromkeys(("unit_names", "key_figures", "stream_comparison", "streams"), ("overview",)),
    **dict.fromkeys(
        ("unit_load", "concentration", "scope_name", "sectors", "thin_sectors", "stars", "organisation_types"),
        ("breakdowns",),
    ),
    "stock": ("stock",),
    "calendar": ("calendar",),
    "calendar_rerouted": ("calendar", "calendar_rerouted"),
    **dict.fromkeys(("expiry_by_year", "reevaluation_schedule"), ("expiry",)),
    "expiry_effect": ("expiry", "expiry_effect"),
    "budget_lines": ("budget_lines",),
    "envelope_vnd": ("budget_lines",),
    **dict.fromkeys(("claim_items", "claim_organisations"), ("claims",)),
    **dict.fromkeys(("allocation", "item_grants", "allocation_metrics"), ("allocation",)),
    **dict.fromkeys(("rule_allocations", "rule_table"), ("rules",)),
    "simulation": ("simulation",),
    "budget_comparison": ("budget_comparison",),
    **dict.fromkeys(("previous", "year_over_year", "rekeyed_units", "year_over_year_detail"), ("year_over_year",)),
    "decisions": ("decisions",),
    **dict.fromkeys(("official", "round_authorities", "round_authorities_issued", "change_dates"), ("official",)),
    "budget_sources": ("budget_sources",),
    "certificate_terms": ("official",),
}
# Fields whose own value is a parameter (not a stage's output).
FIELD_OWN_PARAMS: dict[str, tuple[str, ...]] = {"as_of": ("as_of",), "params": ("*",)}


def field_params(name: str) -> frozenset[str]:
    """The parameters one :class:`Results` field can change with (``*``: any of them)."""
    own = FIELD_OWN_PARAMS.get(name, ())
    return frozenset(own).union(*(STAGE_PARAMS[s] for s in FIELD_STAGES[name]))


def preview_params(params: Params, draws: int) -> Params | None:
    """The same scenario with at most ``draws`` Monte Carlo draws; None when it already has no more."""
    return params.replace(draws=draws) if params.draws > draws else None


def compute(plan: Plan, params: Params) -> Results:
    """Run the whole model once for one scenario."""
    return Model(plan).results(params)

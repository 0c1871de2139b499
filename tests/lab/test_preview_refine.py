"""The Lab answers first and refines after, and recomputes only what a change touches.

A change that needs a new Monte Carlo draws the panels that read it from a preview (fewer draws,
marked "Xem trước"), then refines them to the scenario's own draws: the refined panels equal what
the build shows. The step log (``compute.STEP_COUNTS``) proves which stages ran; the greyed panels
are the ones whose figures can change.
"""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest

from ocop_helpers.core import vnformat
from ocop_helpers.inputs import loading
from ocop_helpers.lab import panels, workbench
from ocop_helpers.model import compute, params
from ocop_helpers.render import notebook
from tests.support.plans import DEFAULT_PLAN, DEMO_PLAN


@pytest.fixture(scope="module")
def plan():
    notebook.setup_notebook()  # charts as SVG, as in the notebooks
    return loading.load_plan(DEFAULT_PLAN)


def output_html(out) -> str:
    return "".join(o.get("data", {}).get("text/html", "") for o in out.outputs)


def state_of(bench: workbench.Workbench, panel) -> workbench._PanelState:
    return next(s for s in bench._panels if s.panel is panel)


def built_html(plan, values: dict, panel) -> str:
    """What the build shows for this panel: a fresh computation of the same values."""
    fresh = compute.compute(plan, params.Params(values))
    return "".join(o.get("data", {}).get("text/html", "") for o in notebook.output_records(*panel.render(fresh)))


def greyed_during(bench: workbench.Workbench, changes: dict) -> list:
    """Apply ``changes`` and return the panels greyed while the answer was computed."""
    seen: list = []
    original = bench._set_busy

    def spy(busy, owner=None, stale=None):
        if busy:
            seen.append([s.panel for s in (bench._panels if stale is None else stale)])
        original(busy, owner, stale)

    bench._set_busy = spy
    try:
        assert bench.apply(changes)
    finally:
        bench._set_busy = original
    assert len(seen) == 1
    return seen[0]


def test_preview_first_then_refined_figures_equal_the_build(plan):
    bench = workbench.Workbench(plan, params.Params({}), refine="manual")
    for p in (panels.STOCK, panels.RISKS):
        bench.panel(p)
    risks, stock = state_of(bench, panels.RISKS), state_of(bench, panels.STOCK)
    stock_before = output_html(stock.out)
    assert bench.apply({"cost_sigma": 0.35})
    n = bench.preview_draws
    assert n < params.specs()["draws"].default
    assert f"Xem trước ({n:,} lượt mô phỏng)".replace(",", ".") in risks.msg.value
    assert "ocop-preview" in risks.out._dom_classes
    assert bench.results.simulation.params.draws == n, "the first answer comes from the preview's draws"
    assert not stock.preview and output_html(stock.out) == stock_before, "a panel without the draws is untouched"
    assert not bench.refined
    bench.wait_refined()
    assert bench.refined and risks.msg.value == ""
    assert "ocop-preview" not in risks.out._dom_classes
    assert bench.results.simulation.params.draws == params.specs()["draws"].default
    assert output_html(risks.out) == built_html(plan, bench.values, panels.RISKS), "refined = built"


def test_at_once_mode_never_shows_a_preview(plan):
    bench = workbench.Workbench(plan, params.Params({"draws": 2000}))
    bench.panel(panels.RISKS)
    assert bench.apply({"cost_sigma": 0.4})
    assert bench.refined and "Xem trước" not in state_of(bench, panels.RISKS).msg.value
    assert bench.results.simulation.params.draws == 2000


def test_a_burst_of_changes_refines_only_the_last(plan):
    bench = workbench.Workbench(plan, params.Params({}), refine="manual")
    bench.panel(panels.RISKS)
    compute.STEP_COUNTS.clear()
    for sigma in (0.31, 0.32, 0.33):
        assert bench.apply({"cost_sigma": sigma})
    assert compute.STEP_COUNTS["simulation"] == 3, "three previews"
    bench.wait_refined()
    assert compute.STEP_COUNTS["simulation"] == 4, "one full Monte Carlo: only the last value is refined"
    assert bench.results.simulation.params.cost_sigma == 0.33
    bench.wait_refined()
    assert compute.STEP_COUNTS["simulation"] == 4, "nothing left to refine"


def test_background_refinement_ends_with_the_last_change(plan):
    bench = workbench.Workbench(plan, params.Params({"draws": 3000}), refine="background")
    bench.panel(panels.RISKS)
    bench.apply({"cost_sigma": 0.41})
    bench.apply({"cost_sigma": 0.42})  # supersedes the first: its refinement is dropped
    bench.wait_refined(timeout=300)
    assert bench.refined
    fresh = compute.compute(plan, params.Params(bench.values))
    assert bench.results.simulation.params.cost_sigma == 0.42
    assert bench.results.simulation.prob_overrun == fresh.simulation.prob_overrun
    assert output_html(state_of(bench, panels.RISKS).out) == built_html(plan, bench.values, panels.RISKS)


def test_back_to_a_computed_value_needs_no_preview(plan):
    bench = workbench.Workbench(plan, params.Params({}), refine="manual")
    bench.panel(panels.RISKS)
    bench.apply({"cost_sigma": 0.5})
    bench.wait_refined()
    compute.STEP_COUNTS.clear()
    bench.apply({"cost_sigma": params.specs()["cost_sigma"].default})
    risks = state_of(bench, panels.RISKS)
    assert "simulation" not in compute.STEP_COUNTS, "the full Monte Carlo of the first value is kept"
    assert "Xem trước" not in risks.msg.value and "đang vẽ lại biểu đồ" in risks.msg.value, "only the charts follow"
    bench.wait_refined()
    assert bench.refined and "simulation" not in compute.STEP_COUNTS


def test_a_weight_runs_no_calendar_and_greys_only_what_it_can_change(plan):
    bench = workbench.Workbench(plan, params.Params({}))
    for p in (panels.CALENDAR, panels.STOCK, panels.EXPIRY, panels.ALLOCATION, panels.COMPARISON, panels.RISKS):
        bench.panel(p)
    calendar_before = output_html(state_of(bench, panels.CALENDAR).out)
    compute.STEP_COUNTS.clear()
    greyed = greyed_during(bench, {"weight_star": 2.0})
    assert set(greyed) == {panels.ALLOCATION, panels.COMPARISON, panels.RISKS}
    assert "calendar" not in compute.STEP_COUNTS and "stock" not in compute.STEP_COUNTS
    assert "claims" not in compute.STEP_COUNTS, "weights do not change the claims"
    assert {"rules", "allocation"} <= set(compute.STEP_COUNTS)
    assert output_html(state_of(bench, panels.CALENDAR).out) == calendar_before


def test_the_envelope_redoes_no_calendar_nor_claims(plan):
    bench = workbench.Workbench(plan, params.Params({}))
    for p in (panels.CALENDAR, panels.BUDGET_LINES, panels.CLAIMS, panels.RISKS):
        bench.panel(p)
    compute.STEP_COUNTS.clear()
    greyed = greyed_during(bench, {"envelope_vnd": 4_500_000_000})
    assert panels.CALENDAR not in greyed
    assert {panels.BUDGET_LINES, panels.CLAIMS, panels.RISKS} <= set(greyed)
    assert "calendar" not in compute.STEP_COUNTS and "claims" not in compute.STEP_COUNTS
    assert compute.STEP_COUNTS["simulation"] == 1


def test_the_rule_does_not_redraw_the_outcome_draws(plan):
    bench = workbench.Workbench(plan, params.Params({}))
    for p in (panels.CALENDAR, panels.ALLOCATION, panels.RISKS):
        bench.panel(p)
    compute.STEP_COUNTS.clear()
    greyed = greyed_during(bench, {"rule": "equal_awards"})
    assert panels.CALENDAR not in greyed
    assert "simulation" not in compute.STEP_COUNTS and "claims" not in compute.STEP_COUNTS
    assert "allocation" in compute.STEP_COUNTS


def test_the_calendar_capacity_greys_only_the_calendar(plan):
    bench = workbench.Workbench(plan, params.Params({}))
    for p in (panels.CALENDAR, panels.STOCK, panels.ALLOCATION, panels.RISKS):
        bench.panel(p)
    compute.STEP_COUNTS.clear()
    assert greyed_during(bench, {"products_per_session": 12}) == [panels.CALENDAR]
    assert set(compute.STEP_COUNTS) <= {"calendar", "calendar_rerouted"}


@pytest.mark.parametrize(
    "name, value",
    [
        ("weight_star", 3.0),
        ("envelope_vnd", 1_000_000_000),
        ("products_per_session", 7),
        ("lapse_share", 0.3),
        ("pass_rate_new", 0.4),
        ("rule", "equal_awards"),
        ("item_cap_vnd", 20_000_000),
    ],
)
def test_a_field_that_does_not_depend_on_a_parameter_is_not_recomputed(name, value):
    """compute.field_params is what the Lab greys by: a field outside it must come back unchanged."""
    demo = loading.load_plan(DEMO_PLAN)
    model = compute.Model(demo)
    base = params.Params({"draws": 200})
    before = model.results(base)
    after = model.results(base.replace(**{name: value}))
    for f in compute.FIELDS:
        if name not in compute.field_params(f) and "*" not in compute.field_params(f):
            a, b = getattr(before, f), getattr(after, f)
            assert a is b or (isinstance(a, int | float | str | dt.date | dict) and a == b), f
    assert any(name in compute.field_params(f) for f in compute.FIELDS)


def test_the_lapse_share_redoes_only_the_stock_effect_of_expiries(plan):
    bench = workbench.Workbench(plan, params.Params({}))
    for p in (panels.STOCK, panels.EXPIRY, panels.CALENDAR, panels.RISKS):
        bench.panel(p)
    compute.STEP_COUNTS.clear()
    assert set(greyed_during(bench, {"lapse_share": 0.3})) == {panels.STOCK, panels.EXPIRY}
    assert set(compute.STEP_COUNTS) == {"stock", "expiry_effect"}, "the pipeline of expiries is not redone"


def test_the_council_size_does_not_reroute_and_the_calendar_is_the_domain_s(plan):
    """The model's calendar is ``calendar.evaluation_calendar``'s, with the routing kept across a
    change of the councils' capacity."""
    from ocop_helpers.domain import calendar

    model = compute.Model(plan)
    base = params.Params({})
    model.calendar(base)
    compute.STEP_COUNTS.clear()
    changed = base.replace(products_per_session=9, sessions_per_round=3)
    mine = model.calendar(changed)
    assert set(compute.STEP_COUNTS) == {"calendar"}, "the products are not routed again"
    direct = calendar.evaluation_calendar(
        plan.products,
        plan.rounds,
        plan.authority_rules,
        plan.units,
        plan.province_id,
        routing=changed.routing,
        filed_on=plan.units_as_of,
        as_of=compute.as_of_date(plan, changed),
        products_per_session=9,
        sessions_per_round=3,
    )
    assert mine.rounds.equals(direct.rounds) and mine.steps.equals(direct.steps)


def chart_svgs(out) -> list[str]:
    """The SVG charts of an Output, with vl-convert's clip-path numbers (counted per process) left out."""
    return [svg_text(o["data"]["image/svg+xml"]) for o in getattr(out, "outputs", out) if "image/svg+xml" in o["data"]]


def svg_text(svg: str) -> str:
    return re.sub(r"clip\d+", "clip", svg)


def test_the_first_answer_shows_new_figures_and_the_charts_follow(plan):
    """A change with no Monte Carlo: the panel's tables are new at once, its chart is the last one
    faded and labelled until the refinement draws the new one; then the panel equals the build."""
    bench = workbench.Workbench(plan, params.Params({}), refine="manual")
    bench.panel(panels.CALENDAR)
    cal = state_of(bench, panels.CALENDAR)
    old_svgs = chart_svgs(cal.out)
    assert old_svgs, "the calendar panel has a chart"
    assert bench.apply({"products_per_session": 7})
    built = compute.compute(plan, params.Params(bench.values))
    built_records = notebook.output_records(*panels.CALENDAR.render(built))
    want_tables = [o["data"]["text/html"] for o in built_records if "text/html" in o["data"]]
    first = [o["data"].get("text/html", "") for o in cal.out.outputs]
    assert not chart_svgs(cal.out), "no chart is drawn in the first answer"
    pending = [h for h in first if "ocop-chart-pending" in h]
    assert len(pending) == len(old_svgs) and all(svg in svg_text(h) for svg, h in zip(old_svgs, pending, strict=True))
    assert [h for h in first if "ocop-chart-pending" not in h] == want_tables, "the figures are the new ones"
    assert cal.preview and "đang vẽ lại biểu đồ" in cal.msg.value and "ocop-preview" in cal.out._dom_classes
    bench.wait_refined()
    assert bench.refined and cal.msg.value == "" and "ocop-preview" not in cal.out._dom_classes
    assert chart_svgs(cal.out) == chart_svgs(built_records)
    assert chart_svgs(cal.out) != old_svgs, "the new chart shows the new capacity"


def test_drafting_builds_no_chart(plan):
    import altair as alt

    from ocop_helpers.document import charts

    by_year = compute.Model(plan).expiry(params.Params({}))[0]
    with charts.drafting():
        pending = charts.expiry_pipeline_chart(by_year)
        assert isinstance(pending, charts.PendingChart) and pending.builder == "expiry_pipeline_chart"
    assert isinstance(charts.expiry_pipeline_chart(by_year), alt.TopLevelMixin), "built again after the block"


def test_a_minimum_grant_makes_the_preview_smaller(plan):
    """With a minimum grant every rule does more work per draw: the preview takes fewer draws so that
    its work stays about the same; never fewer than the floor, never more than the cap."""
    minimum = params.Params({"min_grant_vnd": 5_000_000})
    assert workbench.preview_draws(plan, params.Params({})) == workbench.preview_draws(plan) == workbench.PREVIEW_DRAWS
    for organisations in (1_000, 2_000, 5_000, 50_000):
        sized = SimpleNamespace(organisations=range(organisations))
        plain, with_min = workbench.preview_draws(sized), workbench.preview_draws(sized, minimum)
        assert workbench.PREVIEW_MIN_DRAWS <= with_min <= plain <= workbench.PREVIEW_DRAWS, organisations
        if plain > workbench.PREVIEW_MIN_DRAWS:
            assert with_min < plain, organisations
    # more organisations than the default plan: the Lab's first answer is drawn from the smaller preview
    big = SimpleNamespace(organisations=range(2 * len(plan.organisations)))
    assert workbench.preview_draws(big, minimum) < workbench.preview_draws(big)
    with_min = workbench.preview_draws(plan, minimum)
    bench = workbench.Workbench(plan, params.Params({}), refine="manual")
    bench.panel(panels.RISKS)
    assert bench.apply({"min_grant_vnd": 5_000_000})
    assert bench.results.simulation.params.draws == with_min
    assert f"Xem trước ({vnformat.number(with_min)} lượt mô phỏng)" in state_of(bench, panels.RISKS).msg.value

"""The what-if workbench without a browser: real ipywidgets objects, driven through their values."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from ocop_helpers import build, compute, io, panels, params, widgets

from .conftest import DEFAULT_PLAN, DEMO_PLAN


@pytest.fixture(scope="module")
def plan():
    from ocop_helpers import report

    report.setup_notebook()  # charts as SVG, as in the notebooks
    return io.load_plan(DEFAULT_PLAN)


def controls_of(box) -> dict:
    found = {}

    def walk(w):
        for cls in getattr(w, "_dom_classes", ()):
            if cls.startswith("ocop-ctl-"):
                found[cls[len("ocop-ctl-") :]] = w
        for child in getattr(w, "children", ()):
            walk(child)

    walk(box)
    return found


def by_class(box, cls: str):
    if cls in getattr(box, "_dom_classes", ()):
        return box
    for child in getattr(box, "children", ()):
        hit = by_class(child, cls)
        if hit is not None:
            return hit
    return None


def output_html(out) -> str:
    return "".join(o.get("data", {}).get("text/html", "") for o in out.outputs)


def key(out) -> str:
    return re.findall(r'class="ocop-key"[^>]*>([^<]+)<', output_html(out))[0]


def test_static_mode_creates_no_widgets(plan, monkeypatch):
    import ipywidgets

    made = []
    monkeypatch.setattr(ipywidgets.Widget, "__init__", lambda self, **kw: made.append(type(self)))
    P = params.Params({"interactive": False})
    results, bench = widgets.start(P, plan)
    assert bench is None
    widgets.section(None, results, panels.STOCK)
    assert made == []


def test_percent_and_money_controls_convert_both_ways():
    c = widgets.Control("pass_rate_new", "x", "percent")
    assert widgets.to_widget_value(c, 0.85) == 85 and widgets.from_widget_value(c, 85) == 0.85
    m = widgets.Control("envelope_vnd", "x", "billion", fallback=5_200_000_000)
    assert widgets.to_widget_value(m, None) == 5.2 and widgets.from_widget_value(m, 6.15) == 6_150_000_000
    assert widgets.scenario_slug("Kịch bản Đợt 2!") == "kich-ban-dot-2"


def test_moving_a_control_redraws_its_view(plan):
    bench = widgets.Workbench(plan, params.Params({}))
    box = bench.panel(panels.STOCK)
    out = by_class(box, "ocop-view")
    before = key(out)
    controls_of(box)["pass_rate_new"].value = 90
    after = key(out)
    assert before != after
    assert bench.values["pass_rate_new"] == 0.9
    expected = compute.compute(plan, params.Params({"pass_rate_new": 0.9})).stock.end_stock
    assert after == f"{round(expected):,}".replace(",", ".")


def test_a_value_the_model_rejects_keeps_the_last_result_and_says_why(plan):
    bench = widgets.Workbench(plan, params.Params({}))
    lines = bench.panel(panels.BUDGET_LINES)
    alloc = bench.panel(panels.ALLOCATION)
    out, msg = by_class(alloc, "ocop-view"), by_class(lines, "ocop-msg")
    before = output_html(out)
    controls_of(lines)["envelope_vnd"].value = 25.0  # tỷ đồng: more than the 20,9 tỷ total
    assert "ocop-msg-error" in msg.value and "lớn hơn tổng kinh phí" in msg.value
    assert by_class(alloc, "ocop-msg").value == "", "the message belongs next to the control that caused it"
    assert output_html(out) == before
    assert controls_of(lines)["envelope_vnd"].value != 25.0, "a refused value is not left in the control"
    controls_of(alloc)["min_grant_vnd"].value = -5  # triệu đồng: negative, rejected by the registry
    assert "không nhỏ hơn 0" in by_class(alloc, "ocop-msg").value
    controls_of(lines)["envelope_vnd"].value = 4.0
    assert msg.value == "" and output_html(out) != before


def test_a_change_redraws_every_panel_whose_figures_depend_on_it(plan):
    """The envelope sits in the budget-lines panel; the claims, allocation, comparison and risk panels
    read it and must show the new figures, while panels that do not depend on it are left alone."""
    bench = widgets.Workbench(plan, params.Params({}))
    boxes = {
        p.title: bench.panel(p)
        for p in (panels.BUDGET_LINES, panels.CLAIMS, panels.ALLOCATION, panels.COMPARISON, panels.RISKS, panels.STOCK)
    }
    before = {t: output_html(by_class(b, "ocop-view")) for t, b in boxes.items()}
    controls_of(boxes[panels.BUDGET_LINES.title])["envelope_vnd"].value = 4.5
    after = {t: output_html(by_class(b, "ocop-view")) for t, b in boxes.items()}
    for p in (panels.CLAIMS, panels.ALLOCATION, panels.COMPARISON, panels.RISKS):
        assert after[p.title] != before[p.title], f"{p.title} kept the old figures"
    assert after[panels.STOCK.title] == before[panels.STOCK.title]
    assert "4,5 tỷ đồng" in after[panels.CLAIMS.title]
    # What the panels show is what a fresh computation of the same values shows.
    fresh = compute.compute(plan, params.Params(bench.values))
    assert bench.results.allocation_metrics.as_series().equals(fresh.allocation_metrics.as_series())
    assert bench.results.simulation.prob_overrun == fresh.simulation.prob_overrun


def test_weights_cover_the_whole_parameter_range(plan):
    for c in panels.ALLOCATION.controls(plan):
        if c.name.startswith("weight_"):
            spec = params.specs()[c.name]
            assert (c.minimum, c.maximum) == (spec.minimum, spec.maximum) and c.display == "float"


@pytest.mark.slow
def test_save_reset_and_build_reproduce_the_widget_numbers(tmp_path, monkeypatch):
    monkeypatch.setenv("OCOP_SCENARIO_DIR", str(tmp_path / "scenarios"))
    plan = io.load_plan(DEMO_PLAN)
    bench = widgets.Workbench(plan, params.Params({"plan_dir": str(DEMO_PLAN), "province": "demo", "year": 2027}))
    box = bench.panel(panels.STOCK)
    ctl = controls_of(box)
    ctl["pass_rate_new"].value = 35
    ctl["lapse_share"].value = 40
    shown = key(by_class(box, "ocop-view"))
    message, ok = bench.save("Thử nghiệm 1")
    assert ok, message
    path = tmp_path / "scenarios" / "thu-nghiem-1.yaml"
    saved = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert saved["pass_rate_new"] == 0.35 and saved["lapse_share"] == 0.4 and saved["scenario"] == "thu-nghiem-1"
    assert "results_path" not in saved
    again, ok = bench.save("Thử nghiệm 1")
    assert not ok and "Ghi đè" in again
    assert bench.save("Thử nghiệm 1", overwrite=True)[1]
    bench.reset()
    assert ctl["pass_rate_new"].value == 100 * params.specs()["pass_rate_new"].default
    assert key(by_class(box, "ocop-view")) != shown
    result = build.build(DEMO_PLAN, params_files=[path], out_root=tmp_path / "out", progress=lambda line: None)
    import nbformat

    built = nbformat.read(result.out_dir / "10-product-targets.ipynb", as_version=4)
    page = "".join(
        o.get("data", {}).get("text/html", "") for c in built.cells if c.cell_type == "code" for o in c.outputs
    )
    assert re.findall(r'class="ocop-key"[^>]*>([^<]+)<', page)[0] == shown
    assert json.loads(result.manifest.read_text())["scenario"] == "thu-nghiem-1"


def test_co_financing_control_shows_the_packaging_norm_and_leaves_trademarks_alone(plan):
    ctl = next(c for c in panels.CLAIMS.controls(plan) if c.name == "co_financing_share")
    assert widgets.to_widget_value(ctl, None) == 50
    model = compute.Model(plan)
    base, _ = model.claims(params.Params({}))
    lower, _ = model.claims(params.Params({"co_financing_share": 0.3}))
    tm = base["item"] == "trademark"
    assert (lower.loc[tm, "claim_vnd"] == base.loc[tm, "claim_vnd"]).all()
    assert lower.loc[~tm, "claim_vnd"].sum() < base.loc[~tm, "claim_vnd"].sum()

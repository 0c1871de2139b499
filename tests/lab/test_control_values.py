"""Every kind of Lab control takes what a Vietnamese planner types, shows the value the same way, and
refuses what it cannot read with a Vietnamese message while keeping the last good value (issue #23).

Driven through real ipywidgets objects: the text typed into a control's box (``Field.box``), its
slider, and the value the workbench handed to the model (``Workbench.values``)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from ocop_helpers.core import vnformat
from ocop_helpers.inputs import loading
from ocop_helpers.lab import combine, controls, panels, workbench
from ocop_helpers.model import params
from ocop_helpers.model.compute import unit_display_names
from ocop_helpers.render import notebook
from ocop_helpers.runs import build
from tests.support.plans import DEFAULT_PLAN


@pytest.fixture(scope="module")
def plan():
    notebook.setup_notebook()
    return loading.load_plan(DEFAULT_PLAN)


def fields_of(box) -> dict:
    """name -> the control's Field (the widget with class ocop-ctl-<name>)."""
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


def control(plan, panel, name: str) -> controls.Control:
    return next(c for c in panel.controls(plan) if c.name == name)


def notebook_panels() -> dict[str, list]:
    """Notebook -> the panels it shows (from its widgets.section calls)."""
    out = {}
    for nb in build.plan_notebooks():
        names = re.findall(r"widgets\.section\(bench, R, panels\.(\w+)\)", nb.read_text(encoding="utf-8"))
        out[nb.name] = [getattr(panels, n) for n in names]
    return out


# ----------------------------------------------------------------------------- the parser and the text shown
def test_plain_numbers_parse_the_vietnamese_way_and_show_back_the_same():
    assert vnformat.parse_number("0,5") == 0.5
    assert vnformat.parse_number("1.000") == 1000.0
    assert vnformat.parse_number("10 000", integer=True) == 10_000
    assert vnformat.parse_number("1.234,5") == 1234.5
    assert vnformat.number_text(0.2, 2) == "0,20"
    assert vnformat.number_text(10_000) == "10.000"
    assert vnformat.number_text(1.25, 1) == "1,25", "never rounded away"
    for value, decimals in ((0.2, 2), (1.25, 1), (10_000, 0), (3.0, 1), (123_456.789, 0)):
        assert vnformat.parse_number(vnformat.number_text(value, decimals)) == value
    with pytest.raises(ValueError, match="không rõ nghĩa.*1,5"):
        vnformat.parse_number("1.5")
    with pytest.raises(ValueError, match="không phải số nguyên"):
        vnformat.parse_number("1,5", integer=True)
    with pytest.raises(ValueError, match="không phải số"):
        vnformat.parse_number("năm")


def test_every_control_kind_converts_both_ways(plan):
    sigma = control(plan, panels.RISKS, "cost_sigma")
    assert controls.to_widget_value(sigma, 0.2) == "0,20"
    assert controls.from_widget_value(sigma, "0,5") == 0.5
    draws = control(plan, panels.RISKS, "draws")
    assert controls.to_widget_value(draws, 10_000) == "10.000"
    assert controls.from_widget_value(draws, "50.000") == 50_000
    seed = control(plan, panels.RISKS, "seed")
    assert controls.from_widget_value(seed, "1.000") == 1000 and controls.to_widget_value(seed, 1000) == "1.000"
    share = control(plan, panels.RISKS, "pass_rate_new")
    assert controls.from_widget_value(share, "45 %") == 0.45 == controls.from_widget_value(share, "0,45")
    money = control(plan, panels.BUDGET_LINES, "envelope_vnd")
    assert controls.from_widget_value(money, "4,5 tỷ") == 4_500_000_000
    day = control(plan, panels.CALENDAR, "as_of")
    assert controls.from_widget_value(day, "15/6/2025") == dt.date(2025, 6, 15)
    assert controls.to_widget_value(day, dt.date(2025, 6, 15)) == "15/06/2025"
    assert controls.to_widget_value(day, None) == f"01/01/{plan.year}", "empty shows the date the model uses"
    assert controls.from_widget_value(day, f"1/1/{plan.year}") is None, "the plan's own date stays 'from the plan'"
    assert controls.from_widget_value(day, "") is None


@pytest.mark.parametrize(
    ("panel", "name", "typed", "words"),
    [
        ("RISKS", "cost_sigma", "3", "từ 0 đến 2"),
        ("RISKS", "cost_sigma", "0.5", "0,5"),
        ("RISKS", "draws", "1,5", "số nguyên"),
        ("RISKS", "draws", "999.999", "từ 100 đến 200.000"),
        ("ALLOCATION", "weight_star", "11", "từ 0 đến 10"),
        ("RISKS", "seed", "-1", "từ 0 đến"),
        ("CALENDAR", "as_of", "31/02/2025", "ngày có thật"),
        ("CALENDAR", "as_of", "1/1/1990", "từ 1/1/"),
        ("CALENDAR", "as_of", "15/6/2026", "đến 31/12/2025"),  # the build takes only the plan year
        ("CALENDAR", "as_of", "mai", "ngày/tháng/năm"),
        ("RISKS", "pass_rate_new", "45", "%"),
    ],
)
def test_a_value_the_control_cannot_take_is_refused_with_why(plan, panel, name, typed, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        controls.from_widget_value(control(plan, getattr(panels, panel), name), typed)


# ----------------------------------------------------------------------------- through the widgets
def test_typed_values_reach_the_model_and_show_the_vietnamese_way(plan):
    bench = workbench.Workbench(plan, params.Params(params.defaults()))
    risks, alloc = bench.panel(panels.RISKS), bench.panel(panels.ALLOCATION)
    f = fields_of(risks) | fields_of(alloc)
    assert f["cost_sigma"].box.value == "0,20" and f["draws"].box.value == "10.000"
    assert f["weight_star"].box.value == "1,0"
    f["cost_sigma"].box.value = "0,5"  # what the planner typed in JupyterLab
    assert bench.values["cost_sigma"] == 0.5
    assert f["cost_sigma"].box.value == "0,50" and f["cost_sigma"].slider.value == 0.5
    f["draws"].box.value = "20.000"
    assert bench.values["draws"] == 20_000 and f["draws"].slider.value == 20_000
    f["weight_star"].slider.value = 3.0  # the slider moves the text too
    assert bench.values["weight_star"] == 3.0 and f["weight_star"].box.value == "3,0"
    f["weight_star"].box.value = "1,25"  # finer than the slider's step: taken exactly
    assert bench.values["weight_star"] == 1.25 and f["weight_star"].box.value == "1,25"
    f["seed"].box.value = "1.000"
    assert bench.values["seed"] == 1000 and f["seed"].box.value == "1.000"


def test_refused_text_keeps_the_last_good_value_and_says_why_in_vietnamese(plan):
    bench = workbench.Workbench(plan, params.Params(params.defaults()))
    risks = bench.panel(panels.RISKS)
    f, msg = fields_of(risks), by_class(risks, "ocop-msg")
    f["cost_sigma"].box.value = "0,5"
    assert bench.values["cost_sigma"] == 0.5
    results = bench.results
    for bad, words in (("0.7", "không rõ nghĩa"), ("5", "từ 0 đến 2"), ("nhiều", "không phải số")):
        f["cost_sigma"].box.value = bad
        assert "ocop-msg-error" in msg.value and words in msg.value, (bad, msg.value)
        assert "Độ bất định chi phí" in msg.value and "Giữ kết quả trước đó" in msg.value
        assert bench.values["cost_sigma"] == 0.5, f"{bad!r} changed the model's value"
        assert f["cost_sigma"].box.value == "0,50" and f["cost_sigma"].slider.value == 0.5
        assert bench.results is results, "no recompute for a refused value"


def test_weight_sliders_move_in_steps_a_planner_uses(plan):
    for c in panels.ALLOCATION.controls(plan):
        if c.name.startswith("weight_"):
            assert c.step == 0.5 and (c.maximum - c.minimum) / c.step == 20, c.name
            assert (3 - 1) / c.step == 4, "from 1 to 3 in four arrow presses"


def test_as_of_control_feeds_the_model(plan):
    bench = workbench.Workbench(plan, params.Params(params.defaults()))
    cal = bench.panel(panels.CALENDAR)
    f, msg = fields_of(cal), by_class(cal, "ocop-msg")
    assert f["as_of"].box.value == f"01/01/{plan.year}"
    f["as_of"].box.value = f"15/6/{plan.year}"
    assert bench.values["as_of"] == dt.date(plan.year, 6, 15) and f["as_of"].box.value == f"15/06/{plan.year}"
    assert bench.results.as_of == dt.date(plan.year, 6, 15)
    f["as_of"].box.value = "32/6/2025"
    assert "ocop-msg-error" in msg.value and "ngày có thật" in msg.value
    assert bench.values["as_of"] == dt.date(plan.year, 6, 15)


# ----------------------------------------------------------------------------- hover help, names
INTERNAL = re.compile(r"\b[a-z]+_[a-z_]+\b|\bbg-[a-z-]+")


def test_every_control_of_both_notebooks_explains_itself_without_internal_codes(plan):
    unit_ids = set(plan.units["unit_id"])
    checked = 0
    for nb, shown in notebook_panels().items():
        bench = workbench.Workbench(plan, params.Params(params.defaults()))
        for p in shown:
            for name, field in fields_of(bench.panel(p)).items():
                help_text = field.help_text
                assert field.tooltip is None, f"{nb} {name}: ipywidgets 8.1 cannot draw a Box with a tooltip"
                assert help_text and help_text.strip() and "null" not in help_text.lower(), (nb, name)
                assert not INTERNAL.search(help_text), f"{nb} {name}: internal code in the hover help: {help_text}"
                for part in (field.box, field.slider, field.children[0]):
                    if part is not None:
                        assert part.tooltip == help_text, f"{nb} {name}: {type(part).__name__} without hover help"
                label = field.control.label
                assert field.children[0].value == label and name not in label and not INTERNAL.search(label), label
                for label, _ in getattr(field.box, "options", ()):
                    assert label not in unit_ids and not INTERNAL.search(label), f"{nb} {name}: option {label}"
                checked += 1
    assert checked >= 30, f"only {checked} controls found in the notebooks"


def test_difference_table_names_parameters_and_places_in_vietnamese(plan):
    bench = workbench.Workbench(plan, params.Params(params.defaults()))
    bar = bench.toolbar()
    f = fields_of(bench.panel(panels.BREAKDOWNS)) | fields_of(bench.panel(panels.CALENDAR))
    unit = plan.units["unit_id"].iloc[0]
    f["unit_filter"].box.value = unit
    f["as_of"].box.value = f"15/6/{plan.year}"
    table = by_class(bar, "ocop-diff").value
    row = re.search(r'<tr data-param="unit_filter">(.*?)</tr>', table).group(1)
    assert re.findall(r"<td>(.*?)</td>", row)[1:] == ["Toàn tỉnh", unit_display_names(plan)[unit]]
    visible = re.sub(r"<[^>]+>", " ", table)
    assert unit not in visible and not INTERNAL.search(visible), visible
    assert "Tính đến ngày" in visible and f"15/6/{plan.year}" in visible


# ----------------------------------------------------------------------------- combining saved scenarios
def test_combining_saved_scenarios_in_the_lab_reports_origins_and_overrides(plan, tmp_path, monkeypatch):
    monkeypatch.setenv("OCOP_SCENARIO_DIR", str(tmp_path))
    a, b = tmp_path / "muc-tieu.yaml", tmp_path / "kinh-phi.yaml"
    a.write_text("scenario: muc-tieu\npass_rate_new: 55%\ndraws: 20000\n", encoding="utf-8")
    b.write_text("scenario: kinh-phi\npass_rate_new: '0,6'\nenvelope_vnd: 4,5 tỷ\n", encoding="utf-8")
    bench = workbench.Workbench(plan, params.Params(params.defaults()))
    bar = bench.toolbar()
    f = fields_of(bench.panel(panels.BUDGET_LINES)) | fields_of(bench.panel(panels.RISKS))
    pick, button = by_class(bar, "ocop-combine"), by_class(bar, "ocop-combine-button")
    assert {str(a), str(b)} <= {v for _, v in pick.options}
    pick.value = (str(a),)
    button.click()
    assert "ít nhất hai" in by_class(bar, "ocop-combine-msg").value and bench.values["draws"] == 10_000
    order = [v for _, v in pick.options]
    pick.value = (str(a), str(b))
    button.click()
    first, second = sorted((a, b), key=lambda p: order.index(str(p)))
    winner = 0.55 if first == b else 0.6
    assert bench.values["pass_rate_new"] == winner and bench.values["draws"] == 20_000
    assert bench.values["envelope_vnd"] == 4_500_000_000 and f["envelope_vnd"].box.value == "4,5"
    assert f["draws"].box.value == "20.000"
    report = by_class(bar, "ocop-combine-report").value
    assert "ocop-msg-ok" in by_class(bar, "ocop-combine-msg").value
    override = re.findall(r'<li class="ocop-override">(.*?)</li>', report)
    assert len(override) >= 1 and "Tỷ lệ đạt – lần đầu" in override[0] and second.name in override[0]
    row = re.search(r'<tr data-param="draws">(.*?)</tr>', report).group(1)
    assert re.findall(r"<td>(.*?)</td>", row) == ["Số lượt mô phỏng", "20.000", "muc-tieu.yaml"]
    assert not INTERNAL.search(re.sub(r"<[^>]+>|data-param=\"\w+\"", " ", report))
    # The same function as the command line: the same overrides, only the names made readable.
    from ocop_helpers.runs import scenarios

    cli = scenarios.merge_files([first, second]).report
    assert [combine.readable(bench, r) for r in cli] == [o.replace("&#x27;", "'") for o in override][: len(cli)]
    # a file that cannot be read is refused, and the last combination stays
    bad = tmp_path / "hong.yaml"
    bad.write_text("cost_sigma: nhiều\n", encoding="utf-8")
    bench.refresh_scenarios()
    pick.value = (str(bad), str(a))
    button.click()
    refused = by_class(bar, "ocop-combine-msg").value
    assert "ocop-msg-error" in refused and "hong.yaml" in refused and "Độ bất định chi phí" in refused, refused
    assert "cost_sigma" not in refused
    assert bench.values["envelope_vnd"] == 4_500_000_000 and bench.values["cost_sigma"] == 0.2

"""The what-if workbench without a browser: real ipywidgets objects, driven through their values."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from ocop_helpers.core import paths
from ocop_helpers.document import sections
from ocop_helpers.inputs import loading
from ocop_helpers.lab import controls, nbclean, panels, savehook, widgets, workbench
from ocop_helpers.model import compute, params
from ocop_helpers.render import notebook
from ocop_helpers.runs import build, scenarios
from tests.support import docfind
from tests.support.plans import DEFAULT_PLAN, DEMO_PLAN


@pytest.fixture(scope="module")
def plan():
    notebook.setup_notebook()  # charts as SVG, as in the notebooks
    return loading.load_plan(DEFAULT_PLAN)


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
    c = controls.Control("pass_rate_new", "x", "percent")
    assert controls.to_widget_value(c, 0.85) == "85%"
    for typed in ("85%", "0,85", "0.85", " 85 % "):
        assert controls.from_widget_value(c, typed) == 0.85, typed
    assert controls.from_widget_value(c, "35,5%") == 0.355
    m = controls.Control("envelope_vnd", "x", "billion", fallback=5_200_000_000)
    assert controls.to_widget_value(m, None) == "5,2"
    assert controls.from_widget_value(m, "5,2") is None, "the plan's own amount shown unchanged stays 'from the plan'"
    assert controls.from_widget_value(m, "6,15") == 6_150_000_000
    assert controls.from_widget_value(m, "1,5 tỷ") == 1_500_000_000
    assert controls.from_widget_value(m, "500 triệu") == 500_000_000
    assert controls.from_widget_value(m, "1.234.567") == 1_234_567  # dot thousands: đồng
    assert controls.from_widget_value(m, "") is None
    for ambiguous in ("1.5", "1.500"):
        with pytest.raises(ValueError, match="không rõ nghĩa") as err:
            controls.from_widget_value(m, ambiguous)
        assert "1,5 tỷ" in str(err.value), "the message shows the accepted forms"
    t = controls.Control("min_grant_vnd", "x", "million")
    assert controls.to_widget_value(t, 25_000_000) == "25" and controls.from_widget_value(t, "25") == 25_000_000
    assert widgets.scenario_slug("Kịch bản Đợt 2!") == "kich-ban-dot-2"


def test_moving_a_control_redraws_its_view(plan):
    bench = workbench.Workbench(plan, params.Params({}))
    box = bench.panel(panels.STOCK)
    out = by_class(box, "ocop-view")
    before = key(out)
    controls_of(box)["pass_rate_new"].value = "90%"
    after = key(out)
    assert before != after
    assert bench.values["pass_rate_new"] == 0.9
    expected = compute.compute(plan, params.Params({"pass_rate_new": 0.9})).stock.end_stock
    assert after == f"{round(expected):,}".replace(",", ".")


def test_a_value_the_model_rejects_keeps_the_last_result_and_says_why(plan):
    bench = workbench.Workbench(plan, params.Params({}))
    lines = bench.panel(panels.BUDGET_LINES)
    alloc = bench.panel(panels.ALLOCATION)
    out, msg = by_class(alloc, "ocop-view"), by_class(lines, "ocop-msg")
    before = output_html(out)
    controls_of(lines)["envelope_vnd"].value = "25"  # tỷ đồng: more than the 20,9 tỷ total
    assert "ocop-msg-error" in msg.value and "lớn hơn tổng kinh phí" in msg.value
    assert "25 tỷ đồng" in msg.value and "20,9 tỷ đồng" in msg.value, "amounts in the planner's units"
    assert by_class(alloc, "ocop-msg").value == "", "the message belongs next to the control that caused it"
    assert output_html(out) == before
    assert controls_of(lines)["envelope_vnd"].value == "5,2", "a refused value is not left in the control"
    controls_of(lines)["envelope_vnd"].value = "1.5"  # ambiguous: refused with the accepted forms
    assert "không rõ nghĩa" in msg.value and "500 triệu" in msg.value
    controls_of(alloc)["min_grant_vnd"].value = "-5"  # triệu đồng: negative, rejected by the registry
    assert "không nhỏ hơn 0" in by_class(alloc, "ocop-msg").value
    controls_of(lines)["envelope_vnd"].value = "4"
    assert msg.value == "" and output_html(out) != before
    assert bench.values["envelope_vnd"] == 4_000_000_000


def test_a_change_redraws_every_panel_whose_figures_depend_on_it(plan):
    """The envelope sits in the budget-lines panel; the claims, allocation, comparison and risk panels
    read it and must show the new figures, while panels that do not depend on it are left alone."""
    bench = workbench.Workbench(plan, params.Params({}))
    boxes = {
        p.title: bench.panel(p)
        for p in (panels.BUDGET_LINES, panels.CLAIMS, panels.ALLOCATION, panels.COMPARISON, panels.RISKS, panels.STOCK)
    }
    before = {t: output_html(by_class(b, "ocop-view")) for t, b in boxes.items()}
    controls_of(boxes[panels.BUDGET_LINES.title])["envelope_vnd"].value = "4,5"
    after = {t: output_html(by_class(b, "ocop-view")) for t, b in boxes.items()}
    for p in (panels.CLAIMS, panels.ALLOCATION, panels.COMPARISON, panels.RISKS):
        assert after[p.title] != before[p.title], f"{p.title} kept the old figures"
    assert after[panels.STOCK.title] == before[panels.STOCK.title]
    assert "4,5 tỷ đồng" in after[panels.CLAIMS.title]
    # What the panels show is what a fresh computation of the same values shows.
    fresh = compute.compute(plan, params.Params(bench.values))
    assert bench.results.allocation_metrics.as_series().equals(fresh.allocation_metrics.as_series())
    assert bench.results.simulation.prob_overrun == fresh.simulation.prob_overrun


def _notebook_panels() -> dict[str, list]:
    """Notebook -> the panels it shows (from its widgets.section calls)."""
    out = {}
    for nb in build.plan_notebooks():
        text = nb.read_text(encoding="utf-8")
        out[nb.name] = [
            getattr(panels, name) for name in re.findall(r"widgets\.section\(bench, R, panels\.(\w+)\)", text)
        ]
    return out


# Parameters a notebook declares that have no control, and why.
UNCONTROLLED = {
    "province": "the plan: set in the parameters cell",
    "year": "the plan: set in the parameters cell",
    "plan_dir": "the plan: set in the parameters cell",
    "scenario": "named in the toolbar when saving",
    "interactive": "set by the build",
    "results_path": "set by the build",
}


def test_every_control_covers_its_parameters_whole_range_and_type(plan):
    registry = params.specs()
    for nb, shown in _notebook_panels().items():
        assert shown, f"{nb} shows no panel"
        names = [c.name for p in shown for c in p.controls(plan)]
        assert len(names) == len(set(names)), f"{nb}: a parameter with two controls: {names}"
        declared = build.declared_parameters(paths.NOTEBOOKS_DIR / nb)
        if nb.startswith("00"):
            continue  # the overview has no controls (widgets.start(..., controls=False))
        assert declared - set(names) <= set(UNCONTROLLED), f"{nb}: parameters without a control"
        for c in (c for p in shown for c in p.controls(plan)):
            spec = registry[c.name]
            assert c.name in declared, f"{nb}: control {c.name} is not a parameter of the notebook"
            if c.display in ("int", "float"):
                assert spec.kind == c.display, (c.name, spec.kind, c.display)
                assert (c.minimum, c.maximum) == (spec.minimum, spec.maximum), f"{c.name}: slider range"
                # the slider moves in planner's steps; the box takes any value of the range exactly
                exact = 1.23 if spec.kind == "float" else int(c.minimum) + 1
                typed = "1,23" if spec.kind == "float" else str(exact)
                assert controls.from_widget_value(c, typed) == exact, c.name
                assert 0 < c.step <= (c.maximum - c.minimum) / 4, f"{c.name}: slider step"
            elif c.display == "percent":
                assert spec.kind == "share"
            elif c.display in ("billion", "million"):
                assert spec.kind == "money" and ("tỷ đồng" in c.label or "triệu đồng" in c.label), c.label
            elif c.display == "int_text":
                assert spec.kind == "int"
            elif c.display == "date":
                assert spec.kind == "date" and c.minimum <= plan.year <= c.maximum, c.name
            elif c.display == "choice":
                values = [v for _, v in c.options]
                if spec.kind == "choice":
                    assert values == list(spec.choices), c.name
                else:  # the unit filter: the whole province, then every unit of the plan
                    assert values[0] == "" and sorted(values[1:]) == sorted(plan.units["unit_id"]), c.name
            else:
                pytest.fail(f"{c.name}: unknown display {c.display}")


def test_text_controls_accept_the_parameters_whole_range(plan):
    """A share box takes 0 % and 100 %; a money box takes 0 and the plan's total; a slider's ends are
    the registry's bounds (so a value the parameter accepts can always be entered)."""
    bench = workbench.Workbench(plan, params.Params({}))
    boxes = [bench.panel(p) for p in (panels.CLAIMS, panels.ALLOCATION, panels.RISKS)]
    found = {}
    for b in boxes:
        found.update(controls_of(b))
    for value in ("0%", "100%", "45,5%"):
        found["co_financing_share"].value = value
        assert bench.values["co_financing_share"] == controls.from_widget_value(
            next(c for c in panels.CLAIMS.controls(plan) if c.name == "co_financing_share"), value
        )
    found["min_grant_vnd"].value = "5"
    found["min_grant_vnd"].value = "0"
    assert bench.values["min_grant_vnd"] == 0
    for name in ("weight_star", "cost_sigma", "draws"):
        w, spec = found[name].slider, params.specs()[name]
        assert (w.min, w.max) == (spec.minimum, spec.maximum)


def test_no_widget_has_an_empty_or_null_tooltip(plan):
    bench = workbench.Workbench(plan, params.Params({}))
    roots = [bench.toolbar()] + [
        bench.panel(p) for p in (panels.BUDGET_LINES, panels.CLAIMS, panels.ALLOCATION, panels.RISKS)
    ]

    def walk(w):
        yield w
        for child in getattr(w, "children", ()):
            yield from walk(child)

    for root in roots:
        for w in walk(root):
            if getattr(w, "description", ""):
                assert w.tooltip, f"{type(w).__name__} {w.description!r} has no tooltip"
                assert "null" not in str(w.tooltip).lower()


def test_scenario_file_holds_only_the_differences_in_readable_units(plan, tmp_path, monkeypatch):
    monkeypatch.setenv("OCOP_SCENARIO_DIR", str(tmp_path))
    bench = workbench.Workbench(plan, params.Params(params.defaults()))
    lines, alloc, risks = (bench.panel(p) for p in (panels.BUDGET_LINES, panels.ALLOCATION, panels.RISKS))
    controls_of(lines)["envelope_vnd"].value = "4,5 tỷ"
    controls_of(alloc)["min_grant_vnd"].value = "12,5"
    controls_of(risks)["pass_rate_new"].value = "0,55"
    controls_of(alloc)["rule"].value = "proportional"
    message, ok = bench.save("Kinh phí thấp", note="Giả định: cắt giảm\nhai dòng")
    assert ok, message
    path = tmp_path / "kinh-phi-thap.yaml"
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert data == {
        "scenario": "kinh-phi-thap",
        "envelope_vnd": "4,5 tỷ",
        "min_grant_vnd": "12,5 triệu",
        "pass_rate_new": "55%",
        "rule": "proportional",
    }, "only the values that differ from the base, money and shares as Vietnamese text"
    assert "# Tên: Kinh phí thấp" in text and "# Ghi chú: Giả định: cắt giảm" in text
    # The build reads the file back to the very same values.
    assert params.validate(data) == {k: v for k, v in bench.values.items() if k in data} | {"scenario": "kinh-phi-thap"}
    # The list of saved scenarios shows it; loading it after a reset puts the values back.
    assert str(path) in [v for _, v in bench._load_options()]
    bench.reset()
    assert bench.values["envelope_vnd"] is None and controls_of(lines)["envelope_vnd"].value == "5,2"
    message, ok = bench.load(path)
    assert ok, message
    assert controls_of(lines)["envelope_vnd"].value == "4,5" and controls_of(risks)["pass_rate_new"].value == "55%"
    assert bench.values["min_grant_vnd"] == 12_500_000 and bench.values["rule"] == "proportional"


def test_diff_lists_what_differs_from_the_base(plan):
    bench = workbench.Workbench(plan, params.Params(params.defaults()))
    bar = bench.toolbar()
    lines = bench.panel(panels.BUDGET_LINES)
    diff = by_class(bar, "ocop-diff")
    assert "trùng với mặc định" in diff.value
    controls_of(lines)["envelope_vnd"].value = "4,5"
    assert 'data-param="envelope_vnd"' in diff.value and "4,5 tỷ đồng" in diff.value and "5,2 tỷ đồng" in diff.value


def test_an_empty_panel_says_why_and_what_would_fill_it(plan):
    """The default plan has no plan of 2024 in the data: the year-over-year panel names the missing
    plan and the folder searched, and says what to add (never a bare 'no data')."""
    bench = workbench.Workbench(plan, params.Params(params.defaults()))
    text = output_html(bench.panel(panels.YEAR_OVER_YEAR).children[-1])
    assert "Dữ liệu chưa có kế hoạch năm 2024 để so sánh" in text, text
    assert "bac-giang/2024" in text and "Thêm thư mục kế hoạch năm 2024" in text
    assert "Không có dữ liệu" not in text


def test_diff_names_the_unit_filter_as_places_not_codes(plan):
    """'Toàn tỉnh → huyện Lục Nam', never '(trống) → bg-h-luc-nam'."""
    from ocop_helpers.model.compute import unit_display_names

    bench = workbench.Workbench(plan, params.Params(params.defaults()))
    bar = bench.toolbar()
    streams = bench.panel(panels.BREAKDOWNS)
    unit = plan.units["unit_id"].iloc[0]
    control = controls_of(streams)["unit_filter"]
    control.value = unit
    row = re.search(r'<tr data-param="unit_filter">(.*?)</tr>', by_class(bar, "ocop-diff").value).group(1)
    cells = re.findall(r"<td>(.*?)</td>", row)
    assert cells[1:] == ["Toàn tỉnh", unit_display_names(plan)[unit]], cells
    assert unit not in row


def test_combining_files_reports_every_override_and_keeps_the_names(tmp_path):
    a, b = tmp_path / "muc-tieu.yaml", tmp_path / "kinh-phi.yaml"
    a.write_text("scenario: muc-tieu\npass_rate_new: 55%\nlapse_share: 0.2\n", encoding="utf-8")
    b.write_text("scenario: kinh-phi\npass_rate_new: '0,6'\nlapse_share: 20%\nenvelope_vnd: 4,5 tỷ\n", encoding="utf-8")
    merged = scenarios.merge_files([a, b])
    assert merged.values["pass_rate_new"] == "0,6" and merged.values["envelope_vnd"] == "4,5 tỷ"
    assert merged.values["scenario"] == "muc-tieu+kinh-phi"
    overrides = [r for r in merged.report if "ghi đè" in r]
    assert len(overrides) == 1 and "pass_rate_new" in overrides[0] and "55%" in overrides[0] and "60%" in overrides[0]
    assert any("muc-tieu+kinh-phi" in r for r in merged.report), "the name of the combined plan is reported"
    named = scenarios.merge_files([a, b], {"scenario": "ket-hop", "envelope_vnd": "4 tỷ"})
    assert named.values["scenario"] == "ket-hop"
    assert any("--set ghi đè 'envelope_vnd'" in r for r in named.report)
    assert scenarios.merge_files([a, a]).report == [], "the same value twice is not an override"


def test_saved_notebooks_show_a_rerun_line_instead_of_widget_views():
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "source": "widgets.section(bench, R, panels.STOCK)",
                "outputs": [
                    {
                        "output_type": "display_data",
                        "data": {savehook.WIDGET_MIME: {"model_id": "abc"}, "text/plain": "VBox()"},
                    },
                    {"output_type": "stream", "name": "stdout", "text": "kept"},
                ],
            }
        ],
        "metadata": {"widgets": {"state": {}}},
    }
    savehook.notebook_pre_save({"type": "notebook", "content": nb}, path="analyses/mine.ipynb")
    outs = nb["cells"][0]["outputs"]
    assert savehook.WIDGET_MIME not in outs[0]["data"] and "Run All Cells" in outs[0]["data"]["text/plain"]
    assert outs[1]["text"] == "kept" and "widgets" not in nb["metadata"]


def test_plan_notebooks_are_saved_as_git_stores_them():
    """Saving a plan notebook from the Lab writes it without outputs or session metadata: byte for
    byte what git stores, so a Lab session leaves `git status` clean."""
    original = (paths.NOTEBOOKS_DIR / "20-budget-allocation.ipynb").read_text(encoding="utf-8")
    nb = json.loads(original)
    code = next(c for c in nb["cells"] if c["cell_type"] == "code")
    code["outputs"] = [{"output_type": "display_data", "data": {savehook.WIDGET_MIME: {"model_id": "x"}}}]
    code["execution_count"] = 3
    nb["metadata"]["widgets"] = {"state": {}}
    model = {"type": "notebook", "content": nb}
    savehook.notebook_pre_save(model, path="notebooks/20-budget-allocation.ipynb")
    import nbformat

    assert nbformat.writes(nbformat.from_dict(model["content"])) + "\n" == original
    assert savehook.is_plan_notebook("/notebooks/10-product-targets.ipynb")
    assert not savehook.is_plan_notebook("notebooks/scratch.ipynb") and not savehook.is_plan_notebook("x/10-a.ipynb")


def test_committed_notebooks_carry_no_outputs():
    files = [str(p) for p in build.plan_notebooks()]
    assert nbclean.main(["--check", *files]) == 0
    for f in files:
        nb = json.loads(open(f, encoding="utf-8").read())
        for cell in nb["cells"]:
            assert not cell.get("outputs") and cell.get("execution_count") is None, f
    assert (paths.ROOT / ".gitattributes").read_text().strip() == "notebooks/*.ipynb filter=ocop-nbclean"


def test_nbclean_strips_what_jupyterlab_adds():
    original = (paths.NOTEBOOKS_DIR / "10-product-targets.ipynb").read_text(encoding="utf-8")
    nb = json.loads(original)
    nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    nb["metadata"]["language_info"] = {"name": "python", "version": "3.11.2", "mimetype": "text/x-python"}
    code = next(c for c in nb["cells"] if c["cell_type"] == "code")
    code["execution_count"] = 7
    code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x"}]
    code["metadata"]["execution"] = {"iopub.status.busy": "2026"}
    assert nbclean.clean_text(json.dumps(nb)) == original


def test_calendar_chart_capacity_is_the_tables(plan):
    r = compute.compute(plan, params.Params({}))
    items = sections.calendar(r)
    chart = next(i for i in items if hasattr(i, "to_dict"))
    spec = chart.to_dict()
    data = next(d for d in spec["datasets"].values() if d and "capacity" in d[0])
    page = "".join(
        o["data"].get("text/html", "")
        for o in notebook.output_records(*(i for i in items if not hasattr(i, "to_dict")))
    )
    table = docfind.table(page, caption="Lịch đánh giá")
    for row in data:
        rows = [
            t
            for t in table.rows
            if t[table.column("Đợt")] == str(row["round"]) and t[table.column("Thời hạn")] == row["deadline_text"]
        ]
        assert len(rows) == 1, (row["round"], row["deadline_text"], table.rows)
        shown = rows[0][table.column("Năng lực cả đợt")]
        assert shown == f"{int(row['capacity']):,}".replace(",", "."), (row, shown)
    layers = [layer for layer in spec["layer"] if layer.get("mark", {}).get("type") == "tick"]
    assert layers and layers[0]["encoding"]["y"]["field"] == "capacity"


@pytest.mark.slow
def test_save_reset_and_build_reproduce_the_widget_numbers(tmp_path, monkeypatch):
    monkeypatch.setenv("OCOP_SCENARIO_DIR", str(tmp_path / "scenarios"))
    plan = loading.load_plan(DEMO_PLAN)
    bench = workbench.Workbench(plan, params.Params({"plan_dir": str(DEMO_PLAN), "province": "demo", "year": 2027}))
    box = bench.panel(panels.STOCK)
    ctl = controls_of(box)
    ctl["pass_rate_new"].value = "35%"
    ctl["lapse_share"].value = "0,4"
    shown = key(by_class(box, "ocop-view"))
    message, ok = bench.save("Thử nghiệm 1")
    assert ok, message
    path = tmp_path / "scenarios" / "thu-nghiem-1.yaml"
    saved = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert saved["pass_rate_new"] == "35%" and saved["lapse_share"] == "40%" and saved["scenario"] == "thu-nghiem-1"
    assert "results_path" not in saved
    again, ok = bench.save("Thử nghiệm 1")
    assert not ok and "Ghi đè" in again
    assert bench.save("Thử nghiệm 1", overwrite=True)[1]
    bench.reset()
    assert ctl["pass_rate_new"].value == scenarios.share_text(params.specs()["pass_rate_new"].default)
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
    assert controls.to_widget_value(ctl, None) == "50%"
    model = compute.Model(plan)
    base, _ = model.claims(params.Params({}))
    lower, _ = model.claims(params.Params({"co_financing_share": 0.3}))
    tm = base["item"] == "trademark"
    assert (lower.loc[tm, "claim_vnd"] == base.loc[tm, "claim_vnd"]).all()
    assert lower.loc[~tm, "claim_vnd"].sum() < base.loc[~tm, "claim_vnd"].sum()

"""Every chart of the default plan reads printed in black and white on A4: no text under 9 pt at
the printed width, no cut label, axes that start where the data do, categories told apart without
colour, and plain words (no statistics terms, no English)."""

from __future__ import annotations

import json
import re

import altair as alt
import pandas as pd
import pytest

from ocop_helpers.document import charts, registry
from ocop_helpers.inputs import loading
from ocop_helpers.model import compute
from ocop_helpers.model.params import Params
from ocop_helpers.render import docx as render_docx
from ocop_helpers.render import notebook
from tests.support.plans import DEFAULT_PLAN

JARGON = ("p10", "p50", "p90", "lượt mô phỏng", "khoảng dao động", "mức giữa", "điểm %", "default", "as_of", "P10")
PRINTED_PT = charts.PRINT_WIDTH_MM / 25.4 * 72  # the printed width of a chart, in points


@pytest.fixture(scope="module")
def plan_charts() -> dict[str, alt.TopLevelMixin]:
    notebook.setup_notebook()
    r = compute.compute(loading.load_plan(DEFAULT_PLAN), Params({"draws": 1000}))
    found = {}
    for sid, section in registry.SECTIONS.items():
        for i, item in enumerate(section.render(r)):
            if isinstance(item, alt.TopLevelMixin):
                found[f"{sid}-{i}"] = item
    assert len(found) >= 8
    return found


@pytest.fixture(scope="module")
def rendered(plan_charts) -> dict[str, str]:
    import vl_convert

    return {k: vl_convert.vegalite_to_svg(charts.style(c).to_json()) for k, c in plan_charts.items()}


def _texts(svg: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", t) for t in re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)]


def test_the_word_file_prints_charts_at_the_width_the_charts_are_made_for():
    assert render_docx.CHART_WIDTH_MM == charts.PRINT_WIDTH_MM


def test_no_text_is_under_9_pt_at_the_printed_width(rendered):
    for name, svg in rendered.items():
        width = float(re.search(r'<svg[^>]*\swidth="([\d.]+)"', svg).group(1))
        sizes = [float(x) for x in re.findall(r'font-size="([\d.]+)', svg)]
        sizes += [float(x) for x in re.findall(r"font-size:\s*([\d.]+)px", svg)]
        assert sizes, name
        smallest = min(sizes) * PRINTED_PT / width
        assert smallest >= charts.MIN_PRINT_PT, f"{name}: {smallest:.1f} pt"


def test_no_label_is_cut(plan_charts, rendered):
    config = charts.theme()["config"]
    assert config["axis"]["labelLimit"] == 0 and config["legend"]["labelLimit"] == 0
    for name, svg in rendered.items():
        assert not [t for t in _texts(svg) if t.endswith("…")], name
    long = "Ưu tiên theo thứ tự (đủ định mức đến khi hết kinh phí)"
    assert charts.wrap(long) == ["Ưu tiên theo thứ tự (đủ", "định mức đến khi hết", "kinh phí)"]
    assert json.loads(charts.wrap_labels([long]).split("[datum.label]")[0])[long] == charts.wrap(long)


def test_visible_words_are_plain_vietnamese(plan_charts, rendered):
    for name, chart in plan_charts.items():
        spec = chart.to_dict()
        shown = json.dumps(
            [spec.get("title"), *re.findall(r'"title":\s*("[^"]*")', json.dumps(spec, ensure_ascii=False))],
            ensure_ascii=False,
        ).lower()
        shown += " ".join(_texts(rendered[name])).lower()
        for word in JARGON:
            assert word.lower() not in shown, (name, word)
        assert "«" not in shown and "»" not in shown, name  # Vietnamese quotes are “…”


def test_the_histogram_stands_on_zero_and_its_money_axis_spans_the_data():
    import vl_convert

    values = pd.DataFrame({"total": [18.0e9, 19.0e9, 19.5e9, 20.0e9, 21.0e9] * 40})
    chart = charts.simulation_histogram_chart(values, "total", 20_900_000_000)
    svg = vl_convert.vegalite_to_svg(charts.style(chart).to_json())
    numbers = [t for t in _texts(svg) if re.fullmatch(r"[−-]?\d+(,\d+)?", t)]
    assert numbers and not [t for t in numbers if t.startswith(("-", "−"))]
    layer = chart.to_dict()["layer"][0]
    assert layer["encoding"]["y2"] == {"datum": 0}
    assert layer["encoding"]["x"]["scale"]["zero"] is False
    assert "Kế hoạch: 20,9 tỷ đồng" in " ".join(_texts(svg))


def test_the_calendar_is_scaled_to_the_rounds_not_to_the_capacity():
    rounds = pd.DataFrame(
        {
            "round": [1, 1, 2],
            "level": ["district", "province", "district"],
            "deadline": pd.to_datetime(["2025-06-15", "2025-07-10", "2025-10-15"]),
            "products": [143, 21, 153],
            "councils": [10, 1, 10],
            "capacity_per_council": [60, 60, 60],
            "max_council_load": [20, 21, 23],
            "over_capacity": [False, False, False],
            "level_in_force": [True, True, False],
        }
    )
    spec = charts.calendar_load_chart(rounds, as_of="2025-01-01").to_dict()
    bars = spec["layer"][1]
    top = bars["encoding"]["y"]["scale"]["domain"][1]
    assert 153 <= top <= 153 * 1.2  # capacities of 600 do not stretch the axis
    assert spec["layer"][2]["mark"]["clip"] is True
    start = pd.Timestamp(bars["encoding"]["x"]["scale"]["domain"][0])
    assert start > pd.Timestamp("2025-05-01")  # the axis starts near the first deadline, not on 1 January
    said = " ".join(spec["title"]["subtitle"])
    assert "năng lực 600" in said and "Ngày xem xét: 1/1/2025" in said


def test_categories_differ_without_colour(plan_charts):
    """Where colour marks a category, a dash (or shape) marks it too; the calendar's two levels differ
    in lightness and in position."""
    for name, chart in plan_charts.items():
        spec = json.dumps(chart.to_dict(), ensure_ascii=False)
        colours = set(re.findall(r'"color": \{"field": "(\w+)"', spec))
        for field in colours - {"level_label"}:
            assert re.search(rf'"(strokeDash|shape)": \{{"field": "{field}"', spec), (name, field)


def test_the_funding_status_keeps_its_colours_and_gets_a_dash():
    status = pd.DataFrame(
        {"rule_label": ["a", "a"], "status_label": ["Hỗ trợ đủ", "Chưa được hỗ trợ"], "organisations": [3, 2]}
    )
    enc = charts.funding_status_chart(status).to_dict()["encoding"]
    assert enc["color"]["scale"]["range"] == list(charts.FUNDING_STATUS_COLOURS.values())
    assert enc["strokeDash"]["field"] == "status_label" and len(enc["strokeDash"]["scale"]["range"]) == 3

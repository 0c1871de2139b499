"""The Lab's charts as drawn (SVG): tick labels never overlap ("150160"), no label is cut, and
count axes stand on zero and end near the data — before and after a change of the envelope."""

from __future__ import annotations

import re

import pytest

from ocop_helpers.inputs import loading
from ocop_helpers.lab import panels, workbench
from ocop_helpers.model import params
from ocop_helpers.render import notebook
from tests.support.plans import DEFAULT_PLAN

SHOWN = (panels.BREAKDOWNS, panels.STOCK, panels.CALENDAR, panels.EXPIRY, panels.ALLOCATION, panels.COMPARISON)
SHOWN += (panels.RISKS,)
CHAR_EM = 0.55  # average glyph width of the charts' font in ems (a digit is 0,556 em): "150160" needs 2×3 digits


@pytest.fixture(scope="module")
def svgs() -> dict[str, list[str]]:
    """Panel section -> its SVG charts, as first drawn and after the envelope and the council size
    are lowered; ``calendar_top``: the largest round's products."""
    notebook.setup_notebook()
    plan = loading.load_plan(DEFAULT_PLAN)
    bench = workbench.Workbench(plan, params.Params({"draws": 1000}))
    for p in SHOWN:
        bench.panel(p)
    found: dict[str, list[str]] = {}

    def collect() -> None:
        for state in bench._panels:
            page = "".join(
                o.get("data", {}).get("text/html", "") + o.get("data", {}).get("image/svg+xml", "")
                for o in state.out.outputs
            )
            found.setdefault(state.panel.section, []).extend(re.findall(r"<svg.*?</svg>", page, re.S))

    collect()
    assert bench.apply({"envelope_vnd": 2_000_000_000, "products_per_session": 5})
    collect()
    found["calendar_top"] = [str(int(bench.results.calendar.rounds["products"].max()))]
    return found


def axis_labels(svg: str) -> list[list[tuple[float, float, str, float]]]:
    """Per axis: (x, y, longest line, font size) of each tick label."""
    axes = []
    for group in re.findall(r'<g class="mark-text role-axis-label"[^>]*>(.*?)</g>', svg, re.S):
        labels = []
        for attrs, body in re.findall(r"<text([^>]*)>(.*?)</text>", group, re.S):
            xy = re.search(r"translate\(([-\d.]+),([-\d.]+)\)", attrs)
            size = re.search(r'font-size="([\d.]+)px"', attrs)
            lines = re.findall(r"<tspan[^>]*>(.*?)</tspan>", body) or [body]
            longest = max(lines, key=len)
            labels.append((float(xy[1]), float(xy[2]), longest, float(size[1]) if size else 14.0))
        axes.append(labels)
    return axes


def text_em(text: str) -> float:
    """A text's width in ems: narrow marks ('/', '.', ',', ':', space) 0,278 em, others CHAR_EM."""
    return sum(0.278 if ch in "/.,: " else CHAR_EM for ch in text)


def test_the_lab_draws_charts(svgs):
    assert sum(len(v) for k, v in svgs.items() if k != "calendar_top") >= 2 * len(SHOWN)


def test_tick_labels_of_horizontal_axes_never_overlap(svgs):
    for section, charts in svgs.items():
        for svg in charts if section != "calendar_top" else ():
            for labels in axis_labels(svg):
                if len({round(y) for _, y, _, _ in labels}) != 1 or len(labels) < 2:
                    continue  # a vertical axis: labels stacked, checked by their line height elsewhere
                row = sorted(labels)
                for (x0, _, a, size), (x1, _, b, _) in zip(row, row[1:], strict=False):
                    room = (text_em(a) + text_em(b)) / 2 * size
                    assert x1 - x0 >= room, f"{section}: «{a}» and «{b}» overlap ({x1 - x0:.0f} px < {room:.0f})"


def test_no_tick_label_is_cut(svgs):
    for section, charts in svgs.items():
        for svg in charts if section != "calendar_top" else ():
            for labels in axis_labels(svg):
                for _, _, text, _ in labels:
                    assert "…" not in text, f"{section}: label cut: {text}"


def test_count_axes_stand_on_zero_and_end_near_the_data(svgs):
    """A vertical count axis runs from 0 to at most a step or two above its largest tick needed."""
    for section in ("calendar", "expiry", "stock"):
        for svg in svgs[section]:
            vertical = [ls for ls in axis_labels(svg) if len({round(x) for x, _, _, _ in ls}) == 1 and len(ls) > 2]
            assert vertical, section
            values = [float(t.replace(".", "")) for _, _, t, _ in vertical[0]]
            assert min(values) == 0, f"{section}: the count axis does not start at 0"
            if section == "calendar":  # not to the councils' capacity (900 for bars of 20–170)
                top = int(svgs["calendar_top"][0])
                assert max(values) <= 1.3 * top, f"calendar axis to {max(values)} for rounds up to {top}"

"""Altair chart builders: ``<noun>_chart(frame, ...) -> alt.Chart``, one theme, no I/O.

Charts carry Vietnamese titles and axis labels; numbers on axes use the Vietnamese format
(``format_locale`` in ``THEME``). Rendering (SVG for documents, live in JupyterLab) is chosen where
a run starts (``ocop_helpers.render.notebook.setup_notebook``), never here.

Every chart is made to be read printed in black and white on A4: the Word file inserts the chart
at ``PRINT_WIDTH_MM`` (the HTML and PDF at most the text width), so the plot is ``WIDTH`` wide and
every text at least ``FONT_PX``: at the printed size no text is under 9 pt. Labels are never cut
(``labelLimit`` 0; long ones wrapped into lines, :func:`wrap_labels`), axes start where the data
do (bars keep their zero), and categories differ by outline dash, shape or a direct label as well
as by colour. Visible words are plain Vietnamese: no statistics terms.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import json
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

import altair as alt
import numpy as np
import pandas as pd

from ocop_helpers.core import vnformat
from ocop_helpers.domain import labels

FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
PALETTE = ["#1b6f3a", "#e3a21a", "#2f6db5", "#b8452f", "#7a5aa6", "#4a9c8c", "#8c8c8c", "#d46fa8", "#7f5a2e", "#9bbf3a"]
STREAM_COLOURS = {"new": "#1b6f3a", "reevaluation": "#2f6db5", "upgrade": "#e3a21a"}
# One colour per funding status wherever it is drawn, present in the data or not (a fixed domain):
# green always means funded in full, whichever categories a scenario happens to have.
FUNDING_STATUS_COLOURS = {"full": "#1b6f3a", "partial": "#e3a21a", "none": "#b8452f"}
WIDTH = 400  # the plot area; with the axis labels the chart stays under about 700 px
PRINT_WIDTH_MM = 160  # the width the Word file gives a chart (render.docx.CHART_WIDTH_MM)
MIN_PRINT_PT = 9  # no text smaller than this on the printed page
FONT_PX = 14  # every label, legend, axis title and mark text
TITLE_PX = 16
WRAP_CHARS = 24  # a longer label is wrapped into lines of about this many characters
DASHES = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [4, 4]]  # solid, dashed, dotted, dash-dot, …
SHAPES = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down"]
INK = "#000000"
# Charts aggregate: a bounded number of marks whatever the plan's size (documents stay small).
MAX_ROWS = 60  # data rows of a bar / point chart
TOP_UNITS = 20  # units shown by name; the rest are summed or left to the annex


# ----------------------------------------------------------------------------- drafts
_DRAFTING: contextvars.ContextVar[bool] = contextvars.ContextVar("ocop_chart_drafting", default=False)
_P = ParamSpec("_P")
_C = TypeVar("_C")


@dataclass(frozen=True)
class PendingChart:
    """A chart not built: what a chart builder returns inside :func:`drafting`."""

    builder: str


@contextlib.contextmanager
def drafting() -> Iterator[None]:
    """Within this block (this thread only) chart builders return a :class:`PendingChart` instead of
    a chart: the Lab's first answer shows a panel's new figures at once and leaves building and
    drawing its charts to the refinement. Documents never draft."""
    token = _DRAFTING.set(True)
    try:
        yield
    finally:
        _DRAFTING.reset(token)


def deferrable(builder: Callable[_P, _C]) -> Callable[_P, _C]:
    """A chart builder that returns a :class:`PendingChart` while :func:`drafting`."""

    @functools.wraps(builder)
    def build(*args: _P.args, **kwargs: _P.kwargs) -> _C:
        if _DRAFTING.get():
            return PendingChart(builder.__name__)  # type: ignore[return-value]
        return builder(*args, **kwargs)

    return build


def count_axis(title: str, **kwargs: object) -> alt.Axis:
    """An axis for counts: whole numbers only (no 0,5 ticks), Vietnamese thousands."""
    return alt.Axis(title=title, format=",d", tickMinStep=1, **kwargs)


# Vietnamese number format for Vega: '.' groups thousands, ',' marks decimals.
VI_LOCALE = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " đồng"]}


def theme() -> dict:
    """The workbook's Vega-Lite config (fonts, palette, sizes)."""
    return {
        "config": {
            "font": FONT,
            "view": {"stroke": None, "continuousWidth": WIDTH, "continuousHeight": 240},
            "range": {"category": PALETTE},
            "axis": {
                "labelFontSize": FONT_PX,
                "titleFontSize": FONT_PX,
                "gridColor": "#dddddd",
                "labelLimit": 0,
                "labelColor": INK,
                "titleColor": INK,
                "domainColor": INK,
                "tickColor": INK,
            },
            "legend": {
                "labelFontSize": FONT_PX,
                "titleFontSize": FONT_PX,
                "orient": "bottom",
                "direction": "vertical",
                "labelLimit": 0,
                "labelColor": INK,
                "titleColor": INK,
                "symbolSize": 180,
                "symbolStrokeWidth": 2,
            },
            "title": {
                "fontSize": TITLE_PX,
                "anchor": "start",
                "subtitleFontSize": FONT_PX,
                "color": INK,
                "subtitleColor": INK,
                "limit": 0,
            },
            "text": {"fontSize": FONT_PX, "color": INK},
        }
    }


def style(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Apply the workbook theme and the Vietnamese number locale to a finished chart."""
    cfg = theme()["config"]
    return (
        chart.configure(font=cfg["font"], locale={"number": VI_LOCALE})
        .configure_view(stroke=None)
        .configure_range(category=PALETTE)
        .configure_axis(**cfg["axis"])
        .configure_legend(**cfg["legend"])
        .configure_title(**cfg["title"])
        .configure_text(**cfg["text"])
    )


def wrap(text: str, width: int = WRAP_CHARS) -> list[str]:
    """``text`` cut at spaces into lines of about ``width`` characters (one line when short)."""
    return textwrap.wrap(str(text), width=width, break_long_words=False, break_on_hyphens=False) or [str(text)]


def wrap_labels(values, width: int = WRAP_CHARS) -> str:
    """A Vega ``labelExpr`` that prints each long label of ``values`` on several lines (axis or
    legend), so no label is cut and none widens the chart beyond the printed page."""
    lines = {str(v): wrap(v, width) for v in dict.fromkeys(values) if len(str(v)) > width}
    if not lines:
        return "datum.label"
    table = json.dumps(lines, ensure_ascii=False, sort_keys=True)
    return f"{table}[datum.label] || datum.label"


def band(values, width: int = WRAP_CHARS) -> alt.Step:
    """The height of one band of a nominal axis: room for its longest label's lines."""
    lines = max((len(wrap(v, width)) for v in values), default=1)
    return alt.Step(max(26, 18 * lines + 8))


def subtitle(*lines: str) -> list[str]:
    """A subtitle as lines short enough for the printed width (never one long line)."""
    out: list[str] = []
    for line in lines:
        out += wrap(line, 70)
    return out


def dash(
    field: str, domain: list[str] | None = None, title: str | None = None, legend: alt.Legend | None = None
) -> alt.StrokeDash:
    """Outline dash by category: a black-and-white print still tells the categories apart (the
    legend merges it with the colour of the same field when both have the same title and legend)."""
    scale = alt.Scale(range=DASHES) if domain is None else alt.Scale(domain=domain, range=DASHES[: len(domain)])
    return alt.StrokeDash(f"{field}:N", title=title, scale=scale, sort=domain, legend=legend or alt.Undefined)


def colour(field: str, domain: list[str], title: str | None = None, legend: alt.Legend | None = None) -> alt.Color:
    """The palette's colours by category, in ``domain`` order (sorted like :func:`dash`, so the two
    share one legend)."""
    return alt.Color(
        f"{field}:N",
        title=title,
        sort=domain,
        scale=alt.Scale(domain=domain, range=PALETTE[: len(domain)]),
        legend=legend or alt.Undefined,
    )


def shape(field: str, title: str | None = None) -> alt.Shape:
    """Point shape by category (with the colour of the same field)."""
    return alt.Shape(f"{field}:N", title=title, scale=alt.Scale(range=SHAPES))


@deferrable
def targets_vs_data_chart(comparison: pd.DataFrame) -> alt.Chart:
    """Grouped bars: published target and count in the data, per stream.

    ``comparison`` has columns ``stream_label``, ``kind`` ('Chỉ tiêu kế hoạch' / 'Theo dữ liệu'),
    ``products``.
    """
    base = alt.Chart(comparison).encode(
        y=alt.Y("stream_label:N", title=None, sort=None),
        x=alt.X("products:Q", axis=count_axis("Số sản phẩm")),
        yOffset=alt.YOffset("kind:N"),
        tooltip=[
            alt.Tooltip("stream_label:N", title="Hình thức"),
            alt.Tooltip("kind:N", title="Số liệu"),
            alt.Tooltip("products:Q", title="Số sản phẩm", format=",d"),
        ],
    )
    kinds = comparison["kind"].astype("str").unique().tolist()
    bars = base.mark_bar(stroke=INK, strokeWidth=1.5).encode(
        color=colour("kind", kinds), strokeDash=dash("kind", kinds)
    )
    text = base.mark_text(align="left", dx=3).encode(text=alt.Text("products:Q", format=",d"))
    return (bars + text).properties(
        width=WIDTH, height=alt.Step(22), title="Chỉ tiêu đánh giá, phân hạng theo hình thức"
    )


# --- targets, stock projection, calendar and expiry pipeline (issue 3) ---


def _stream_scale() -> alt.Scale:

    return alt.Scale(
        domain=[labels.STREAM[s] for s in STREAM_COLOURS],
        range=list(STREAM_COLOURS.values()),
    )


@deferrable
def unit_stream_chart(unit_table: pd.DataFrame) -> alt.Chart:
    """Stacked bars: products per unit and stream (``targets.by_unit`` output), heaviest first."""

    streams = [s for s in STREAM_COLOURS if s in unit_table.columns]
    long = unit_table.melt(
        id_vars=["unit_id", "unit_name", "total"],
        value_vars=streams,
        var_name="stream",
        value_name="products",
    )
    long["stream_label"] = long["stream"].map(labels.STREAM).astype("str")
    long["order"] = long["stream"].map({s: i for i, s in enumerate(STREAM_COLOURS)})
    order = unit_table.sort_values("total", ascending=False)["unit_name"].tolist()
    return (
        alt.Chart(long)
        .mark_bar(stroke=INK, strokeWidth=1.2)
        .encode(
            y=alt.Y("unit_name:N", title=None, sort=order, axis=alt.Axis(labelExpr=wrap_labels(order))),
            x=alt.X("products:Q", axis=count_axis("Số sản phẩm"), stack="zero"),
            color=alt.Color("stream_label:N", title=None, scale=_stream_scale()),
            strokeDash=dash("stream_label", [labels.STREAM[s] for s in STREAM_COLOURS]),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("unit_name:N", title="Đơn vị"),
                alt.Tooltip("stream_label:N", title="Hình thức"),
                alt.Tooltip("products:Q", title="Số sản phẩm", format=",d"),
                alt.Tooltip("total:Q", title="Tổng số", format=",d"),
            ],
        )
        .properties(width=WIDTH, height=band(order), title="Sản phẩm tham gia đánh giá theo đơn vị và hình thức")
    )


def _signed(value: int, whole: bool) -> str:
    """A bar's direct label: its number, with "+" or "−" for a change."""
    shown = vnformat.number(abs(value))
    if whole or value == 0:
        return vnformat.number(value)
    return ("+" if value > 0 else "−") + shown


@deferrable
def stock_projection_chart(components: pd.DataFrame, stock_target: int) -> alt.LayerChart:
    """Waterfall from the start stock to the expected end stock (``StockProjection.components()``),
    with the year's target as a dashed rule."""

    frame = components.copy()
    previous = frame["cumulative"].shift(1).fillna(0.0)
    whole = frame["component"].isin(["start", "end"])
    frame["bar_start"] = previous.where(~whole, 0.0)
    frame["bar_end"] = frame["cumulative"]
    frame["label"] = frame["component"].map(labels.STOCK_COMPONENT).fillna(frame["component"]).astype("str")
    frame["kind"] = "Tăng"
    frame.loc[frame["value"] < 0, "kind"] = "Giảm"
    frame.loc[whole, "kind"] = "Số sản phẩm"
    frame["shown"] = frame["value"].round().astype("int64")
    # Direct labels say the direction in black and white: "+95", "−7"; whole bars their number.
    frame["signed"] = [_signed(int(v), bool(w)) for v, w in zip(frame["shown"], whole, strict=True)]
    order = frame["label"].tolist()
    bars = (
        alt.Chart(frame)
        .mark_bar(stroke=INK, strokeWidth=1.2)
        .encode(
            x=alt.X("label:N", title=None, sort=order, axis=alt.Axis(labelAngle=0, labelExpr=wrap_labels(order, 12))),
            y=alt.Y("bar_start:Q", axis=count_axis("Số sản phẩm OCOP (từ 3 sao)")),
            y2="bar_end:Q",
            color=alt.Color(
                "kind:N",
                title=None,
                scale=alt.Scale(domain=["Số sản phẩm", "Tăng", "Giảm"], range=["#2f6db5", "#1b6f3a", "#b8452f"]),
            ),
            strokeDash=dash("kind", ["Số sản phẩm", "Tăng", "Giảm"]),
            tooltip=[
                alt.Tooltip("label:N", title="Thành phần"),
                alt.Tooltip("shown:Q", title="Số sản phẩm", format=",d"),
            ],
        )
    )
    text = (
        alt.Chart(frame)
        .mark_text(dy=-6, baseline="bottom")
        .encode(
            x=alt.X("label:N", sort=order),
            y=alt.Y("bar_max:Q"),
            text=alt.Text("signed:N"),
        )
        .transform_calculate(bar_max="max(datum.bar_start, datum.bar_end)")
    )
    target = pd.DataFrame({"target": [int(stock_target)], "label": [f"Chỉ tiêu: {int(stock_target)}"]})
    rule = alt.Chart(target).mark_rule(color=INK, strokeDash=[6, 4], size=2).encode(y="target:Q")
    rule_text = (
        alt.Chart(target)
        .mark_text(align="left", dx=4, dy=-8, color=INK, fontWeight="bold")
        .encode(y="target:Q", x=alt.value(0), text="label:N")
    )
    return alt.layer(bars, text, rule, rule_text).properties(
        width=alt.Step(92), title="Số sản phẩm OCOP dự kiến cuối năm so với chỉ tiêu"
    )


@deferrable
def calendar_load_chart(rounds: pd.DataFrame, as_of: object | None = None) -> alt.LayerChart:
    """Load per round on a time axis (``Calendar.rounds``): a bar per round at its deadline, the
    deadlines as rules, the capacity of the round's councils as ticks, flagged rounds outlined.

    The count axis runs from zero to a little above the largest round, not to the capacity: a
    capacity far above every round (600 against rounds of 20–170) would squash the bars, so its tick
    is clipped off the plot and every round's capacity is said in words under the title. The day the
    plan is looked at is drawn only inside the deadlines' span (it is named in the subtitle).
    """

    frame = rounds.copy()
    frame["level_label"] = frame["level"].map(labels.LEVEL).fillna(frame["level"]).astype("str")
    frame["round_label"] = ("Đợt " + frame["round"].astype(str) + " – " + frame["level_label"]).astype("str")
    if "capacity" not in frame:  # the round's capacity: every council of the round (sections.calendar passes it)
        frame["capacity"] = frame["capacity_per_council"] * frame["councils"].clip(lower=1)
    frame["deadline_text"] = frame["deadline"].map(lambda d: f"{d.day}/{d.month}/{d.year}").astype("str")
    status = pd.Series("Bình thường", index=frame.index, dtype="str")
    status[frame["over_capacity"]] = labels.CALENDAR_WARNING["over_capacity"]
    status[~frame["level_in_force"].astype(bool)] = labels.CALENDAR_WARNING["level_not_in_force"]
    frame["status"] = status
    frame["flagged"] = (frame["status"] != "Bình thường").astype("int64")
    top = float(frame["products"].max()) if len(frame) else 0.0
    y_max = max(10.0, top * 1.15)
    tooltip = [
        alt.Tooltip("round_label:N", title="Đợt"),
        alt.Tooltip("deadline_text:N", title="Thời hạn"),
        alt.Tooltip("products:Q", title="Số sản phẩm", format=",d"),
        alt.Tooltip("councils:Q", title="Số hội đồng"),
        alt.Tooltip("max_council_load:Q", title="Sản phẩm/hội đồng (lớn nhất)"),
        alt.Tooltip("capacity_per_council:Q", title="Năng lực/hội đồng"),
        alt.Tooltip("capacity:Q", title="Năng lực cả đợt"),
        alt.Tooltip("status:N", title="Tình trạng"),
    ]
    deadlines = pd.to_datetime(frame["deadline"])
    span = (
        [(deadlines.min() - pd.Timedelta(days=20)).isoformat(), (deadlines.max() + pd.Timedelta(days=20)).isoformat()]
        if len(frame)
        else None
    )
    x = alt.X(
        "deadline:T",
        title="Thời hạn hoàn thành",
        axis=alt.Axis(format="%-d/%-m/%Y", tickCount={"interval": "month", "step": 1}),
        scale=alt.Scale(domain=span) if span else alt.Undefined,
    )
    y_scale = alt.Scale(domain=[0, y_max], nice=False)
    bars = (
        alt.Chart(frame)
        .mark_bar(size=22)
        .encode(
            x=x,
            xOffset=alt.XOffset("level_label:N"),
            y=alt.Y("products:Q", axis=count_axis("Số sản phẩm"), scale=y_scale),
            color=alt.Color("level_label:N", title="Cấp đánh giá"),
            stroke=alt.value(INK),
            strokeWidth=alt.condition("datum.flagged > 0", alt.value(3), alt.value(1)),
            strokeDash=alt.condition("datum.flagged > 0", alt.value([5, 3]), alt.value([1, 0])),
            opacity=alt.condition("datum.level_in_force", alt.value(1.0), alt.value(0.5)),
            tooltip=tooltip,
        )
    )
    deadlines_rule = alt.Chart(frame).mark_rule(strokeDash=[4, 3], color="#8c8c8c").encode(x=x, tooltip=tooltip)
    capacity = (
        alt.Chart(frame)
        .mark_tick(color=INK, thickness=3, size=26, clip=True)
        .encode(
            x="deadline:T", xOffset=alt.XOffset("level_label:N"), y=alt.Y("capacity:Q", scale=y_scale), tooltip=tooltip
        )
    )
    layers = [deadlines_rule, bars, capacity]
    said = "; ".join(
        f"{row.round_label}: {vnformat.number(int(row.products))} sản phẩm, năng lực {vnformat.number(int(row.capacity))}"
        for row in frame.itertuples()
    )
    lines = [
        "Vạch đen ngang: năng lực cả đợt (số hội đồng × năng lực một hội đồng), khi nằm trong khung; "
        "viền đứt: đợt cần xử lý; nét đứt dọc: thời hạn.",
    ]
    if said:
        lines.append(said + ".")
    if as_of is not None:
        when = pd.Timestamp(as_of)
        lines.append(f"Ngày xem xét: {when.day}/{when.month}/{when.year}.")
        today = pd.DataFrame({"as_of": [when], "label": ["Ngày xem xét"]})
        layers.append(
            alt.Chart(today)
            .mark_rule(color=INK, size=2, strokeDash=[2, 2], clip=True)
            .encode(
                x=alt.X("as_of:T", title="Thời hạn hoàn thành", scale=alt.Scale(domain=span) if span else alt.Undefined)
            )
        )
    return alt.layer(*layers).properties(
        width=WIDTH,
        title=alt.TitleParams("Số sản phẩm theo đợt đánh giá", subtitle=subtitle(*lines)),
    )


@deferrable
def expiry_pipeline_chart(by_year: pd.DataFrame) -> alt.Chart:
    """Re-evaluations falling due per year (``stock.expiry_by_year``), with the cohort estimate
    from the stock history next to it when present."""

    series = {"due": "Theo ngày cấp giấy chứng nhận"}
    if "cohort_estimate" in by_year.columns:
        series["cohort_estimate"] = labels.PLANNING_COLUMN["cohort_estimate"]
    long = by_year.melt(id_vars=["due_year"], value_vars=list(series), var_name="series", value_name="products")
    long = long.loc[long["products"].notna()].copy()
    long["products"] = long["products"].astype("int64")
    long["series_label"] = long["series"].map(series).astype("str")
    long["year"] = long["due_year"].astype(str)
    legend = alt.Legend(labelExpr=wrap_labels(series.values(), 40))
    return (
        alt.Chart(long)
        .mark_bar(stroke=INK, strokeWidth=1.5)
        .encode(
            x=alt.X("year:N", title="Năm đến hạn", axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("series_label:N"),
            y=alt.Y("products:Q", axis=count_axis("Số sản phẩm đến hạn đánh giá lại")),
            color=colour("series_label", list(series.values()), legend=legend),
            strokeDash=dash("series_label", list(series.values()), legend=legend),
            tooltip=[
                alt.Tooltip("year:N", title="Năm"),
                alt.Tooltip("series_label:N", title="Nguồn"),
                alt.Tooltip("products:Q", title="Số sản phẩm", format=",d"),
            ],
        )
        .properties(width=WIDTH, title="Sản phẩm đến hạn đánh giá lại theo năm")
    )


# --- Budget allocation and Monte Carlo (issue 4) -------------------------------------------------


def grant_profile(allocations: pd.DataFrame, bands: int | None = None) -> pd.DataFrame:
    """Mean claim and mean grant per claim band and rule (the data of ``grants_by_organisation_chart``).

    Organisations are cut into ``bands`` bands of about equal size by their claim (quantiles; ties
    share a band), the same bands for every rule. Returns ``rule_label, band, organisations,
    claim_m, granted_m, granted_min_m, granted_max_m`` (millions of đồng), at most ``MAX_ROWS`` rows.
    """
    rules = allocations["rule_label"].astype("str")
    n_rules = max(rules.nunique(), 1)
    bands = bands or max(3, min(15, MAX_ROWS // n_rules))
    claims = allocations[["organisation_id", "claim_vnd"]].drop_duplicates("organisation_id")
    ranked = claims["claim_vnd"].rank(method="min")
    codes = pd.qcut(ranked, q=min(bands, max(len(claims), 1)), labels=False, duplicates="drop")
    band_of = dict(zip(claims["organisation_id"], codes, strict=True))
    frame = allocations.assign(
        rule_label=rules,
        band=allocations["organisation_id"].map(band_of).fillna(0).astype("int64"),  # one band when every claim ties
        claim_m=allocations["claim_vnd"] / 1e6,
        granted_m=allocations["granted_vnd"] / 1e6,
    )
    out = (
        frame.groupby(["rule_label", "band"], sort=True)
        .agg(
            organisations=("organisation_id", "size"),
            claim_m=("claim_m", "mean"),
            granted_m=("granted_m", "mean"),
            granted_min_m=("granted_m", "min"),
            granted_max_m=("granted_m", "max"),
        )
        .reset_index()
    )
    return out


@deferrable
def grants_by_organisation_chart(allocations: pd.DataFrame) -> alt.LayerChart:
    """Mean grant against mean claim per claim band, one line per rule (millions of đồng), with the
    range of grants in each band as a vertical bar.

    ``allocations``: ``organisation_id, rule_label, claim_vnd, granted_vnd`` (one row per
    organisation and rule, e.g. ``allocation.compare_rules(...)[0]``). Organisations are grouped into
    bands of about equal size by claim (:func:`grant_profile`), so the chart has the same few marks
    at any plan size; the shape still shows the rule: a line through the origin for proportional,
    a ceiling for equal awards, an offset for equal losses. The full list is in the annex.
    """
    profile = grant_profile(allocations)
    rules = profile["rule_label"].unique().tolist()
    # The legend draws each rule's line (colour and dash): a black-and-white print tells them apart.
    legend = alt.Legend(labelExpr=wrap_labels(rules, 40), symbolType="stroke", symbolStrokeWidth=2.5, symbolSize=400)
    base = alt.Chart(profile).encode(
        x=alt.X("claim_m:Q", title="Mức đề nghị hỗ trợ bình quân của nhóm (triệu đồng)", scale=alt.Scale(zero=False)),
    )
    color = alt.Color("rule_label:N", title="Quy tắc phân bổ", legend=legend)
    tooltip = [
        alt.Tooltip("rule_label:N", title="Quy tắc"),
        alt.Tooltip("organisations:Q", title="Số tổ chức trong nhóm", format=",d"),
        alt.Tooltip("claim_m:Q", title="Đề nghị bình quân (triệu đồng)", format=",.1f"),
        alt.Tooltip("granted_m:Q", title="Hỗ trợ bình quân (triệu đồng)", format=",.1f"),
        alt.Tooltip("granted_min_m:Q", title="Hỗ trợ thấp nhất (triệu đồng)", format=",.1f"),
        alt.Tooltip("granted_max_m:Q", title="Hỗ trợ cao nhất (triệu đồng)", format=",.1f"),
    ]
    spread = base.mark_rule(color="#9a9a9a", opacity=0.6, strokeWidth=3).encode(
        y="granted_min_m:Q", y2="granted_max_m:Q", detail="rule_label:N"
    )
    y = alt.Y("granted_m:Q", title="Mức được hỗ trợ bình quân (triệu đồng)")
    # One layer for line and points: colour, dash and shape of the same field share one legend.
    line = base.mark_line(strokeWidth=2, point={"size": 80, "filled": True}).encode(
        y=y,
        color=color,
        strokeDash=alt.StrokeDash(
            "rule_label:N", title="Quy tắc phân bổ", scale=alt.Scale(range=DASHES), legend=legend
        ),
        shape=alt.Shape("rule_label:N", title="Quy tắc phân bổ", scale=alt.Scale(range=SHAPES), legend=None),
        tooltip=tooltip,
    )
    return alt.layer(spread, line).properties(
        width=WIDTH,
        title=alt.TitleParams(
            "Mức hỗ trợ theo nhóm mức đề nghị, so sánh các quy tắc phân bổ",
            subtitle=subtitle(
                "Chủ thể chia thành các nhóm đông gần bằng nhau theo mức đề nghị; mỗi quy tắc một kiểu nét; "
                "vạch mờ: thấp nhất – cao nhất"
            ),
        ),
    )


def funding_status_color(field: str) -> alt.Color:
    """The colour channel of a funding-status field (its Vietnamese labels): every status has its
    colour and legend entry, in the order full, partial, none, whether or not the data hold it."""
    order = [labels.FUNDING_STATUS[k] for k in FUNDING_STATUS_COLOURS]
    return alt.Color(
        f"{field}:N",
        title=None,
        sort=order,
        scale=alt.Scale(domain=order, range=list(FUNDING_STATUS_COLOURS.values())),
    )


@deferrable
def funding_status_chart(status: pd.DataFrame) -> alt.Chart:
    """Stacked bars per rule: organisations fully / partly / not funded.

    ``status``: ``rule_label, status_label, organisations``.
    """
    order = [labels.FUNDING_STATUS[k] for k in FUNDING_STATUS_COLOURS]
    return (
        alt.Chart(status)
        .mark_bar(stroke=INK, strokeWidth=1.5)
        .encode(
            y=alt.Y("rule_label:N", title=None, sort=None, axis=alt.Axis(labelExpr=wrap_labels(status["rule_label"]))),
            x=alt.X("organisations:Q", axis=count_axis("Số tổ chức kinh tế"), stack="zero"),
            color=funding_status_color("status_label"),
            strokeDash=dash("status_label", order),
            order=alt.Order("status_order:Q"),
            tooltip=[
                alt.Tooltip("rule_label:N", title="Quy tắc"),
                alt.Tooltip("status_label:N", title="Kết quả"),
                alt.Tooltip("organisations:Q", title="Số tổ chức", format=",d"),
            ],
        )
        .transform_calculate(status_order=f"indexof({order!r}, datum.status_label)")
        .properties(
            width=WIDTH,
            height=band(status["rule_label"]),
            title="Số tổ chức kinh tế được hỗ trợ đủ, một phần, không được hỗ trợ",
        )
    )


def _lowest_units(coverage: pd.DataFrame) -> tuple[pd.DataFrame, str | alt.TitleParams]:
    """At most ``MAX_ROWS`` bars: with many units, the units with the lowest coverage (the full list
    is in the annex)."""
    title = "Tỷ lệ đáp ứng theo đơn vị hành chính"
    rules = max(coverage["rule_label"].nunique(), 1)
    keep = max(1, min(TOP_UNITS, MAX_ROWS // rules))
    if coverage["unit_name"].nunique() <= keep:
        return coverage, title
    lowest = coverage.groupby("unit_name")["funded_share"].min().nsmallest(keep, keep="first").index
    shown = coverage[coverage["unit_name"].isin(lowest)]
    total = coverage["unit_name"].nunique()
    return shown, alt.TitleParams(
        title, subtitle=f"{keep} đơn vị có tỷ lệ thấp nhất trong {total} đơn vị (đủ cả trong phụ lục)"
    )


@deferrable
def coverage_by_unit_chart(coverage: pd.DataFrame) -> alt.Chart:
    """Funded share of the requested amount per administrative unit, one bar per rule.

    ``coverage``: ``unit_name, rule_label, funded_share`` (share in [0, 1]).
    """
    coverage, title = _lowest_units(coverage)
    rules = coverage["rule_label"].unique().tolist()
    return (
        alt.Chart(coverage)
        .mark_bar(stroke=INK, strokeWidth=1.2)
        .encode(
            y=alt.Y(
                "unit_name:N", title=None, sort="ascending", axis=alt.Axis(labelExpr=wrap_labels(coverage["unit_name"]))
            ),
            yOffset=alt.YOffset("rule_label:N"),
            x=alt.X(
                "funded_share:Q",
                title="Tỷ lệ số tiền đề nghị được hỗ trợ",
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            color=alt.Color(
                "rule_label:N", title="Quy tắc phân bổ", legend=alt.Legend(labelExpr=wrap_labels(rules, 40))
            ),
            strokeDash=alt.StrokeDash(
                "rule_label:N",
                title="Quy tắc phân bổ",
                scale=alt.Scale(range=DASHES),
                legend=alt.Legend(labelExpr=wrap_labels(rules, 40)),
            ),
            tooltip=[
                alt.Tooltip("unit_name:N", title="Đơn vị"),
                alt.Tooltip("rule_label:N", title="Quy tắc"),
                alt.Tooltip("funded_share:Q", title="Tỷ lệ được hỗ trợ", format=".1%"),
            ],
        )
        .properties(width=WIDTH, height=alt.Step(max(26, 18 * len(rules) + 4)), title=title)
    )


@deferrable
def simulation_interval_chart(summary: pd.DataFrame) -> alt.LayerChart:
    """Planned amount against the expected spend per budget line (billion đồng): the range holding
    8 in 10 chances as a grey band, the amount as likely to be exceeded as not as a dot, the plan as
    a black upright bar (shapes, not colours, tell them apart).

    ``summary``: ``label, planned_vnd, p10_vnd, p50_vnd, p90_vnd`` (``SimulationResult.line_summary``
    with labels, or ``budget.budget_comparison``).
    """
    base = (
        alt.Chart(summary)
        .transform_calculate(
            p10="datum.p10_vnd / 1e9",
            p50="datum.p50_vnd / 1e9",
            p90="datum.p90_vnd / 1e9",
            planned="datum.planned_vnd / 1e9",
        )
        .encode(y=alt.Y("label:N", title=None, sort=None, axis=alt.Axis(labelExpr=wrap_labels(summary["label"]))))
    )
    interval = base.mark_rule(strokeWidth=8, color="#9a9a9a").encode(x=alt.X("p10:Q", title="Tỷ đồng"), x2="p90:Q")
    median = base.mark_point(filled=True, size=90, color=INK, shape="circle").encode(
        x="p50:Q",
        tooltip=[
            alt.Tooltip("label:N", title="Nội dung chi"),
            alt.Tooltip("planned:Q", title="Kế hoạch (tỷ đồng)", format=",.2f"),
            alt.Tooltip("p10:Q", title="Cận dưới, 8 trên 10 khả năng (tỷ đồng)", format=",.2f"),
            alt.Tooltip("p50:Q", title="Mức chi dự kiến (tỷ đồng)", format=",.2f"),
            alt.Tooltip("p90:Q", title="Cận trên, 8 trên 10 khả năng (tỷ đồng)", format=",.2f"),
        ],
    )
    planned = base.mark_tick(thickness=3, size=26, color=INK).encode(x="planned:Q")
    return (interval + median + planned).properties(
        width=WIDTH,
        height=band(summary["label"]),
        title=alt.TitleParams(
            "Kinh phí kế hoạch và mức chi dự kiến (mô phỏng) theo nội dung chi",
            subtitle=subtitle(
                "Vạch đứng: kinh phí kế hoạch; dải xám: 8 trên 10 khả năng mức chi nằm trong khoảng này; "
                "chấm: mức chi dự kiến (khả năng cao hơn và thấp hơn như nhau)"
            ),
        ),
    )


def histogram_bins(values: np.ndarray | pd.Series, bins: int = 40) -> pd.DataFrame:
    """Counts of ``values`` in at most ``bins`` equal-width bins: ``bin_start, bin_end, count``
    (computed here, so the chart carries the bins, not one row per draw)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return pd.DataFrame({"bin_start": [], "bin_end": [], "count": []})
    low, high = float(v.min()), float(v.max())
    if high <= low:
        low, high = low - 0.5, high + 0.5
    counts, edges = np.histogram(v, bins=bins, range=(low, high))
    return pd.DataFrame({"bin_start": edges[:-1], "bin_end": edges[1:], "count": counts.astype(np.int64)})


@deferrable
def simulation_histogram_chart(
    draws: pd.DataFrame,
    column: str = "total",
    planned_vnd: int | None = None,
    title: str = "Tổng kinh phí có thể phải chi: số khả năng ở từng mức",
) -> alt.LayerChart:
    """How often each total comes out across the simulated years (billion đồng), with the planned
    amount as a labelled black line.

    ``draws``: one row per draw with ``column`` in đồng (``SimulationResult.line_draws``); the
    40 bins are counted in pandas (:func:`histogram_bins`), so the chart holds 40 rows whatever
    the number of draws. Bars stand on zero; the money axis spans the bins (and the plan), not zero.
    """
    bins = histogram_bins(draws[column].to_numpy(dtype=float) / 1e9)
    total = int(bins["count"].sum()) if len(bins) else 0
    hist = (
        alt.Chart(bins)
        .mark_bar(color="#7d7d7d", stroke=INK, strokeWidth=0.5, binSpacing=0)
        .encode(
            x=alt.X(
                "bin_start:Q", title="Tỷ đồng", scale=alt.Scale(zero=False, nice=False), axis=alt.Axis(tickCount=6)
            ),
            x2="bin_end:Q",
            y=alt.Y(
                "count:Q", axis=count_axis(f"Số khả năng (trên {vnformat.number(total)})"), scale=alt.Scale(zero=True)
            ),
            y2=alt.datum(0),
            tooltip=[
                alt.Tooltip("bin_start:Q", title="Từ (tỷ đồng)", format=",.2f"),
                alt.Tooltip("bin_end:Q", title="Đến (tỷ đồng)", format=",.2f"),
                alt.Tooltip("count:Q", title="Số khả năng", format=",d"),
            ],
        )
    )
    if planned_vnd is None:
        return alt.layer(hist).properties(width=WIDTH, title=title)
    planned = pd.DataFrame(
        {"planned": [planned_vnd / 1e9], "label": [f"Kế hoạch: {vnformat.money(planned_vnd, 'tỷ')}"]}
    )
    plan = (
        alt.Chart(planned)
        .mark_rule(color=INK, strokeWidth=2, strokeDash=[6, 3])
        .encode(x="planned:Q", tooltip=[alt.Tooltip("planned:Q", title="Kế hoạch (tỷ đồng)", format=",.2f")])
    )
    label = (
        alt.Chart(planned)
        .mark_text(align="right", dx=-4, baseline="top", y=2, fontWeight="bold")
        .encode(x="planned:Q", text="label:N")
    )
    return (hist + plan + label).properties(width=WIDTH, title=title)


@deferrable
def rule_coverage_chart(rule_summary: pd.DataFrame) -> alt.LayerChart:
    """The weighted coverage each rule can be expected to reach: the range holding 8 in 10 chances
    (grey band) and the level as likely to be exceeded as not (dot), per rule.

    ``rule_summary``: ``rule_label, p10, p50, p90`` for one metric (shares in [0, 1]).
    """
    base = alt.Chart(rule_summary).encode(
        y=alt.Y("rule_label:N", title=None, sort=None, axis=alt.Axis(labelExpr=wrap_labels(rule_summary["rule_label"])))
    )
    interval = base.mark_rule(strokeWidth=8, color="#9a9a9a").encode(
        x=alt.X(
            "p10:Q",
            title="Mức đáp ứng có trọng số ưu tiên",
            axis=alt.Axis(format="%"),
            scale=alt.Scale(zero=False),
        ),
        x2="p90:Q",
    )
    median = base.mark_point(filled=True, size=90, color=INK).encode(
        x="p50:Q",
        tooltip=[
            alt.Tooltip("rule_label:N", title="Quy tắc"),
            alt.Tooltip("p10:Q", title="Cận dưới, 8 trên 10 khả năng", format=".1%"),
            alt.Tooltip("p50:Q", title="Mức dự kiến", format=".1%"),
            alt.Tooltip("p90:Q", title="Cận trên, 8 trên 10 khả năng", format=".1%"),
        ],
    )
    return (interval + median).properties(
        width=WIDTH,
        height=band(rule_summary["rule_label"]),
        title=alt.TitleParams(
            "Mức đáp ứng dự kiến theo quy tắc phân bổ",
            subtitle=subtitle(
                "Dải xám: 8 trên 10 khả năng nằm trong khoảng này; chấm: mức dự kiến (khả năng cao hơn và thấp hơn như nhau)"
            ),
        ),
    )

"""The comparison as a self-contained Vietnamese HTML page and an XLSX workbook.

One column per scenario (figures read from each scenario's Results, differences from the first
scenario — the base — highlighted), the parameters that differ, and for sweeps a table with one row
per point and a line chart (e.g. organisations left out against the envelope, one line per rule).
Charts are inline SVG rendered by vl-convert; the page loads nothing from the network.
"""

from __future__ import annotations

import datetime as dt
import html
import io as _io
import os
from pathlib import Path
from typing import Any

import altair as alt
import openpyxl
import pandas as pd

from ocop_helpers.core import atomic, paths, vnformat
from ocop_helpers.document import charts
from ocop_helpers.domain import labels
from ocop_helpers.inputs import loading
from ocop_helpers.model.compute import unit_display_names
from ocop_helpers.model.params import specs
from ocop_helpers.render import xlsx
from ocop_helpers.runs import compare as cmp
from ocop_helpers.runs.compare import Comparison, Figure, figures, output_dir, swept_parameters
from ocop_helpers.runs.scenarios import shown_value
from ocop_helpers.runs.sweep import parse_sweeps

MAX_COLUMNS = 12  # beyond this many scenarios the column table goes to the workbook only
HTML_NAME, XLSX_NAME = "compare.html", "compare.xlsx"

CSS = """
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; color: #1d1d1d; }
main { max-width: 72rem; margin: 0 auto; padding: 1.5rem 2rem 4rem; }
h1, h2 { color: #1b6f3a; } h2 { border-bottom: 2px solid #e3e3e3; padding-bottom: .2rem; }
.ocop-text { font-size: 1rem; line-height: 1.55; max-width: 52rem; }
.ocop-title { border-bottom: 4px solid #1b6f3a; margin-bottom: 1.5rem; padding-bottom: 1rem; }
.ocop-title .ocop-authority { text-transform: uppercase; font-weight: bold; letter-spacing: .03em; }
.ocop-title h1 { font-size: 1.7rem; margin: .6rem 0 .3rem; }
.ocop-title .ocop-meta { color: #555; font-size: .92rem; }
table.ocop-table { border-collapse: collapse; margin: .6rem 0 1.2rem; font-size: .9rem; max-width: 100%; }
table.ocop-table caption { text-align: left; font-weight: bold; padding: .3rem 0; }
table.ocop-table th { background: #eef3ee; padding: .3rem .6rem; border-bottom: 2px solid #c9d6c9; }
table.ocop-table td { padding: .25rem .6rem; border-bottom: 1px solid #e6e6e6; vertical-align: top; }
table.ocop-table td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
table.ocop-table tr.ocop-total td { font-weight: bold; border-top: 2px solid #c9d6c9; }
.ocop-notice { border-left: 5px solid #e3a21a; background: #fff8e6; padding: .6rem .9rem; margin: .6rem 0; }
.ocop-notice.ocop-info { border-color: #2f6db5; background: #eef4fb; }
@page { size: A4 landscape; margin: 14mm; }
@media print { main { max-width: none; padding: 0; } table.ocop-table tr { break-inside: avoid; } }
"""
EXTRA_CSS = """
table.ocop-table td.ocop-diff { background: #fff1c2; font-weight: bold; }
table.ocop-table td.ocop-better { color: #1b6f3a; }
table.ocop-table td.ocop-worse { color: #b8452f; }
.ocop-legend { font-size: .9rem; color: #444; }
.ocop-legend span.ocop-swatch { display: inline-block; width: 1.2em; height: .9em; background: #fff1c2;
  border: 1px solid #e3c46a; vertical-align: middle; margin-right: .3em; }
figure.ocop-chart { margin: 1rem 0; } figure.ocop-chart svg { max-width: 100%; height: auto; }
"""


# ----------------------------------------------------------------------------- formatting
def shown(kind: str, value: Any) -> str:
    """A figure as the reader sees it (one formatting function per kind, from vnformat)."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return "–"
    if kind == "money":
        return vnformat.money(int(value))
    if kind == "int":
        return vnformat.number(int(value))
    if kind == "share":
        return vnformat.percent(float(value))
    if kind == "points":
        return f"{vnformat.number(100 * float(value), 1)} điểm %"
    if kind == "float":
        return vnformat.number(float(value), 2)
    return str(value)


def difference(kind: str, value: Any, base: Any) -> tuple[str, float | None]:
    """(the change from the base as text, the signed change) — text rows give ('khác', None)."""
    missing = [v is None or (isinstance(v, float) and v != v) for v in (value, base)]
    if any(missing):
        return ("" if all(missing) else "khác", None)
    if kind == "text":
        return ("" if value == base else "khác", None)
    delta = float(value) - float(base)
    if abs(delta) < 1e-12:
        return "", 0.0
    sign = "+" if delta > 0 else "−"
    if kind == "money":
        text = vnformat.money(abs(int(value) - int(base)))
    elif kind == "int":
        text = vnformat.number(abs(int(value) - int(base)))
    elif kind in ("share", "points"):
        text = f"{vnformat.number(100 * abs(delta), 1)} điểm %"
    else:
        text = vnformat.number(abs(delta), 2)
    return sign + text, delta


def _tone(fig: Figure, delta: float | None) -> str:
    if delta is None or delta == 0 or fig.higher_is_better is None:
        return ""
    return "ocop-better" if (delta > 0) == fig.higher_is_better else "ocop-worse"


# ----------------------------------------------------------------------------- HTML pieces
def _table(caption: str, header: list[str], rows: list[list[tuple[str, str]]], right_from: int = 1) -> str:
    """An HTML table from (text, css class) cells; every text escaped."""
    out = [f'<table class="ocop-table"><caption>{html.escape(caption)}</caption><thead><tr>']
    out += [
        f'<th style="text-align:{"right" if j >= right_from else "left"}">{html.escape(h)}</th>'
        for j, h in enumerate(header)
    ]
    out.append("</tr></thead><tbody>")
    for row in rows:
        cells = []
        for j, (text, cls) in enumerate(row):
            classes = " ".join(c for c in ("num" if j >= right_from else "", cls) if c)
            align = "right" if j >= right_from else "left"
            cells.append(f'<td class="{classes}" style="text-align:{align}">{html.escape(text)}</td>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def column_table(c: Comparison) -> str:
    """Figures as rows, one column per scenario; cells that differ from the base highlighted."""
    figs = figures(c.line_labels)
    base = c.rows.iloc[0]
    rows = []
    for fig in figs:
        cells = [(fig.label, "")]
        for i, r in c.rows.iterrows():
            text = shown(fig.kind, r.get(fig.key))
            cls = ""
            if i != c.rows.index[0]:
                change, delta = difference(fig.kind, r.get(fig.key), base.get(fig.key))
                cls = ("ocop-diff " + _tone(fig, delta)).strip() if change else ""
            cells.append((text, cls))
        rows.append(cells)
    header = ["Chỉ tiêu", *(f"{s.name}{' (gốc)' if k == 0 else ''}" for k, s in enumerate(c.scenarios))]
    return _table("Các chỉ số quyết định theo phương án", header, rows)


def difference_table(c: Comparison) -> str:
    """The change of each figure from the base, per scenario (empty cell: no change)."""
    figs = figures(c.line_labels)
    base = c.rows.iloc[0]
    rows = []
    for fig in figs:
        cells = [(fig.label, "")]
        any_change = False
        for _, r in c.rows.iloc[1:].iterrows():
            change, delta = difference(fig.kind, r.get(fig.key), base.get(fig.key))
            any_change |= bool(change)
            cells.append((change, _tone(fig, delta)))
        if any_change:
            rows.append(cells)
    if not rows:
        return '<p class="ocop-text">Các phương án cho cùng các chỉ số với phương án gốc.</p>'
    header = ["Chỉ tiêu", *(s.name for s in c.scenarios[1:])]
    return _table(f"Chênh lệch so với phương án gốc «{c.base.name}»", header, rows)


def parameter_table(c: Comparison) -> str:
    """The parameters whose values differ between the scenarios."""
    names = swept_parameters(c.scenarios)
    if not names:
        return ""
    registry = specs()
    rows = []
    for name in names:
        cells = [(f"{name}: {registry[name].help.split(';')[0]}", "")]
        base = c.base.params.__getattr__(name)
        for k, s in enumerate(c.scenarios):
            value = s.params.__getattr__(name)
            cells.append(
                (shown_value(name, value, unit_display_names(c.plan)), "ocop-diff" if k and value != base else "")
            )
        rows.append(cells)
    header = ["Tham số", *(s.name for s in c.scenarios)]
    return _table("Tham số khác nhau giữa các phương án", header, rows)


SWEEP_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("not_funded", "Không được hỗ trợ", "int"),
    ("partly_funded", "Hỗ trợ một phần", "int"),
    ("fully_funded", "Hỗ trợ đủ", "int"),
    ("share_funded", "Tỷ lệ đáp ứng", "share"),
    ("lowest_unit_coverage", "Đơn vị thấp nhất", "share"),
    ("unit_spread", "Chênh lệch giữa đơn vị", "points"),
    ("rewards_p10_vnd", "Thưởng P10", "money"),
    ("rewards_p90_vnd", "Thưởng P90", "money"),
    ("prob_overrun", "Xác suất vượt tổng", "share"),
    ("rounds_over_capacity", "Đợt vượt năng lực", "int"),
)


def sweep_table(c: Comparison) -> str:
    """One row per scenario: the swept values, then the main figures."""
    names = [s.name for s in c.sweeps] or swept_parameters(c.scenarios)
    rows = []
    for s, (_, r) in zip(c.scenarios, c.rows.iterrows(), strict=True):
        cells = [(s.name, "")]
        cells += [(shown_value(n, s.params.__getattr__(n), unit_display_names(c.plan)), "") for n in names]
        cells += [(shown(kind, r.get(key)), "") for key, _, kind in SWEEP_COLUMNS]
        rows.append(cells)
    header = ["Phương án", *names, *(label for _, label, _ in SWEEP_COLUMNS)]
    return _table("Kết quả theo từng điểm quét", header, rows, right_from=1 + len(names))


def _axis_title(name: str) -> str:
    spec = specs()[name]
    text = spec.help.split(";")[0]
    return text.replace("(đồng)", "(tỷ đồng)") if spec.kind == "money" else text


def sweep_frame(c: Comparison) -> tuple[pd.DataFrame, str | None, str | None, str | None]:
    """Long frame for the sweep chart and the roles of the swept parameters:
    (frame, x parameter, colour parameter, facet parameter). The x axis is the first numeric sweep."""
    names = [s.name for s in c.sweeps] or swept_parameters(c.scenarios)
    registry = specs()
    numeric = [n for n in names if registry[n].kind in ("int", "money", "float", "share")]
    x = numeric[0] if numeric else None
    others = [n for n in names if n != x]
    colour = others[0] if others else None
    facet = others[1] if len(others) > 1 else None
    frame = c.rows.copy()
    frame["scenario"] = [s.name for s in c.scenarios]
    if x is not None:
        values = [s.params.__getattr__(x) for s in c.scenarios]
        frame["x"] = [v / 1e9 if registry[x].kind == "money" and v is not None else v for v in values]
    for role, name in (("colour", colour), ("facet", facet)):
        if name is not None:
            frame[role] = [
                shown_value(name, s.params.__getattr__(name), unit_display_names(c.plan)) for s in c.scenarios
            ]
    return frame, x, colour, facet


def sweep_chart(c: Comparison) -> alt.TopLevelMixin:
    """Organisations left out, and the least-served unit's share, against the swept parameter:
    one line per value of the second sweep, small multiples for a third (where the knee shows)."""
    frame, x, colour, facet = sweep_frame(c)
    panels = []
    for key, title, fmt in (
        ("not_funded", "Số chủ thể không được hỗ trợ", ",d"),
        ("lowest_unit_coverage", "Tỷ lệ đáp ứng của đơn vị thấp nhất", ".0%"),
    ):
        data = frame[["scenario", key] + [k for k in ("x", "colour", "facet") if k in frame]]
        base = alt.Chart(data)
        y = alt.Y(f"{key}:Q", title=title, axis=alt.Axis(format=fmt))
        tooltip = ["scenario:N", alt.Tooltip(f"{key}:Q", format=fmt)]
        enc: dict[str, Any] = {"y": y, "tooltip": tooltip}
        if colour:
            enc["color"] = alt.Color(
                "colour:N", title=_axis_title(colour), legend=alt.Legend(orient="bottom", columns=1)
            )
        if x:
            chart = base.mark_line(point=True).encode(x=alt.X("x:Q", title=_axis_title(x)), **enc)
        else:
            chart = base.mark_bar().encode(x=alt.X("scenario:N", title=None, sort=None), **enc)
        width = 260 if facet else charts.WIDTH
        chart = chart.properties(width=width, height=200)
        if facet:
            chart = chart.facet(column=alt.Column("facet:N", title=_axis_title(facet)), title=title)
        else:
            chart = chart.properties(title=title)
        panels.append(chart)
    return alt.vconcat(*panels)


_STATUS = {"fully_funded": "full", "partly_funded": "partial", "not_funded": "none"}


def status_chart(c: Comparison) -> alt.Chart:
    """Organisations funded fully, partly or not at all, per scenario (stacked bars)."""
    rows = []
    for s, (_, r) in zip(c.scenarios, c.rows.iterrows(), strict=True):
        for key, status in _STATUS.items():
            rows.append({"scenario": s.name, "status": labels.FUNDING_STATUS[status], "organisations": r[key]})
    data = pd.DataFrame(rows)
    order = [labels.FUNDING_STATUS[status] for status in _STATUS.values()]
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("scenario:N", title=None, sort=None),
            x=alt.X("organisations:Q", title="Số chủ thể", stack="zero"),
            color=charts.funding_status_color("status"),
            order=alt.Order("status_order:Q"),
            tooltip=["scenario:N", "status:N", alt.Tooltip("organisations:Q", format=",d")],
        )
        .transform_calculate(status_order=f"indexof({order!r}, datum.status)")
        .properties(width=charts.WIDTH, title="Chủ thể được hỗ trợ theo phương án")
    )


def svg(chart: alt.TopLevelMixin) -> str:
    """A chart as inline SVG (vl-convert, offline), styled with the workbook theme."""
    buffer = _io.StringIO()
    charts.style(chart).save(buffer, format="svg")
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def summary_sentences(c: Comparison) -> list[str]:
    """What the comparison says, read from the rows (which scenario leaves fewest out, …)."""
    rows = c.rows.assign(name=[s.name for s in c.scenarios])
    n = len(rows)
    out = [
        f"So sánh {vnformat.number(n)} phương án của kế hoạch năm {c.plan.year} tỉnh {c.plan.province_name}; "
        f"phương án gốc (để so chênh lệch) là «{c.base.name}». Mọi số liệu được tính bằng cùng mô hình với kế hoạch năm."
    ]
    if n > 1:
        fewest, most = rows.loc[rows["not_funded"].idxmin()], rows.loc[rows["not_funded"].idxmax()]
        out.append(
            f"Ít chủ thể không được hỗ trợ nhất: «{fewest['name']}» ({vnformat.number(int(fewest['not_funded']))} chủ thể); "
            f"nhiều nhất: «{most['name']}» ({vnformat.number(int(most['not_funded']))} chủ thể)."
        )
        best_unit = rows.loc[rows["lowest_unit_coverage"].idxmax()]
        out.append(
            f"Đơn vị được đáp ứng thấp nhất đạt cao nhất ở phương án «{best_unit['name']}» "
            f"({vnformat.percent(float(best_unit['lowest_unit_coverage']))}, {best_unit['lowest_unit']})."
        )
        out.append(
            f"Xác suất tổng chi vượt tổng kinh phí từ {vnformat.percent(float(rows['prob_overrun'].min()))} "
            f"đến {vnformat.percent(float(rows['prob_overrun'].max()))} tùy phương án."
        )
    draws = sorted(set(int(d) for d in rows["draws"]))
    if draws and draws[0] < specs()["draws"].default:
        out.append(
            f"Mô phỏng Monte Carlo dùng {', '.join(vnformat.number(d) for d in draws)} lượt (ít hơn mặc định "
            f"{vnformat.number(specs()['draws'].default)} để quét nhanh): khoảng P10–P90 và xác suất kém chính xác hơn."
        )
    return out


def page(heading: str, plan, body: str, built: dt.datetime | None = None, extra_meta: str = "") -> str:
    """A self-contained Vietnamese page: title block, the workbook's stylesheet, ``body`` (HTML)."""
    built = built or dt.datetime.now()
    meta = (
        f"Tỉnh {html.escape(plan.province_name)} · Năm {plan.year}{extra_meta} · "
        f"Căn cứ: {html.escape(plan.plan_document)} · "
        f'<span class="ocop-built">Lập ngày {html.escape(vnformat.date(built.date()))}</span>'
    )
    title = html.escape(f"{heading} — {plan.province_name} {plan.year}")
    return (
        f'<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{CSS}{EXTRA_CSS}</style></head><body><main>"
        '<header class="ocop-title"><div class="ocop-authority">Chương trình Mỗi xã một sản phẩm (OCOP)</div>'
        f'<h1>{html.escape(heading)}</h1><div class="ocop-meta">{meta}</div></header>\n'
        f"{body}</main></body></html>\n"
    )


def render_html(c: Comparison, built: dt.datetime | None = None) -> str:
    """The whole comparison page (self-contained)."""
    parts = ["".join(f'<p class="ocop-text">{html.escape(t)}</p>' for t in summary_sentences(c))]
    if len(c.scenarios) <= MAX_COLUMNS:
        parts += [
            "<h2>Các chỉ số quyết định</h2>",
            '<p class="ocop-legend"><span class="ocop-swatch"></span>Ô tô màu: khác phương án gốc '
            "(chữ xanh: tốt hơn, chữ đỏ: kém hơn theo chỉ số đó).</p>",
            column_table(c),
            difference_table(c),
            parameter_table(c),
            f'<figure class="ocop-chart">{svg(status_chart(c))}</figure>',
        ]
    else:
        parts.append(
            f'<p class="ocop-text">Có {vnformat.number(len(c.scenarios))} phương án: bảng một cột cho mỗi phương án '
            f"nằm trong tệp {XLSX_NAME} (sheet «So sánh»); dưới đây là kết quả theo từng điểm quét.</p>"
        )
    if c.sweeps or len(c.scenarios) > MAX_COLUMNS:
        parts += [
            "<h2>Quét tham số</h2>",
            f'<figure class="ocop-chart">{svg(sweep_chart(c))}</figure>',
            sweep_table(c),
        ]
    body = "\n".join(p for p in parts if p)
    return page(
        f"So sánh các phương án kế hoạch năm {c.plan.year}",
        c.plan,
        body,
        built,
        extra_meta=f" · {vnformat.number(len(c.scenarios))} phương án",
    )


# ----------------------------------------------------------------------------- XLSX
_XLSX_KIND = {"money": "money", "int": "int", "share": "share", "points": "share", "float": "float", "text": None}


def workbook_sheets(c: Comparison) -> list[tuple[str, list[str], list[list], list[list]]]:
    """The workbook's sheets: 'So sánh' (one column per scenario), 'Chênh lệch', 'Tham số', and
    'Quét tham số' (one row per scenario)."""
    figs = figures(c.line_labels)
    names = [s.name for s in c.scenarios]
    base = c.rows.iloc[0]
    sheets = []
    rows, fmts = [], []
    for fig in figs:
        rows.append([fig.label, *(r.get(fig.key) for _, r in c.rows.iterrows())])
        fmts.append([None, *([_XLSX_KIND[fig.kind]] * len(names))])
    sheets.append(("So sánh", ["Chỉ tiêu", *names], rows, fmts))
    diff_rows, diff_fmts = [], []
    for fig in figs:
        if fig.kind == "text":
            continue
        values = []
        for _, r in c.rows.iterrows():
            v, b = r.get(fig.key), base.get(fig.key)
            values.append(None if v is None or b is None or v != v or b != b else v - b)
        diff_rows.append([fig.label, *values])
        diff_fmts.append([None, *([_XLSX_KIND[fig.kind]] * len(names))])
    sheets.append(("Chênh lệch", [f"Chỉ tiêu (so với «{c.base.name}»)", *names], diff_rows, diff_fmts))
    params = swept_parameters(c.scenarios)
    sheets.append(
        (
            "Tham số",
            ["Tham số", *names],
            [
                [n, *(shown_value(n, s.params.__getattr__(n), unit_display_names(c.plan)) for s in c.scenarios)]
                for n in params
            ],
            [[None] * (len(names) + 1) for _ in params],
        )
    )
    swept = [s.name for s in c.sweeps] or params
    registry = specs()
    kinds = {"money": "money", "int": "int", "share": "share", "float": "float"}
    header = ["Phương án", *swept, *(f.label for f in figs)]
    rows = [
        [s.name, *(s.params.__getattr__(n) for n in swept), *(r.get(f.key) for f in figs)]
        for s, (_, r) in zip(c.scenarios, c.rows.iterrows(), strict=True)
    ]
    fmt = [None, *(kinds.get(registry[n].kind) for n in swept), *(_XLSX_KIND[f.kind] for f in figs)]
    sheets.append(("Quét tham số", header, rows, [fmt] * len(rows)))
    return sheets


def write(c: Comparison, out_root: str | os.PathLike, built: dt.datetime | None = None) -> tuple[Path, Path]:
    """Write compare.html and compare.xlsx; both are rendered before either is written, and each is
    written through a temporary file, so a failure leaves the previous comparison as it was."""
    page = render_html(c, built)
    sheets = workbook_sheets(c)
    folder = output_dir(c.plan, out_root)
    workbook = xlsx.write_grid(folder / XLSX_NAME, sheets)
    target = folder / HTML_NAME
    atomic.write_atomic(target, lambda tmp: Path(tmp).write_text(page, encoding="utf-8"))
    return target, workbook


def run(
    plan_dir: str | os.PathLike,
    scenario_files: list[str | os.PathLike] = (),
    sweeps: list[str] = (),
    settings: dict[str, Any] | None = None,
    out_root: str | os.PathLike = paths.OUTPUTS_DIR,
    executor_spec: str = "process",
    workers: int | None = None,
    show_progress: bool = True,
) -> tuple[Path, Path, Comparison]:
    """The whole comparison in one call (what a Lab button or a script needs): read and check the
    scenarios and sweeps, compute them, write compare.html and compare.xlsx; returns their paths and
    the comparison (rows, scenarios, seconds)."""

    parsed = parse_sweeps(list(sweeps))
    plan = loading.load_plan(plan_dir)
    items = cmp.scenarios(plan, scenario_files, parsed, settings)
    result = cmp.compare(plan, items, parsed, executor_spec=executor_spec, workers=workers, show_progress=show_progress)
    html_path, xlsx_path = write(result, out_root)
    return html_path, xlsx_path, result


def comparison_workbook(plan, out_root: str | os.PathLike = paths.OUTPUTS_DIR) -> Path | None:
    """The comparison workbook of this plan (``make compare``), when one exists."""
    path = output_dir(plan, out_root) / XLSX_NAME
    return path if path.is_file() else None


def citation(path: Path) -> str | None:
    """A sentence the plan's proposals can cite, read from a comparison workbook (None when it holds
    no usable comparison): how many options were compared and which leaves fewest organisations
    without support."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = list(book["So sánh"].iter_rows(values_only=True))
    finally:
        book.close()
    names = [str(n) for n in rows[0][1:]]
    by_label = {r[0]: r[1:] for r in rows[1:]}
    left_out = by_label.get("Chủ thể không được hỗ trợ")
    if not names or left_out is None:
        return None
    best = min(range(len(names)), key=lambda i: (left_out[i], i))
    return (
        f"Theo báo cáo so sánh {vnformat.number(len(names))} phương án (tệp {XLSX_NAME} kèm theo), phương án "
        f"«{names[best]}» để ít tổ chức kinh tế không được hỗ trợ nhất ({vnformat.number(int(left_out[best]))} tổ chức)."
    )

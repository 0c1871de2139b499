"""Blocks and charts shown in a notebook (IPython display) with the workbook's stylesheet."""

from __future__ import annotations

import html

import altair as alt
import pandas as pd
from IPython.core.formatters import DisplayFormatter
from IPython.display import HTML, display

from ocop_helpers.document import docmodel
from ocop_helpers.document.charts import PendingChart, style
from ocop_helpers.document.docmodel import Heading, Paragraph, Table
from ocop_helpers.document.elements import _TONES, Alert, KeyFigure

_TABLE_CSS_CLASS = "ocop-table"


def setup_notebook() -> None:
    """Call once at the top of a notebook: charts render to inline SVG (offline, no CDN script),
    in JupyterLab and in the exported HTML alike; pandas shows whole tables."""
    alt.renderers.enable("svg")
    alt.data_transformers.disable_max_rows()
    pd.set_option("display.max_columns", 50)


# ----------------------------------------------------------------------------- notebook display
_NOTICE_STYLE = {
    "warning": "border-left:5px solid #e3a21a;background:#fff8e6",
    "error": "border-left:5px solid #b8452f;background:#fdeeee",
    "info": "border-left:5px solid #2f6db5;background:#eef4fb",
}


def _table_html(t: Table) -> str:
    out = [f'<table class="{_TABLE_CSS_CLASS}" data-provenance="{t.provenance}">']
    if t.caption or t.illustrative:
        mark = f" ({docmodel.ILLUSTRATIVE_LABEL})" if t.illustrative else ""
        out.append(f"<caption>{html.escape(t.caption)}{html.escape(mark)}</caption>")
    out.append(
        "<thead><tr>"
        + "".join(f'<th style="text-align:{c.align}">{html.escape(c.header)}</th>' for c in t.columns)
        + "</tr></thead><tbody>"
    )
    for i, row in enumerate(t.rows):
        cls = ' class="ocop-total"' if t.total_row and i == len(t.rows) - 1 else ""
        cells = "".join(
            (f'<td class="num" style="text-align:{c.align}">' if c.align == "right" else '<td style="text-align:left">')
            + html.escape(v)
            + "</td>"
            for c, v in zip(t.columns, row, strict=True)
        )
        out.append(f"<tr{cls}>{cells}</tr>")
    out.append("</tbody></table>")
    if t.note:
        out.append(f'<p class="ocop-text" style="font-style:italic">{html.escape(t.note)}</p>')
    return "".join(out)


def to_display(item: object) -> object:
    """What IPython displays for one section item (blocks as escaped HTML, charts styled)."""

    if isinstance(item, alt.TopLevelMixin):
        return style(item)
    if isinstance(item, KeyFigure):
        return HTML(
            f'<div class="ocop-keybox"><span class="ocop-key" style="font-size:1.6em;font-weight:bold;'
            f'color:{_TONES[item.tone]}">{html.escape(item.value)}</span> <span>{html.escape(item.caption)}</span></div>'
        )
    if isinstance(item, Paragraph):
        return HTML(f'<p class="ocop-text">{html.escape(item.text)}</p>')
    if isinstance(item, Alert):
        style_ = _NOTICE_STYLE[item.kind] + ";padding:.6rem .9rem;margin:.6rem 0"
        return HTML(f'<div class="ocop-notice ocop-{item.kind}" style="{style_}">{html.escape(item.text)}</div>')
    if isinstance(item, Heading):
        return HTML(f"<h4>{html.escape(item.label)}</h4>")
    if isinstance(item, Table):
        return HTML(_table_html(item))
    return item


def output_records(*items: object) -> tuple[dict, ...]:
    """Items as notebook display outputs (mime bundles): what an ipywidgets Output shows when its
    ``outputs`` are set directly."""

    formatter = DisplayFormatter()
    records = []
    for item in items:
        if isinstance(item, alt.TopLevelMixin):
            data, meta = chart_bundle(item)
        else:
            data, meta = formatter.format(to_display(item))
        records.append({"output_type": "display_data", "data": data, "metadata": meta})
    return tuple(records)


def is_chart(item: object) -> bool:
    """Whether a section item is a chart (drawn by the renderer, not formatted as HTML), built or
    pending (:func:`ocop_helpers.document.charts.drafting`)."""
    return isinstance(item, alt.TopLevelMixin | PendingChart)


def chart_bundle(chart: alt.TopLevelMixin) -> tuple[dict, dict]:
    """A styled chart as the active renderer draws it (inline SVG in the notebooks), without validating
    its spec against the Vega-Lite schema again: the charts are the package's own, validated when the
    plan is built and in the tests, and the check costs about 0,1 s a chart on every redraw in the Lab."""
    spec = style(chart).to_dict(validate=False, context={"pre_transform": False})
    out = alt.renderers.get()(spec)
    return out if isinstance(out, tuple) else (out, {})


def show(*items: object) -> None:
    """Display a section's items in order."""
    for item in items:
        display(to_display(item))

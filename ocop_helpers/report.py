"""What a notebook shows: renderer set-up, escaped Vietnamese tables and text, chart display.

Every string that can come from input data is HTML-escaped here, so a product named
``<script>`` shows as text in JupyterLab and in the leadership HTML.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable

import altair as alt
import pandas as pd
from IPython.display import HTML, display

from . import vnformat

_TABLE_CSS_CLASS = "ocop-table"


def setup_notebook() -> None:
    """Call once at the top of a notebook: charts render to inline SVG (offline, no CDN script),
    in JupyterLab and in the exported HTML alike; pandas shows whole tables."""
    alt.renderers.enable("svg")
    alt.data_transformers.disable_max_rows()
    pd.set_option("display.max_columns", 50)


def paragraph(text: str) -> HTML:
    """A paragraph of narrative text (escaped)."""
    return HTML(f'<p class="ocop-text">{html.escape(text)}</p>')


def paragraphs(texts: Iterable[str]) -> HTML:
    """Several paragraphs (escaped)."""
    return HTML("".join(f'<p class="ocop-text">{html.escape(t)}</p>' for t in texts))


_NOTICE_STYLE = {
    "warning": "border-left:5px solid #e3a21a;background:#fff8e6",
    "error": "border-left:5px solid #b8452f;background:#fdeeee",
    "info": "border-left:5px solid #2f6db5;background:#eef4fb",
}


def notice(text: str, kind: str = "warning") -> HTML:
    """A highlighted box: kind 'warning' (amber), 'error' (red) or 'info' (blue); text escaped.

    Styled inline so it reads the same in JupyterLab as in the leadership document.
    """
    style = _NOTICE_STYLE[kind] + ";padding:.6rem .9rem;margin:.6rem 0"
    return HTML(f'<div class="ocop-notice ocop-{kind}" style="{style}">{html.escape(text)}</div>')


def heading(text: str, level: int = 3) -> HTML:
    """A heading inside an output (section headings belong in markdown cells)."""
    return HTML(f"<h{level}>{html.escape(text)}</h{level}>")


def _format_cell(value: object, fmt: Callable[[object], str] | None) -> str:
    if fmt is not None:
        return html.escape(fmt(value))
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA or value is pd.NaT:
        return "–"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, int) or (hasattr(value, "dtype") and "int" in str(getattr(value, "dtype", ""))):
        return vnformat.number(int(value))
    if isinstance(value, float):
        return vnformat.number(value, 1)
    if isinstance(value, pd.Timestamp):
        return vnformat.date(value)
    return html.escape(str(value))


def table(
    frame: pd.DataFrame,
    columns: dict[str, str] | None = None,
    formats: dict[str, Callable[[object], str]] | None = None,
    caption: str | None = None,
    total_row: bool = False,
    right: set[str] | None = None,
) -> HTML:
    """An HTML table with Vietnamese headers and number formats; every cell escaped.

    ``columns`` maps frame columns to headers (and selects/orders them); ``formats`` maps a column
    to a function returning display text (e.g. ``vnformat.money``). ``total_row`` bolds the last row;
    ``right`` names text columns holding formatted numbers (aligned right like numbers).
    """
    cols = list(columns) if columns else list(frame.columns)
    heads = [columns[c] if columns else str(c) for c in cols]
    formats = formats or {}
    numeric = {c for c in cols if pd.api.types.is_numeric_dtype(frame[c])} | set(right or ())
    out = [f'<table class="{_TABLE_CSS_CLASS}">']
    if caption:
        out.append(f"<caption>{html.escape(caption)}</caption>")
    out.append(
        "<thead><tr>"
        + "".join(
            f'<th style="text-align:{"right" if c in numeric else "left"}">{html.escape(h)}</th>'
            for c, h in zip(cols, heads, strict=False)
        )
        + "</tr></thead><tbody>"
    )
    n = len(frame)
    for i, row in enumerate(frame[cols].itertuples(index=False)):
        cls = ' class="ocop-total"' if total_row and i == n - 1 else ""
        cells = "".join(
            ('<td class="num" style="text-align:right">' if c in numeric else '<td style="text-align:left">')
            + _format_cell(v, formats.get(c))
            + "</td>"
            for c, v in zip(cols, row, strict=False)
        )
        out.append(f"<tr{cls}>{cells}</tr>")
    out.append("</tbody></table>")
    return HTML("".join(out))


def output_records(*items: object) -> tuple[dict, ...]:
    """Items as notebook display outputs (mime bundles), charts styled and rendered by the active
    renderer: what an ipywidgets Output shows when its ``outputs`` are set directly."""
    from IPython.core.formatters import DisplayFormatter

    from .charts import style

    formatter = DisplayFormatter()
    records = []
    for item in items:
        data, meta = formatter.format(style(item) if isinstance(item, alt.TopLevelMixin) else item)
        records.append({"output_type": "display_data", "data": data, "metadata": meta})
    return tuple(records)


def show(*items: object) -> None:
    """Display charts, tables and text in order (a chart is styled with the workbook theme first)."""
    from .charts import style

    for item in items:
        if isinstance(item, alt.TopLevelMixin):
            display(style(item))
        else:
            display(item)

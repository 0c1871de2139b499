"""What the sections show, as document blocks; how a notebook displays them.

Sections build :mod:`ocop_helpers.docmodel` blocks (paragraphs, notices, headings, tables of
already-formatted text, with their provenance), key figures and Altair charts. The same items fill a
JupyterLab panel, the executed notebooks of the build and the plan document (whose renderers draw the
blocks): one structure, one set of formatted numbers. Every string is HTML-escaped when displayed, so
a product named ``<script>`` shows as text.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import altair as alt
import pandas as pd
from IPython.display import HTML, display

from . import docmodel, vnformat
from .docmodel import Column, Heading, Notice, Paragraph, Table

_TABLE_CSS_CLASS = "ocop-table"
_TONES = {"good": "#1b6f3a", "warning": "#b86e00", "bad": "#b8452f"}
# Notebook notices keep a red for errors; the document has info and warning boxes.
_NOTICE_KIND = {"info": "info", "warning": "warning", "error": "warning"}


def setup_notebook() -> None:
    """Call once at the top of a notebook: charts render to inline SVG (offline, no CDN script),
    in JupyterLab and in the exported HTML alike; pandas shows whole tables."""
    alt.renderers.enable("svg")
    alt.data_transformers.disable_max_rows()
    pd.set_option("display.max_columns", 50)


@dataclass(frozen=True)
class KeyFigure:
    """A highlighted number with its caption; ``tone`` good / warning / bad is its reading."""

    value: str
    caption: str
    tone: str = "good"

    def as_block(self) -> Paragraph:
        """In a document: a bold sentence."""
        return Paragraph(f"{self.value} {self.caption}", "bold")


def key_figure(value: str, caption: str, tone: str = "good") -> KeyFigure:
    """A highlighted number with its caption (shown with the class ``ocop-key``)."""
    if tone not in _TONES:
        raise ValueError(f"tone must be one of {sorted(_TONES)}")
    return KeyFigure(value, caption, tone)


def paragraph(text: str) -> Paragraph:
    """A paragraph of narrative text."""
    return Paragraph(text)


def paragraphs(texts: Iterable[str]) -> list[Paragraph]:
    """Several paragraphs."""
    return [Paragraph(t) for t in texts]


@dataclass(frozen=True)
class Alert:
    """A notice as a notebook shows it (``error`` in red), with the document block it becomes."""

    kind: str
    text: str

    def as_block(self) -> Notice:
        return Notice(_NOTICE_KIND[self.kind], self.text)


def notice(text: str, kind: str = "warning") -> Alert:
    """A highlighted box: kind 'warning' (amber), 'error' (red) or 'info' (blue)."""
    if kind not in _NOTICE_KIND:
        raise ValueError(f"kind must be one of {sorted(_NOTICE_KIND)}")
    return Alert(kind, text)


def heading(text: str, level: int = 3) -> Heading:
    """A heading inside a section (section headings belong in markdown cells)."""
    return Heading(3, text)


def _format_cell(value: object, fmt: Callable[[object], str] | None) -> str:
    if fmt is not None:
        return fmt(value)
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
    return str(value)


def table(
    frame: pd.DataFrame,
    columns: dict[str, str] | None = None,
    formats: dict[str, Callable[[object], str]] | None = None,
    caption: str | None = None,
    total_row: bool = False,
    right: set[str] | None = None,
    provenance: str = "derived",
    note: str = "",
) -> Table:
    """A table with Vietnamese headers and every cell formatted once (numbers by vnformat).

    ``columns`` maps frame columns to headers (and selects/orders them); ``formats`` maps a column
    to a function returning display text (e.g. ``vnformat.money``). ``total_row``: the last row is
    the total; ``right`` names text columns holding formatted numbers (aligned right like numbers);
    ``provenance``: published / derived / illustrative (see :mod:`ocop_helpers.docmodel`).
    """
    cols = list(columns) if columns else list(frame.columns)
    heads = [columns[c] if columns else str(c) for c in cols]
    formats = formats or {}
    numeric = {c for c in cols if pd.api.types.is_numeric_dtype(frame[c])} | set(right or ())
    rows = tuple(
        tuple(_format_cell(v, formats.get(c)) for c, v in zip(cols, row, strict=True))
        for row in frame[cols].itertuples(index=False)
    )
    return Table(
        columns=tuple(Column(h, "right" if c in numeric else "left") for c, h in zip(cols, heads, strict=True)),
        rows=rows,
        caption=caption or "",
        total_row=total_row and bool(rows),
        provenance=provenance,
        note=note,
    )


def provenance(plan, *datasets: str, computed: bool = True) -> str:
    """The provenance of a figure made from these datasets of ``plan`` (``plan.provenance``: an
    undeclared dataset is illustrative): illustrative if any input is; else derived when
    ``computed``, published when it only restates published data."""
    found = [plan.provenance.get(d, "illustrative") for d in datasets]
    return worst("derived", *found) if computed else worst(*found)


def worst(*provenances: str) -> str:
    """The provenance of a figure computed from several: illustrative if any input is, else derived
    if computed, else published."""
    order = docmodel.PROVENANCES  # published, derived, illustrative
    return max(provenances, key=order.index) if provenances else "derived"


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
    from .charts import style

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
    from IPython.core.formatters import DisplayFormatter

    formatter = DisplayFormatter()
    records = []
    for item in items:
        data, meta = formatter.format(to_display(item))
        records.append({"output_type": "display_data", "data": data, "metadata": meta})
    return tuple(records)


def show(*items: object) -> None:
    """Display a section's items in order."""
    for item in items:
        display(to_display(item))

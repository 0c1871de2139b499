"""Building blocks of sections: paragraphs, tables with formatted cells, key figures, notices, provenance."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd

from ocop_helpers.core import vnformat
from ocop_helpers.document.docmodel import Column, Heading, Notice, Paragraph, Table

_TONES = {"good": "#1b6f3a", "warning": "#b86e00", "bad": "#b8452f"}


# Notebook notices keep a red for errors; the document has info and warning boxes.
_NOTICE_KIND = {"info": "info", "warning": "warning", "error": "warning"}


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


def heading(text: str) -> Heading:
    """A heading inside a section: always a sub-item (level 3, "1.1."); section headings belong in
    markdown cells, and the document model has no deeper level."""
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
    ``provenance``: published / derived / illustrative (see :mod:`ocop_helpers.document.docmodel`).
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
    return plan.provenance_of(*datasets, computed=computed)

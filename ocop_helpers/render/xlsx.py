"""Excel writers: the annex (styled, streamed) and plain grids (comparisons); text never becomes a formula."""

from __future__ import annotations

import datetime as dt
import io as _io
import os
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.writer.theme import theme_xml

from ocop_helpers.core import atomic, vnformat
from ocop_helpers.render.archive import fixed_zip

FONT = "Times New Roman"  # the decree's font, in every cell, style and the theme (no Calibri anywhere)
FONT_PT = 12
# Source codes of the research notes ("[S39]", "[S52]-[S59]"): never shown in a cell.
DEFAULT_ATTACHED = "(Kèm theo Kế hoạch số …/KH-UBND ngày … tháng … năm … của Ủy ban nhân dân tỉnh …)"
_XLSX_FORMATS = {
    "money": "#,##0",
    "int": "#,##0",
    "share": "0.0%",
    "float": "#,##0.0",
    "date": "dd/mm/yyyy",
}


def shown_text(text: str) -> str:
    """Text as a cell shows it: without the research notes' source codes ("[S39]", "[S52]-[S59]")."""
    return vnformat.without_source_codes(text)


def _has_value(column: pd.Series) -> bool:
    """Whether a column holds anything to show (an empty string is nothing)."""
    return bool(column.map(lambda v: not (v is None or v is pd.NA or v is pd.NaT or v == "" or v != v)).any())


def _times_new_roman(book) -> None:
    """Times New Roman as the workbook's default font, in its Normal style and its theme."""
    base = Font(name=FONT, sz=FONT_PT, family=1)
    book._fonts = IndexedList([base])
    for style in book._named_styles:
        style.font = base
    theme = theme_xml
    for face in ("Calibri", "Cambria"):
        theme = theme.replace(f'typeface="{face}"', f'typeface="{FONT}"')
    book.loaded_theme = theme.encode("utf-8") if isinstance(theme, str) else theme


def write_annex(
    target: str | os.PathLike, sheets: list, when: dt.date | None = None, attached_line: str | None = None
) -> Path:
    """Write the annex workbook: one sheet per ``annex.Sheet`` with Vietnamese headers, number
    formats, a frozen bold header row, an auto-filter and column widths. Text from the data is always
    written as text, so a value starting with '=', '+', '-' or '@' never becomes a formula.

    Each sheet opens with the line "(Kèm theo Kế hoạch số … ngày … của …)" (``attached_line`` when
    given, else the sheet's own ``attached_line``, else the clerk's blanks), the header on row 2.
    Times New Roman everywhere; research source codes ("[S39]") are left out of every cell; a date
    column may hold text ("Quá hạn (…)").

    Streams rows in openpyxl's write-only mode, one reusable styled cell per column: time and memory
    grow linearly with the rows (no per-row lookup of the sheet's last row). Columns with no value
    (nothing, or empty text) are left out; a sheet's total row is bold; every sheet prints landscape,
    fit to the page width, with the header row repeated, and an illustrative sheet says so in its
    printed header. ``when`` (the plan's date) is the file's creation date: the same sheets give the
    same bytes."""

    book = openpyxl.Workbook(write_only=True)
    _times_new_roman(book)
    header_fill = PatternFill("solid", fgColor="E4EEE4")
    header_font = Font(name=FONT, sz=FONT_PT, bold=True)
    header_alignment = Alignment(wrap_text=True, vertical="top")
    total_font = Font(name=FONT, sz=FONT_PT, bold=True)
    line_font = Font(name=FONT, sz=FONT_PT, italic=True)
    for sheet in sheets:
        ws = book.create_sheet(sheet.name[:31])
        cols = [c for c in sheet.headers if sheet.frame.empty or _has_value(sheet.frame[c])]
        frame = sheet.frame[cols]
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = "9"  # A4
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = "2:2"
        if getattr(sheet, "provenance", "") == "illustrative":
            ws.oddHeader.center.text = "Số liệu minh họa"
            ws.oddHeader.center.font = FONT
        ws.oddFooter.center.text = "Trang &P / &N"
        ws.oddFooter.center.font = FONT
        # Widths, frozen header and filter are written with the sheet's head or tail: set them first.
        for j, col in enumerate(cols, start=1):
            longest = max([len(str(sheet.headers[col]))] + [len(str(v)) for v in frame[col].head(200)])
            ws.column_dimensions[get_column_letter(j)].width = min(max(10, longest + 2), 60)
        ws.freeze_panes = "A3"
        last = get_column_letter(max(len(cols), 1))
        ws.auto_filter.ref = f"A2:{last}{len(frame) + 2}"
        line = WriteOnlyCell(
            ws, value=shown_text(attached_line or getattr(sheet, "attached_line", "") or DEFAULT_ATTACHED)
        )
        line.data_type = "s"
        line.font = line_font
        ws.append([line])
        header = []
        for col in cols:
            cell = WriteOnlyCell(ws, value=shown_text(str(sheet.headers[col])))
            cell.data_type = "s"
            cell.font, cell.fill, cell.alignment = header_font, header_fill, header_alignment
            header.append(cell)
        ws.append(header)
        kinds = [sheet.formats.get(col, "") for col in cols]
        # One cell object per column, restyled once and refilled for every row: openpyxl writes each
        # cell as soon as the row is appended, so reusing it is safe and keeps the style lookup out of
        # the row loop.
        templates = []
        for kind in kinds:
            cell = WriteOnlyCell(ws)
            fmt = _XLSX_FORMATS.get(kind)
            if fmt:
                cell.number_format = fmt
            templates.append(cell)
        last_row = len(frame) - 1 if getattr(sheet, "total_row", False) else -1
        for i, row in enumerate(frame.itertuples(index=False, name=None)):
            values = []
            for kind, cell, v in zip(kinds, templates, row, strict=True):
                if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v):
                    values.append(None)
                    continue
                if isinstance(v, str):
                    v = shown_text(v)
                elif kind == "date":
                    v = pd.Timestamp(v).to_pydatetime().date()
                elif hasattr(v, "item"):
                    v = v.item()
                cell.value = v
                if isinstance(v, str):
                    cell.data_type = "s"  # never a formula, whatever the text starts with
                if i == last_row:  # the last row: the templates are not used again
                    cell.font = total_font
                values.append(cell)
            ws.append(values)
    stamp = dt.datetime.combine(when or dt.date(2000, 1, 1), dt.time())
    book.properties.created = stamp
    buffer = _io.BytesIO()
    book.save(buffer)
    return atomic.write_bytes(target, fixed_zip(buffer.getvalue(), stamp))


def write_grid(
    target: str | os.PathLike, sheets: list[tuple[str, list[str], list[list], list[list]]], when: dt.date | None = None
) -> Path:
    """Write a workbook of plain grids, atomically. Each sheet is ``(name, header, rows, formats)``
    where ``formats`` gives each cell's display format ('money', 'int', 'share', 'float', 'date' or
    None) row by row, so one column can hold money in one row and a share in the next (a comparison
    with one column per scenario). Text is always written as text, never as a formula. ``when`` is the
    file's creation date (default 1/1/2000): the same sheets give the same bytes."""

    book = openpyxl.Workbook()
    book.remove(book.active)
    _times_new_roman(book)
    header_fill = PatternFill("solid", fgColor="E4EEE4")
    for name, header, rows, formats in sheets:
        ws = book.create_sheet(name[:31])
        ws.append([str(h) for h in header])
        for cell in ws[1]:
            cell.data_type = "s"
            cell.font = Font(name=FONT, sz=FONT_PT, bold=True)
            cell.fill = header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row_number, (values, fmts) in enumerate(zip(rows, formats, strict=True), start=2):
            clean = [
                None
                if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v)
                else (v.item() if hasattr(v, "item") and not isinstance(v, str) else v)
                for v in values
            ]
            ws.append(clean)
            # the row just written, by its number (ws[ws.max_row] scans the whole sheet each time)
            cells = (ws.cell(row_number, j) for j in range(1, len(clean) + 1))
            for cell, fmt in zip(cells, fmts, strict=False):
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula, whatever the text starts with
                elif fmt in _XLSX_FORMATS:
                    cell.number_format = _XLSX_FORMATS[fmt]
        for j in range(1, len(header) + 1):
            column = [header[j - 1]] + [r[j - 1] for r in rows[:200] if j - 1 < len(r)]
            longest = max(len(str(v)) for v in column)
            ws.column_dimensions[get_column_letter(j)].width = min(max(10, longest + 2), 60)
        ws.freeze_panes = "B2"
    stamp = dt.datetime.combine(when or dt.date(2000, 1, 1), dt.time())
    book.properties.created = stamp
    buffer = _io.BytesIO()
    book.save(buffer)
    return atomic.write_bytes(target, fixed_zip(buffer.getvalue(), stamp))

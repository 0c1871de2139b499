"""Find a figure in a built document by where it stands: the cell of a named row and column of a
table (HTML, XLSX), or the sentence that states it — never 'anywhere in the page'.

    cell(page, caption="Dự toán", row="Tổng cộng", column="Số tiền") -> "20,9 tỷ đồng"

A table is chosen by (part of) its caption or, with ``after``, as the first table after a heading;
the row by the text of its first cell (or of the column named ``key``); the column by its header.
Each lookup fails with a message listing what was there, so a wrong expectation is easy to read.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path


@dataclass
class Table:
    caption: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    heading: str = ""  # the last heading before the table
    provenance: str = ""  # data-provenance of the table or its wrapper (published/derived/illustrative)

    def column(self, header: str) -> int:
        matches = [i for i, h in enumerate(self.headers) if h == header] or [
            i for i, h in enumerate(self.headers) if header in h
        ]
        if len(matches) != 1:
            raise LookupError(f"column {header!r} not (uniquely) in table {self.caption!r}: {self.headers}")
        return matches[0]

    def row(self, label: str, key: str | None = None) -> list[str]:
        k = 0 if key is None else self.column(key)
        found = [r for r in self.rows if r[k] == label]
        if len(found) != 1:
            raise LookupError(
                f"row {label!r} not (uniquely) in table {self.caption!r}: {[r[k] for r in self.rows][:40]}"
            )
        return found[0]

    def cell(self, row: str, column: str, key: str | None = None) -> str:
        return self.row(row, key)[self.column(column)]


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[Table] = []
        self._stack: list[Table] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._in_head = False
        self._in_caption = False
        self._heading: list[str] | None = None
        self.last_heading = ""

    _provenance = ""

    def handle_starttag(self, tag, attrs):
        given = dict(attrs).get("data-provenance")
        if given:
            self._provenance = given
        if tag == "table":
            self._stack.append(Table("", [], heading=self.last_heading, provenance=self._provenance))
            self._provenance = ""
        elif not self._stack:
            if re.fullmatch(r"h[1-6]", tag):
                self._heading = []
        elif tag == "caption":
            self._in_caption = True
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if self._heading is not None and re.fullmatch(r"h[1-6]", tag):
            self.last_heading = " ".join("".join(self._heading).split()).replace("¶", "").strip()
            self._heading = None
        if not self._stack:
            return
        t = self._stack[-1]
        if tag == "caption":
            self._in_caption = False
        elif tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._in_head:
                t.headers = self._row
            else:
                t.rows.append(self._row)
            self._row = None
        elif tag == "table":
            self.tables.append(self._stack.pop())

    def handle_data(self, data):
        if self._heading is not None:
            self._heading.append(data)
        if not self._stack:
            return
        if self._in_caption:
            self._stack[-1].caption += data
        elif self._cell is not None:
            self._cell.append(data)


def tables(page: str) -> list[Table]:
    """Every table of an HTML page, with caption, headers, rows (cell text) and preceding heading."""
    parser = _Tables()
    parser.feed(page)
    for t in parser.tables:
        t.caption = " ".join(t.caption.split())
    return parser.tables


def table(
    page: str, caption: str | None = None, after: str | None = None, having: str | tuple[str, ...] | None = None
) -> Table:
    """The one table whose caption contains ``caption`` (and/or that follows the heading ``after``,
    and/or has, for each text of ``having``, a column header equal to it)."""
    wanted = (having,) if isinstance(having, str) else tuple(having or ())
    found = [
        t
        for t in tables(page)
        if (caption is None or caption in t.caption)
        and (after is None or after in t.heading)
        and all(w in t.headers for w in wanted)
    ]
    if len(found) != 1:
        raise LookupError(
            f"{len(found)} tables match caption={caption!r} after={after!r} having={having!r}; tables: "
            + "; ".join(f"[{t.heading} / {t.caption} / {t.headers}]" for t in tables(page))
        )
    return found[0]


def cell(
    page: str,
    row: str,
    column: str,
    caption: str | None = None,
    after: str | None = None,
    having: str | tuple[str, ...] | None = None,
    key: str | None = None,
) -> str:
    """The text of one cell, found by its table, row label and column header."""
    return table(page, caption, after, having).cell(row, column, key)


def visible_text(page: str, blocks: bool = False) -> str:
    """The page's text without tags, styles and scripts, whitespace folded (with ``blocks``, each
    paragraph, heading, cell or box on a line of its own)."""
    body = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", page, flags=re.S | re.I)
    if blocks:
        body = re.sub(r"</(p|h[1-6]|td|th|div|li|caption)>", "\n", body, flags=re.I)
        text = html.unescape(re.sub(r"<[^>]+>", " ", body))
        return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def sentence(page: str, *words: str) -> str:
    """The one sentence of the page's text that contains every one of ``words`` (a sentence never
    runs across a paragraph, heading or cell)."""
    text = visible_text(page, blocks=True)
    found = [s for s in re.split(r"(?<=[.!?])\s+|\n", text) if all(w in s for w in words)]
    if len(found) != 1:
        raise LookupError(f"{len(found)} sentences contain {words}: {found[:5]}")
    return found[0]


def xlsx_table(path: Path, sheet: str, header_row: int | None = None) -> Table:
    """One sheet of a workbook as a Table (the first row whose cells are all text is the header)."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = [["" if v is None else v for v in r] for r in wb[sheet].iter_rows(values_only=True)]
    wb.close()
    if header_row is None:
        # The header: the first row of non-empty text cells that is not the "(Kèm theo …)" line above it.
        header_row = next(
            i
            for i, r in enumerate(rows)
            if r and all(isinstance(v, str) and v for v in r) and not str(r[0]).startswith("(Kèm theo")
        )
    t = Table(sheet, [str(h) for h in rows[header_row]])
    t.rows = [list(r) for r in rows[header_row + 1 :]]
    return t

"""The plan as a document: plain frozen blocks that three renderers (HTML, DOCX, PDF) draw alike.

Cell and sentence text arrives already formatted (numbers by ``vnformat``); renderers never format a
number again. A :class:`Document` has the official frame of a Vietnamese administrative plan
(header, title, legal bases, signature, recipients), the body, a separate proposals section and the
appendices.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass

PROVENANCES: tuple[str, ...] = ("published", "derived", "illustrative")
PARAGRAPH_STYLES: tuple[str, ...] = ("body", "italic", "centred", "bold", "note", "bullet")
ALIGNMENTS: tuple[str, ...] = ("left", "right", "center")
NOTICE_KINDS: tuple[str, ...] = ("info", "warning", "illustrative")

# Fixed words of the form (Nghị định 30/2020/NĐ-CP, Phụ lục I).
NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
DRAFT_LABEL = "DỰ THẢO — số liệu minh họa"
ILLUSTRATIVE_LABEL = "Số liệu minh họa"
RECIPIENTS_TITLE = "Nơi nhận:"
PROPOSALS_NOTE = "(Phần trình người có thẩm quyền quyết định, thay cho tờ trình; không thuộc văn bản ký ban hành)"
# A figure of the ledger inside a sentence or cell: FIG_OPEN id FIG_MID shown text FIG_CLOSE.
# Private-use characters: they never occur in Vietnamese text and survive HTML escaping.
FIG_OPEN, FIG_MID, FIG_CLOSE = "\ue000", "\ue001", "\ue002"
_FIG = re.compile(f"{FIG_OPEN}([^{FIG_MID}]*){FIG_MID}([^{FIG_CLOSE}]*){FIG_CLOSE}")

PROVENANCE_LABELS: dict[str, str] = {
    "published": "Số liệu đã công bố",
    "derived": "Số liệu tính từ số liệu đã công bố",
    "illustrative": ILLUSTRATIVE_LABEL,
}


class DocumentError(ValueError):
    """A block built with values the renderers cannot draw faithfully."""


@dataclass(frozen=True)
class Heading:
    """A heading: level 1 = part (numbering "I."), level 2 = item ("1."), level 3 = sub-item ("1.1.")."""

    level: int
    text: str
    numbering: str = ""

    def __post_init__(self) -> None:
        if self.level not in (1, 2, 3):
            raise DocumentError(f"mức tiêu đề phải là 1, 2 hoặc 3 (nhận {self.level!r})")
        if not isinstance(self.text, str):
            raise DocumentError(f"tiêu đề phải là chuỗi (nhận {self.text!r})")

    @property
    def label(self) -> str:
        """Numbering and text as printed ("I. MỤC ĐÍCH, YÊU CẦU")."""
        return f"{self.numbering} {self.text}".strip()


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of running text; ``style`` one of :data:`PARAGRAPH_STYLES`."""

    text: str
    style: str = "body"

    def __post_init__(self) -> None:
        if self.style not in PARAGRAPH_STYLES:
            raise DocumentError(f"kiểu đoạn '{self.style}' không có; cần một trong {', '.join(PARAGRAPH_STYLES)}")


@dataclass(frozen=True)
class Column:
    """A table column: header text (units in it, e.g. "Kinh phí (triệu đồng)") and alignment."""

    header: str
    align: str = "left"

    def __post_init__(self) -> None:
        if self.align not in ALIGNMENTS:
            raise DocumentError(f"căn lề '{self.align}' không có; cần một trong {', '.join(ALIGNMENTS)}")


@dataclass(frozen=True)
class Table:
    """A table of already-formatted strings. ``total_row``: the last row is the total row.

    ``provenance``: published (from the source plan), derived (computed from published figures) or
    illustrative (synthetic detail: every renderer marks it "Số liệu minh họa").
    """

    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""
    total_row: bool = False
    provenance: str = "derived"
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", tuple(self.columns))
        object.__setattr__(self, "rows", tuple(tuple(r) for r in self.rows))
        if not self.columns:
            raise DocumentError("bảng cần ít nhất một cột")
        if self.provenance not in PROVENANCES:
            raise DocumentError(
                f"nguồn gốc số liệu '{self.provenance}' không có; cần một trong {', '.join(PROVENANCES)}"
            )
        for i, row in enumerate(self.rows, start=1):
            if len(row) != len(self.columns):
                raise DocumentError(
                    f"bảng '{self.caption}': dòng {i} có {len(row)} ô nhưng bảng có {len(self.columns)} cột"
                )
            for cell in row:
                if not isinstance(cell, str):
                    raise DocumentError(
                        f"bảng '{self.caption}': dòng {i} có ô {cell!r} chưa định dạng; "
                        "ô phải là chuỗi đã định dạng (vnformat)"
                    )
        if self.total_row and not self.rows:
            raise DocumentError(f"bảng '{self.caption}': có dòng tổng nhưng không có dòng nào")

    @property
    def illustrative(self) -> bool:
        return self.provenance == "illustrative"


@dataclass(frozen=True)
class Chart:
    """A chart: SVG for the HTML, PNG bytes for DOCX and PDF (``png`` None: SVG everywhere possible)."""

    svg: str
    png: bytes | None
    alt: str
    provenance: str = "derived"
    caption: str = ""

    def __post_init__(self) -> None:
        if self.provenance not in PROVENANCES:
            raise DocumentError(
                f"nguồn gốc số liệu '{self.provenance}' không có; cần một trong {', '.join(PROVENANCES)}"
            )
        if not self.alt.strip():
            raise DocumentError("biểu đồ cần mô tả thay thế (alt)")
        if "<svg" not in self.svg:
            raise DocumentError("biểu đồ cần mã SVG")

    @property
    def illustrative(self) -> bool:
        return self.provenance == "illustrative"


@dataclass(frozen=True)
class Notice:
    """A boxed remark (``kind`` info / warning / illustrative)."""

    kind: str
    text: str

    def __post_init__(self) -> None:
        if self.kind not in NOTICE_KINDS:
            raise DocumentError(f"loại ghi chú '{self.kind}' không có; cần một trong {', '.join(NOTICE_KINDS)}")


@dataclass(frozen=True)
class PageBreak:
    """Start a new page."""


Block = Heading | Paragraph | Table | Chart | Notice | PageBreak


@dataclass(frozen=True)
class Header:
    """The two-column header: parent and issuing body, number line; national name, motto, place and date."""

    parent_body: str  # "ỦY BAN NHÂN DÂN"
    issuing_body: str  # "TỈNH …"
    number_line: str  # "Số: …/KH-UBND" or "Số: 15/KH-UBND"
    place_date: str  # "…, ngày … tháng … năm …"
    national_name: str = NATIONAL_NAME
    motto: str = MOTTO


@dataclass(frozen=True)
class Signature:
    """The signature block (right column): authority lines, room to sign, the signer's name (may be blank)."""

    authority_line: str  # "TM. ỦY BAN NHÂN DÂN"
    deputy_line: str  # "KT. CHỦ TỊCH" (empty when the Chairman signs)
    title_line: str  # "PHÓ CHỦ TỊCH"
    name: str = ""

    @property
    def lines(self) -> tuple[str, ...]:
        return tuple(x for x in (self.authority_line, self.deputy_line, self.title_line) if x)


@dataclass(frozen=True)
class Appendix:
    """A "Phụ lục": its title, the "(Kèm theo Kế hoạch số …)" line, and its blocks."""

    title: str
    blocks: tuple[Block, ...]
    attached_line: str = ""
    numbering: str = ""  # "I", "II", … (printed "PHỤ LỤC I")

    def __post_init__(self) -> None:
        object.__setattr__(self, "blocks", tuple(self.blocks))


@dataclass(frozen=True)
class Document:
    """A whole plan document. ``draft``: headed "DỰ THẢO — số liệu minh họa" and unnumbered."""

    header: Header
    doc_type: str  # "KẾ HOẠCH"
    summary: str  # "Triển khai Chương trình mỗi xã một sản phẩm (OCOP) năm …"
    legal_bases: tuple[str, ...]
    body: tuple[Block, ...]
    signature: Signature
    recipients: tuple[str, ...]
    proposals: tuple[Block, ...] = ()
    proposals_title: str = "ĐỀ XUẤT, KIẾN NGHỊ"
    proposals_note: str = PROPOSALS_NOTE
    appendices: tuple[Appendix, ...] = ()
    draft: bool = True
    draft_label: str = DRAFT_LABEL
    legal_bases_note: str = ""  # e.g. which Căn cứ still need checking (drafts only)
    title: str = ""  # the <title> / document property; default "KẾ HOẠCH <summary>"
    date: str = ""  # ISO date the frame was chosen for (fixes DOCX properties; never a build time)
    lang: str = "vi"
    signed: bool = True  # False: a working paper with no signature block or recipients (the analysis)
    # "Kính gửi: Ủy ban nhân dân tỉnh …" centred under the title (a Tờ trình); empty: no line.
    addressee: str = ""

    def __post_init__(self) -> None:
        for name in ("legal_bases", "body", "recipients", "proposals", "appendices"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        blocks = list(self.body) + list(self.proposals) + [b for a in self.appendices for b in a.blocks]
        for b in blocks:
            if not isinstance(b, Heading | Paragraph | Table | Chart | Notice | PageBreak):
                raise DocumentError(f"khối không hợp lệ trong tài liệu: {type(b).__name__}")

    @property
    def full_title(self) -> str:
        return self.title or f"{self.doc_type} {self.summary}".strip()

    def all_blocks(self) -> list[Block]:
        """Body, proposals and appendix blocks in reading order."""
        return list(self.body) + list(self.proposals) + [b for a in self.appendices for b in a.blocks]

    def shows_illustrative(self) -> bool:
        """Whether any table or chart of the document is illustrative."""
        return any(isinstance(b, Table | Chart) and b.illustrative for b in self.all_blocks())


def enumerated_lines(items: Sequence[str], last: str = ".") -> list[str]:
    """Lines of a list as the decree writes them: each ends with ";" and the last with ``last``."""
    out = []
    for i, item in enumerate(items):
        text = item.rstrip().rstrip(";.,")
        out.append(text + (last if i == len(items) - 1 else ";"))
    return out


def legal_basis_lines(bases: Sequence[str]) -> list[str]:
    """The Căn cứ lines: one per text, ending with ";" and the last with "."."""
    return enumerated_lines(bases, ".")


def recipient_lines(recipients: Sequence[str]) -> list[str]:
    """The Nơi nhận lines: "- " before each, ";" after each, "." after the last ("- Lưu: VT…")."""
    return ["- " + line for line in enumerated_lines(recipients, ".")]


def roman(n: int) -> str:
    """1 -> 'I', 4 -> 'IV', 9 -> 'IX' (part and appendix numbering)."""
    if n < 1:
        raise DocumentError("số La Mã cần số nguyên dương")
    out = ""
    for value, letters in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while n >= value:
            out += letters
            n -= value
    return out


def table_label(table: Table) -> str:
    """The provenance mark printed under a table ("Số liệu minh họa" for illustrative ones)."""
    return ILLUSTRATIVE_LABEL if table.illustrative else ""


# ----------------------------------------------------------------------------- figures in text
def fig(figure_id: str, shown: str) -> str:
    """``shown`` marked as the ledger figure ``figure_id`` (HTML keeps the mark, DOCX drops it)."""
    if FIG_MID in figure_id or FIG_CLOSE in shown or FIG_OPEN in shown:
        raise DocumentError(f"mã số liệu không hợp lệ: {figure_id!r}")
    return f"{FIG_OPEN}{figure_id}{FIG_MID}{shown}{FIG_CLOSE}"


def spans(text: str) -> list[tuple[str, str | None]]:
    """``text`` as (piece, figure id or None) in order."""
    out: list[tuple[str, str | None]] = []
    at = 0
    for m in _FIG.finditer(text):
        if m.start() > at:
            out.append((text[at : m.start()], None))
        out.append((m.group(2), m.group(1)))
        at = m.end()
    if at < len(text):
        out.append((text[at:], None))
    return out


def plain(text: str) -> str:
    """``text`` without figure marks."""
    return _FIG.sub(lambda m: m.group(2), text)


def _plain_value(value):
    if isinstance(value, str):
        return plain(value)
    if isinstance(value, tuple):
        return tuple(_plain_value(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _plain_value(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **changes)
    return value


def plain_document(doc: Document) -> Document:
    """The document with every figure mark removed (what DOCX and plain-text readers get)."""
    return _plain_value(doc)

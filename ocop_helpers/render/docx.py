"""The plan document as an editable Word file (python-docx), formatted as an administrative document.

A4 portrait with the margins of Nghị định 30/2020/NĐ-CP (top and bottom 20 mm, left 30 mm, right
15 mm); Times New Roman named for every script (the clerk's Word has it), 14 pt body, justified,
first-line indent 1.27 cm, 6 pt after paragraphs; the two-column header table; the signature block
beside "Nơi nhận"; data tables with their header row repeated on every page and rows that never
split; page numbers centred in the header from page 2 (a PAGE field; the first page has its own,
empty header). Charts are the PNG the caller made. Two renders of the same Document give the same
bytes: the core properties take the document's date, and every zip entry a fixed time stamp.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import zipfile

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from ocop_helpers.document.docmodel import ILLUSTRATIVE_LABEL as ILLUSTRATIVE
from ocop_helpers.document.docmodel import RECIPIENTS_TITLE as RECIPIENTS
from ocop_helpers.document.docmodel import (
    Appendix,
    Block,
    Chart,
    Document,
    Heading,
    Notice,
    PageBreak,
    Paragraph,
    Table,
    legal_basis_lines,
    plain_document,
    recipient_lines,
)
from ocop_helpers.render.archive import fixed_zip

FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 12
CHART_WIDTH_MM = 160
# Children that must follow an element in its parent (WordprocessingML schema order), so inserted
# elements keep the order Word requires.
AFTER_PBDR = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)
AFTER_OUTLINE = ("w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
AFTER_TBLBORDERS = ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription")


def _set_font(element, name: str = FONT) -> None:
    """Name the font for every script (ascii, hAnsi, east Asian, complex) on a style or run element."""

    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


# The decree's headings (Phụ lục I): parts (level 1) bold at body size, items (2) bold with the
# first-line indent, sub-items (3) bold italic with the indent; Times New Roman, black, no colour.
HEADING_STYLES = {
    1: {"bold": True, "italic": False, "indent": False, "before": 10},
    2: {"bold": True, "italic": False, "indent": True, "before": 6},
    3: {"bold": True, "italic": True, "indent": True, "before": 6},
}
LANGUAGE = "vi-VN"
# Children that follow w:lang in w:rPr (schema order).
AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")


def _set_lang(rpr) -> None:
    """``<w:lang w:val="vi-VN" w:eastAsia="vi-VN" w:bidi="ar-SA"/>`` in a run-properties element."""
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.insert_element_before(lang, *AFTER_LANG)
    lang.set(qn("w:val"), LANGUAGE)
    lang.set(qn("w:eastAsia"), LANGUAGE)
    lang.set(qn("w:bidi"), "ar-SA")


def _black(style) -> None:
    """Plain black text: no theme colour left on the style."""
    style.font.color.rgb = RGBColor(0, 0, 0)
    color = style.element.rPr.find(qn("w:color"))
    for attr in ("w:themeColor", "w:themeShade", "w:themeTint"):
        color.attrib.pop(qn(attr), None)


def _defaults(document) -> None:
    """Document defaults: Times New Roman for every script, 14 pt, language vi-VN (the spelling
    checker and hyphenation of Word and LibreOffice read it here)."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    for tag in ("w:sz", "w:szCs"):
        size = rpr.find(qn(tag))
        if size is not None:
            size.set(qn("w:val"), str(BODY_PT * 2))
    _set_lang(rpr)


def _heading_styles(document) -> None:
    """Word's own "Heading 1/2/3" (the navigation pane and a table of contents list them),
    restyled to the decree: Times New Roman, black, body size, kept with the next paragraph."""
    for level, look in HEADING_STYLES.items():
        for name in (f"Heading {level}", f"Heading {level} Char"):
            style = document.styles[name]
            _set_font(style.element)
            style.font.name = FONT
            style.font.size = Pt(BODY_PT)
            style.font.bold = look["bold"]
            style.font.italic = look["italic"]
            _black(style)
            _set_lang(style.element.get_or_add_rPr())
        fmt = document.styles[f"Heading {level}"].paragraph_format
        fmt.keep_with_next = True
        fmt.keep_together = True
        fmt.space_before = Pt(look["before"])
        fmt.space_after = Pt(4)
        fmt.line_spacing = 1.0
        fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        fmt.first_line_indent = Cm(1.27) if look["indent"] else Cm(0)


def _styles(document) -> None:

    _defaults(document)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    normal.font.color.rgb = RGBColor(0, 0, 0)
    _set_font(normal.element)
    fmt = normal.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(6)
    fmt.line_spacing = 1.0
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.first_line_indent = Cm(0)
    _set_lang(normal.element.get_or_add_rPr())
    grid = document.styles["Table Grid"]
    _set_font(grid.element)
    _heading_styles(document)


def _page(document) -> None:

    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance, section.footer_distance = Mm(10), Mm(10)
    section.different_first_page_header_footer = True
    _page_number(section.header.paragraphs[0])
    section.first_page_header.paragraphs[0].text = ""


def _page_number(paragraph) -> None:
    """A centred PAGE field (Word shows the page number; page 1 uses the empty first-page header)."""

    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "2"), ("end", None)):
        run = paragraph.add_run()
        run.font.size = Pt(13)
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            run.text = text


def _para(
    container,
    text: str = "",
    *,
    bold=False,
    italic=False,
    size=None,
    align=None,
    indent=False,
    after=None,
    keep_next=False,
):

    p = container.add_paragraph()
    if text:
        run = p.add_run(text)
        run.bold = bold or None
        run.italic = italic or None
        if size:
            run.font.size = Pt(size)
    fmt = p.paragraph_format
    if align:
        fmt.alignment = {
            "center": WD_ALIGN_PARAGRAPH.CENTER,
            "left": WD_ALIGN_PARAGRAPH.LEFT,
            "right": WD_ALIGN_PARAGRAPH.RIGHT,
            "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
        }[align]
    if indent:
        fmt.first_line_indent = Cm(1.27)
    if after is not None:
        fmt.space_after = Pt(after)
    if keep_next:
        fmt.keep_with_next = True
    return p


def _rule(cell, width_share: float, space_mm: float) -> None:
    """A short centred line (the rule under the issuing body, the motto and the title).

    ``space_mm``: the width of the cell (or text block) the line is centred in.
    """

    p = cell.add_paragraph() if hasattr(cell, "add_paragraph") else cell
    fmt = p.paragraph_format
    fmt.space_before = Pt(3)
    fmt.space_after = Pt(4)
    fmt.line_spacing = Pt(1)
    margin = Mm((1 - width_share) / 2 * space_mm)
    fmt.left_indent = margin
    fmt.right_indent = margin
    fmt.first_line_indent = Mm(0)
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        top.set(qn(k), v)
    borders.append(top)
    p._p.get_or_add_pPr().insert_element_before(borders, *AFTER_PBDR)


def _widths(table, widths) -> None:
    """Fixed column widths (grid and cells), so Word and LibreOffice keep the decree's two columns."""

    table.autofit = False
    tbl_pr = table._tbl.tblPr
    total = tbl_pr.find(qn("w:tblW"))
    if total is None:
        total = OxmlElement("w:tblW")
        tbl_pr.insert_element_before(total, "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", *AFTER_TBLBORDERS)
    total.set(qn("w:w"), str(sum(w.twips for w in widths)))
    total.set(qn("w:type"), "dxa")
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width


def _no_borders(table) -> None:

    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        e = OxmlElement(f"w:{edge}")
        e.set(qn("w:val"), "nil")
        borders.append(e)
    tbl_pr.insert_element_before(borders, *AFTER_TBLBORDERS)


def _row_flags(row, header: bool) -> None:
    """Header rows repeat on every page; no row splits across pages."""

    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    if header:
        flag = OxmlElement("w:tblHeader")
        flag.set(qn("w:val"), "true")
        tr_pr.append(flag)


def _cell_text(cell, text: str, *, bold=False, italic=False, size=None, align="center", after=0):
    p = cell.paragraphs[0] if not cell.paragraphs[0].text and len(cell.paragraphs) == 1 else cell.add_paragraph()

    run = p.add_run(text)
    run.bold = bold or None
    run.italic = italic or None
    if size:
        run.font.size = Pt(size)
    p.paragraph_format.alignment = {
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
    }[align]
    p.paragraph_format.space_after = Pt(after)
    p.paragraph_format.first_line_indent = None
    return p


def _header(document, doc: Document) -> None:

    h = doc.header
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    table.autofit = False
    _widths(table, (Mm(62), Mm(103)))
    left, right = table.rows[0].cells
    _cell_text(left, h.parent_body, size=13)
    _cell_text(left, h.issuing_body, bold=True, size=13)
    _rule(left, 0.35, 62)
    _cell_text(left, h.number_line, size=13)
    _cell_text(right, h.national_name, bold=True, size=13)
    _cell_text(right, h.motto, bold=True, size=14)
    _rule(right, 0.62, 103)
    _cell_text(right, h.place_date, italic=True, size=14)


def _table(document, t: Table) -> None:

    if t.illustrative:
        _para(document, ILLUSTRATIVE, bold=True, italic=True, size=11, align="right", after=0, keep_next=True)
    if t.caption:
        _para(document, t.caption, bold=True, size=TABLE_PT, align="center", after=3, keep_next=True)
    table = document.add_table(rows=1 + len(t.rows), cols=len(t.columns))
    table.style = document.styles["Table Grid"]
    rows = list(table.rows)  # python-docx rebuilds these lists on every access: take them once
    for cell, col in zip(rows[0].cells, t.columns, strict=True):
        _cell_text(cell, col.header, bold=True, size=TABLE_PT)
    _row_flags(rows[0], header=True)
    keep = len(t.rows) <= 25
    for i, (word_row, row) in enumerate(zip(rows[1:], t.rows, strict=True), start=1):
        total = t.total_row and i == len(t.rows)
        for cell, col, value in zip(word_row.cells, t.columns, row, strict=True):
            p = _cell_text(cell, value, bold=total, size=TABLE_PT, align=col.align)
            p.paragraph_format.keep_with_next = keep and i < len(t.rows)
        _row_flags(word_row, header=False)
    if t.note:
        _para(document, t.note, italic=True, size=11, after=6)
    else:
        _para(document, "", after=0).paragraph_format.space_after = Pt(2)


def _chart(document, c: Chart) -> None:

    if c.illustrative:
        _para(document, ILLUSTRATIVE, bold=True, italic=True, size=11, align="right", after=0, keep_next=True)
    if c.png:
        p = _para(document, align="center", keep_next=bool(c.caption))
        p.add_run().add_picture(io.BytesIO(c.png), width=Mm(CHART_WIDTH_MM))
    else:
        _para(document, f"[Biểu đồ: {c.alt}]", italic=True, align="center")
    if c.caption:
        _para(document, c.caption, italic=True, size=12, align="center")


def _block(document, b: Block) -> None:
    if isinstance(b, Heading):
        p = document.add_paragraph(b.label, style=f"Heading {b.level}")
        _outline(p, b.level)
    elif isinstance(b, Paragraph):
        style = b.style
        _para(
            document,
            b.text,
            bold=style == "bold",
            italic=style in ("italic", "note"),
            size=12 if style == "note" else None,
            align="center" if style == "centred" else "justify",
            indent=style in ("body", "italic", "bold", "bullet"),
        )
    elif isinstance(b, Table):
        _table(document, b)
    elif isinstance(b, Chart):
        _chart(document, b)
    elif isinstance(b, Notice):
        p = _para(document, b.text, italic=b.kind == "illustrative", size=12)
        _box(p)
    elif isinstance(b, PageBreak):
        document.add_page_break()
    else:
        raise TypeError(f"unknown block {type(b).__name__}")


def _outline(paragraph, level: int) -> None:
    """Outline level of a heading paragraph (Word's navigation pane lists the parts and items)."""

    element = OxmlElement("w:outlineLvl")
    element.set(qn("w:val"), str(level - 1))
    paragraph._p.get_or_add_pPr().insert_element_before(element, *AFTER_OUTLINE)


def _box(paragraph) -> None:

    borders = OxmlElement("w:pBdr")
    for edge in ("top", "left", "bottom", "right"):
        e = OxmlElement(f"w:{edge}")
        for k, v in (("w:val", "single"), ("w:sz", "8"), ("w:space", "4"), ("w:color", "000000")):
            e.set(qn(k), v)
        borders.append(e)
    paragraph._p.get_or_add_pPr().insert_element_before(borders, *AFTER_PBDR)


def _keep_last_with_signature(document) -> None:
    """The body's last paragraph (with any empty spacing paragraphs after it, and the last row of a
    table that ends the body) is kept with the signature block: the block never opens a page alone."""
    body = document.element.body
    for element in reversed(list(body.iterchildren())):
        tag = element.tag
        if tag == qn("w:sectPr"):
            continue
        if tag == qn("w:p"):
            ppr = element.get_or_add_pPr()
            ppr.keepNext_val = True
            if "".join(element.itertext()).strip():
                return
        elif tag == qn("w:tbl"):
            rows = element.findall(qn("w:tr"))
            for p in rows[-1].iter(qn("w:p")) if rows else ():
                p.get_or_add_pPr().keepNext_val = True
            return
        else:
            return


def _signature(document, doc: Document) -> None:

    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    _row_flags(table.rows[0], header=False)
    _widths(table, (Mm(75), Mm(90)))
    left, right = table.rows[0].cells
    _cell_text(left, RECIPIENTS, bold=True, italic=True, size=12, align="left")
    for line in recipient_lines(doc.recipients):
        _cell_text(left, line, size=11, align="left")
    for line in doc.signature.lines:
        _cell_text(right, line, bold=True, size=14)
    for _ in range(4):
        _cell_text(right, "", size=14).paragraph_format.space_after = Pt(6)
    _cell_text(right, doc.signature.name, bold=True, size=14)


def _appendix(document, a: Appendix) -> None:
    document.add_page_break()
    _para(document, f"PHỤ LỤC {a.numbering}".strip(), bold=True, align="center", after=0, keep_next=True)
    _para(document, a.title, bold=True, align="center", after=0, keep_next=True)
    if a.attached_line:
        _para(document, a.attached_line, italic=True, align="center", after=10, keep_next=True)
    for b in a.blocks:
        _block(document, b)


def _when(doc: Document) -> dt.datetime:
    """The document's own date (never the build time): what its properties and zip entries carry."""
    return dt.datetime.fromisoformat(doc.date) if doc.date else dt.datetime(2000, 1, 1)


def _properties(document, doc: Document) -> None:
    props = document.core_properties
    when = _when(doc).replace(tzinfo=dt.UTC)
    props.title = doc.full_title
    props.subject = doc.summary
    props.author = doc.header.issuing_body.title() if doc.header.issuing_body else ""
    props.last_modified_by = props.author
    props.comments = ""  # python-docx's template says "generated by python-docx"
    props.category = ""
    props.revision = 1
    props.created = when
    props.modified = when
    props.last_printed = when
    props.language = "vi-VN"
    props.keywords = "dự thảo" if doc.draft else ""


def _app_xml(doc: Document) -> bytes:
    """docProps/app.xml without the template's application name and version (no tool is named in
    the file's properties); the issuing body as the company."""
    company = html.escape(doc.header.issuing_body.title() if doc.header.issuing_body else "", quote=False)
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f"<DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><Company>{company}</Company>"
        "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
        "<HyperlinksChanged>false</HyperlinksChanged></Properties>"
    ).encode()


def _drop_thumbnail(document) -> None:
    """The template's thumbnail picture (of another document) is not carried into the plan."""
    package = document.part.package
    for key, rel in list(package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del package.rels[key]


# Parts of the template that still name English as the language (w:lang, w:themeFontLang).
ENGLISH_PARTS = ("word/settings.xml", "word/stylesWithEffects.xml")


def _package(data: bytes, doc: Document) -> bytes:
    """The saved file with its own docProps/app.xml and vi-VN wherever the template said en-US."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/app.xml":
                body = _app_xml(doc)
            elif info.filename in ENGLISH_PARTS:
                body = re.sub(rb'(w:(?:val|eastAsia))="en-US"', rb'\1="' + LANGUAGE.encode() + b'"', body)
            dst.writestr(info, body)
    return out.getvalue()


def render_docx(doc: Document) -> bytes:
    """The document as .docx bytes."""
    doc = plain_document(doc)

    document = docx.Document()
    _styles(document)
    _page(document)
    body_start = document.paragraphs[0] if document.paragraphs else None
    if body_start is not None:
        body_start._p.getparent().remove(body_start._p)
    if doc.draft:
        _box(_para(document, doc.draft_label, bold=True, align="center", size=13))
    _header(document, doc)
    _para(
        document, doc.doc_type, bold=True, align="center", after=0, keep_next=True
    ).paragraph_format.space_before = Pt(12)
    title = _para(document, doc.summary, bold=True, align="center", after=0, keep_next=True)
    title.paragraph_format.space_before = None
    _rule(document.add_paragraph(), 0.3, 165)
    if doc.addressee:
        _para(document, doc.addressee, align="center", after=6)
    for line in legal_basis_lines(doc.legal_bases):
        _para(document, line, italic=True, indent=True, after=3)
    if doc.legal_bases_note:
        _para(document, doc.legal_bases_note, italic=True, size=11, indent=True)
    for b in doc.body:
        _block(document, b)
    if doc.signed:
        _keep_last_with_signature(document)
        _signature(document, doc)
    if doc.proposals:
        document.add_page_break()
        _para(document, doc.proposals_title, bold=True, align="center", after=0, keep_next=True)
        if doc.proposals_note:
            _para(document, doc.proposals_note, italic=True, size=12, align="center", after=10)
        for b in doc.proposals:
            _block(document, b)
    for a in doc.appendices:
        _appendix(document, a)
    _properties(document, doc)
    _drop_thumbnail(document)
    buffer = io.BytesIO()
    document.save(buffer)

    return fixed_zip(_package(buffer.getvalue(), doc), _when(doc))

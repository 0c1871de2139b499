"""The plan document as one self-contained HTML page (screen and A4 print), in Vietnamese.

The layout follows Nghị định 30/2020/NĐ-CP, Phụ lục I: the two-column header table, "KẾ HOẠCH" and
the summary line, the Căn cứ in italics, Roman-numbered parts, the signature block beside "Nơi
nhận", then the proposals and appendices on their own pages. The print stylesheet sets A4, the
decree's margins, page numbers centred in the top margin (none on page 1), repeated table header
rows and rows that never split. No network reference of any kind: charts are inline SVG (or PNG
data URLs for the PDF renderer), and the page carries its own font: Liberation Serif, metric-compatible
with Times New Roman, embedded as ``@font-face`` data URLs subset to the page's characters
(``fontface``), so a browser prints the same letters on any machine. Two renders of the same Document
give the same bytes, in any process.
"""

from __future__ import annotations

import base64
import html
import re

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
    plain,
    recipient_lines,
    spans,
)
from ocop_helpers.render import fontface

# The embedded Liberation Serif first (fontface.FAMILY); the rest only for characters it lacks.
FONT_STACK = f'"{fontface.FAMILY}", "Times New Roman", Tinos, serif'
# Margins of Nghị định 30/2020/NĐ-CP, Phụ lục I (top/bottom 20–25 mm, left 30–35 mm, right 15–20 mm).
PAGE_MARGINS = "20mm 15mm 20mm 30mm"
KEEP_WHOLE_ROWS = 25  # a table up to this many rows is kept on one page where it fits

CSS = f"""
@page {{
  size: A4;
  margin: {PAGE_MARGINS};
  @top-center {{ content: counter(page); font-family: {FONT_STACK}; font-size: 13pt; vertical-align: middle; }}
}}
@page :first {{ @top-center {{ content: none; }} }}
html {{ color: #000; background: #fff; }}
body {{ font-family: {FONT_STACK}; font-size: 14pt; line-height: 1.3; margin: 0; }}
@media screen {{
  body {{ max-width: 165mm; margin: 1.5rem auto 4rem; padding: 0 1.2rem; }}
  section.proposals, section.appendix {{ border-top: 1px dashed #888; margin-top: 2rem; padding-top: 1rem; }}
}}
p {{ margin: 6pt 0; }}
.draft-banner {{ border: 2px solid #000; text-align: center; font-weight: bold; padding: 3pt; margin: 0 0 8pt;
  letter-spacing: .04em; font-size: 13pt; }}
table.doc-header, table.doc-sign {{ width: 100%; border-collapse: collapse; }}
table.doc-header td, table.doc-sign td {{ vertical-align: top; text-align: center; padding: 0; border: none; }}
table.doc-header td.left {{ width: 40%; }}
.parent-body {{ font-size: 13pt; }}
.issuing-body, .national-name {{ font-size: 13pt; font-weight: bold; }}
.motto {{ font-size: 14pt; font-weight: bold; }}
.rule {{ border-top: 1px solid #000; margin: 2pt auto 6pt; }}
.left .rule {{ width: 35%; }}
.right .rule {{ width: 62%; }}
.number {{ font-size: 13pt; margin: 4pt 0 0; }}
.place-date {{ font-style: italic; margin: 4pt 0 0; }}
.doc-title {{ text-align: center; margin: 14pt 0 10pt; break-after: avoid; }}
.doc-type {{ font-size: 14pt; font-weight: bold; margin: 0; }}
.doc-summary {{ font-size: 14pt; font-weight: bold; margin: 0; }}
.doc-title .rule {{ width: 30%; }}
.addressee {{ text-align: center; margin: 0 0 10pt; break-after: avoid; page-break-after: avoid; }}
.legal-bases p {{ font-style: italic; text-indent: 1.27cm; text-align: justify; margin: 3pt 0; }}
.legal-note {{ font-size: 11pt; }}
h2, h3, h4 {{ font-size: 14pt; margin: 10pt 0 4pt; break-after: avoid; page-break-after: avoid; }}
h2 {{ font-weight: bold; }}
h3 {{ font-weight: bold; text-indent: 1.27cm; }}
h4 {{ font-weight: bold; font-style: italic; text-indent: 1.27cm; }}
p.body, p.italic, p.bold {{ text-indent: 1.27cm; text-align: justify; }}
p.italic {{ font-style: italic; }}
p.bold {{ font-weight: bold; }}
p.centred {{ text-align: center; }}
p.note {{ font-size: 12pt; font-style: italic; }}
p.bullet {{ text-align: justify; padding-left: 1.27cm; text-indent: -0.5cm; }}
.notice {{ border: 1px solid #000; border-left-width: 4px; padding: 3pt 6pt; margin: 6pt 0; font-size: 12pt;
  break-inside: avoid; }}
.notice.illustrative {{ border-style: dashed; }}
.tablewrap {{ margin: 8pt 0 10pt; }}
.tablewrap.keep {{ break-inside: avoid; page-break-inside: avoid; }}
.mark {{ font-size: 11pt; font-style: italic; font-weight: bold; text-align: right; margin: 0 0 2pt;
  break-after: avoid; }}
table.data {{ width: 100%; border-collapse: collapse; font-size: 12pt; line-height: 1.2; }}
table.data caption {{ caption-side: top; font-weight: bold; text-align: center; padding: 0 0 3pt; }}
table.data th, table.data td {{ border: 1px solid #000; padding: 2pt 4pt; vertical-align: top; }}
table.data th {{ font-weight: bold; text-align: center; vertical-align: middle; }}
table.data td.right {{ text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }}
table.data td.center {{ text-align: center; }}
table.data tr.total td {{ font-weight: bold; }}
table.data thead {{ display: table-header-group; }}
table.data tr {{ break-inside: avoid; page-break-inside: avoid; }}
.table-note {{ font-size: 11pt; font-style: italic; margin: 2pt 0 0; }}
figure.chart {{ margin: 8pt 0; text-align: center; break-inside: avoid; page-break-inside: avoid; }}
figure.chart svg, figure.chart img {{ max-width: 100%; height: auto; }}
figure.chart figcaption {{ font-size: 12pt; font-style: italic; }}
table.doc-sign {{ margin-top: 12pt; break-inside: avoid; page-break-inside: avoid; break-before: avoid;
  page-break-before: avoid; }}
table.doc-sign tr, table.doc-sign td {{ break-inside: avoid; page-break-inside: avoid; }}
/* The signature never opens a page alone: the body's last block stays with it. */
main.body > :last-child {{ break-after: avoid; page-break-after: avoid; }}
main.body > p:last-child {{ orphans: 2; widows: 3; }}
table.doc-sign td.left {{ width: 45%; text-align: left; }}
.recipients-title {{ font-size: 12pt; font-weight: bold; font-style: italic; margin: 0; }}
.recipients p {{ font-size: 11pt; margin: 0; }}
.sign-line {{ font-weight: bold; margin: 0; }}
.sign-space {{ height: 28mm; }}
.signer {{ font-weight: bold; margin: 0; }}
.page-break, section.proposals, section.appendix {{ break-before: page; page-break-before: always; }}
.section-title {{ text-align: center; font-weight: bold; margin: 0; }}
.attached {{ text-align: center; font-style: italic; margin: 0 0 10pt; }}
.proposals-note {{ text-align: center; font-style: italic; font-size: 12pt; margin: 0 0 10pt; }}
"""


def _e(text: str) -> str:
    """Escaped text; a ledger figure becomes ``<span class="fig" data-fig="id">shown</span>``."""
    out = []
    for piece, figure in spans(text):
        if figure is None:
            out.append(html.escape(piece, quote=True))
        else:
            out.append(f'<span class="fig" data-fig="{html.escape(figure, quote=True)}">{html.escape(piece)}</span>')
    return "".join(out)


def _a(text: str) -> str:
    """Escaped text for an attribute or the title: figure marks dropped."""
    return html.escape(plain(text), quote=True)


def _svg(svg: str) -> str:
    """Inline SVG without an XML declaration or doctype."""
    text = re.sub(r"^\s*<\?xml[^>]*\?>\s*", "", svg)
    return re.sub(r"^\s*<!DOCTYPE[^>]*>\s*", "", text)


def _table(t: Table) -> str:
    keep = " keep" if len(t.rows) <= KEEP_WHOLE_ROWS else ""
    out = [f'<div class="tablewrap{keep}" data-provenance="{t.provenance}">']
    if t.illustrative:
        out.append(f'<p class="mark">{ILLUSTRATIVE}</p>')
    out.append('<table class="data">')
    if t.caption:
        out.append(f"<caption>{_e(t.caption)}</caption>")
    out.append("<thead><tr>" + "".join(f"<th>{_e(c.header)}</th>" for c in t.columns) + "</tr></thead><tbody>")
    for i, row in enumerate(t.rows):
        total = t.total_row and i == len(t.rows) - 1
        cells = "".join(
            ("<td>" if c.align == "left" else f'<td class="{c.align}">') + _e(v) + "</td>"
            for c, v in zip(t.columns, row, strict=True)
        )
        out.append(('<tr class="total">' if total else "<tr>") + cells + "</tr>")
    out.append("</tbody></table>")
    if t.note:
        out.append(f'<p class="table-note">{_e(t.note)}</p>')
    out.append("</div>")
    return "\n".join(out)


def _chart(c: Chart, images: str) -> str:
    out = [f'<figure class="chart" data-provenance="{c.provenance}">']
    if c.illustrative:
        out.append(f'<p class="mark">{ILLUSTRATIVE}</p>')
    if images == "png" and c.png:
        data = base64.b64encode(c.png).decode("ascii")
        out.append(f'<img alt="{_a(c.alt)}" src="data:image/png;base64,{data}">')
    else:
        out.append(f'<div role="img" aria-label="{_a(c.alt)}">{_svg(c.svg)}</div>')
    if c.caption:
        out.append(f"<figcaption>{_e(c.caption)}</figcaption>")
    out.append("</figure>")
    return "\n".join(out)


def block_html(block: Block, images: str = "svg") -> str:
    """One block as HTML."""
    if isinstance(block, Heading):
        tag = {1: "h2", 2: "h3", 3: "h4"}[block.level]
        return f"<{tag}>{_e(block.label)}</{tag}>"
    if isinstance(block, Paragraph):
        return f'<p class="{block.style}">{_e(block.text)}</p>'
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Chart):
        return _chart(block, images)
    if isinstance(block, Notice):
        return f'<div class="notice {block.kind}">{_e(block.text)}</div>'
    if isinstance(block, PageBreak):
        return '<div class="page-break"></div>'
    raise TypeError(f"unknown block {type(block).__name__}")


def _header(doc: Document) -> str:
    h = doc.header
    return f"""<table class="doc-header" role="presentation"><tr>
<td class="left"><p class="parent-body" style="margin:0">{_e(h.parent_body)}</p>
<p class="issuing-body" style="margin:0">{_e(h.issuing_body)}</p><div class="rule"></div>
<p class="number">{_e(h.number_line)}</p></td>
<td class="right"><p class="national-name" style="margin:0">{_e(h.national_name)}</p>
<p class="motto" style="margin:0">{_e(h.motto)}</p><div class="rule"></div>
<p class="place-date">{_e(h.place_date)}</p></td>
</tr></table>"""


def _signature(doc: Document) -> str:
    s = doc.signature
    recipients = "".join(f"<p>{_e(line)}</p>" for line in recipient_lines(doc.recipients))
    lines = "".join(f'<p class="sign-line">{_e(x)}</p>' for x in s.lines)
    return f"""<table class="doc-sign" role="presentation"><tr>
<td class="left"><p class="recipients-title">{RECIPIENTS}</p><div class="recipients">{recipients}</div></td>
<td class="right">{lines}<div class="sign-space"></div><p class="signer">{_e(s.name)}</p></td>
</tr></table>"""


def _appendix(a: Appendix, images: str) -> str:
    parts = [
        '<section class="appendix">',
        f'<p class="section-title">{_e(f"PHỤ LỤC {a.numbering}".strip())}</p>',
        f'<p class="section-title">{_e(a.title)}</p>',
    ]
    if a.attached_line:
        parts.append(f'<p class="attached">{_e(a.attached_line)}</p>')
    parts += [block_html(b, images) for b in a.blocks]
    parts.append("</section>")
    return "\n".join(parts)


def render_html(doc: Document, images: str = "svg", extra_css: str = "", embed_font: bool | None = None) -> str:
    """The whole document as one HTML string.

    ``images``: 'svg' (inline SVG; the HTML deliverable) or 'png' (PNG data URLs where the chart has
    them; used by the PDF renderer). ``extra_css`` is appended to the stylesheet (the PDF renderer
    adds its font files there). ``embed_font``: put Liberation Serif, subset to the page's
    characters, into the page as data URLs; by default for the 'svg' page (what a browser opens and
    prints), not for 'png' (WeasyPrint reads the font files themselves).
    """
    if images not in ("svg", "png"):
        raise ValueError("images: 'svg' or 'png'")
    if embed_font is None:
        embed_font = images == "svg"
    title = f"<title>{_a(doc.full_title)}</title>"
    out = [f'<body class="{"draft" if doc.draft else "issued"}">']
    if doc.draft:
        out.append(f'<div class="draft-banner">{_e(doc.draft_label)}</div>')
    out.append(_header(doc))
    out.append(
        f'<div class="doc-title"><p class="doc-type">{_e(doc.doc_type)}</p>'
        f'<p class="doc-summary">{_e(doc.summary)}</p><div class="rule"></div></div>'
    )
    if doc.addressee:
        out.append(f'<p class="addressee">{_e(doc.addressee)}</p>')
    if doc.legal_bases:
        out.append('<div class="legal-bases">')
        out += [f"<p>{_e(line)}</p>" for line in legal_basis_lines(doc.legal_bases)]
        if doc.legal_bases_note:
            out.append(f'<p class="legal-note">{_e(doc.legal_bases_note)}</p>')
        out.append("</div>")
    out.append('<main class="body">')
    out += [block_html(b, images) for b in doc.body]
    out.append("</main>")
    if doc.signed:
        out.append(_signature(doc))
    if doc.proposals:
        out.append('<section class="proposals">')
        out.append(f'<p class="section-title">{_e(doc.proposals_title)}</p>')
        if doc.proposals_note:
            out.append(f'<p class="proposals-note">{_e(doc.proposals_note)}</p>')
        out += [block_html(b, images) for b in doc.proposals]
        out.append("</section>")
    out += [_appendix(a, images) for a in doc.appendices]
    out += ["</body>", "</html>", ""]
    body = "\n".join(out)
    fonts = fontface.font_face_css(title + body) if embed_font else ""
    head = [
        "<!DOCTYPE html>",
        f'<html lang="{_e(doc.lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        title,
        *([f'<meta name="author" content="{_a(doc.header.issuing_body.title())}">'] if doc.header.issuing_body else []),
        f"<style>{fonts}{CSS}{extra_css}</style>",
        "</head>",
        body,
    ]
    return "\n".join(head)


def external_references(page: str) -> list[str]:
    """Every src/href/url()/@import in ``page`` that would reach the network (http, https, //)."""
    refs = re.findall(r"""(?:src|href)\s*=\s*["']((?:https?:)?//[^"']+)""", page, flags=re.I)
    refs += re.findall(r"""url\(\s*["']?((?:https?:)?//[^"')]+)""", page, flags=re.I)
    refs += re.findall(r"""@import\s+["']((?:https?:)?//[^"']+)""", page, flags=re.I)
    return refs

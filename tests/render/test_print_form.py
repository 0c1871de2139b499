"""The printed plan (HTML print stylesheet, PDF): the signature block never stands alone on a page,
and the addressee of a submission is centred under the title."""

from __future__ import annotations

import dataclasses
import io

import pytest

from ocop_helpers.document import docmodel as D
from ocop_helpers.render.html import render_html
from ocop_helpers.render.pdf import render_pdf
from tests.support.documents import sample_document

ADDRESSEE = "Kính gửi: Ủy ban nhân dân tỉnh Mẫu"


def _filled(paragraphs: int) -> D.Document:
    """A short plan whose body ends near the foot of page 1 (the signature block no longer fits)."""
    body = (D.Heading(1, "MỤC ĐÍCH, YÊU CẦU", "I."),) + tuple(
        D.Paragraph(f"Đoạn {i}: nội dung kế hoạch mẫu để lấp đầy trang giấy. " * 3) for i in range(paragraphs)
    )
    return dataclasses.replace(sample_document(draft=False), body=body, proposals=(), appendices=())


@pytest.mark.parametrize("paragraphs", [6, 7, 8])
def test_the_page_with_the_signature_also_holds_body_text(paragraphs):
    """Without the keep rules these bodies leave "Nơi nhận" and the signature alone on page 2."""
    from pypdf import PdfReader

    pages = [p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(_filled(paragraphs)))).pages]
    signed = [i for i, text in enumerate(pages) if "Nơi nhận:" in text]
    assert len(signed) == 1
    page = pages[signed[0]]
    assert "Nguyễn Văn Mẫu" in page and "TM. ỦY BAN NHÂN DÂN" in page
    assert "Đoạn" in page, f"the signature is alone on page {signed[0] + 1}"


def test_the_print_stylesheet_keeps_the_signature_whole_and_with_the_body():
    page = render_html(sample_document())
    css = page.split("<style>", 1)[1].split("</style>", 1)[0]
    sign = css[css.index("table.doc-sign { margin-top") :].split("}", 1)[0]
    assert "break-inside: avoid" in sign and "break-before: avoid" in sign
    assert "main.body > :last-child { break-after: avoid;" in css


def test_the_addressee_is_centred_under_the_title_in_html_and_pdf():
    from pypdf import PdfReader

    doc = dataclasses.replace(sample_document(), addressee=ADDRESSEE)
    page = render_html(doc).split("<body", 1)[1]
    assert page.index('class="doc-summary"') < page.index(f'<p class="addressee">{ADDRESSEE}</p>')
    assert page.index(ADDRESSEE) < page.index("Căn cứ Quyết định")
    first = PdfReader(io.BytesIO(render_pdf(doc))).pages[0].extract_text()
    assert ADDRESSEE in first
    assert first.index("năm 2027") < first.index(ADDRESSEE) < first.index("Căn cứ Quyết định")
    assert "Kính gửi" not in render_html(sample_document())


def test_the_pdf_names_the_document_and_its_issuer():
    from pypdf import PdfReader

    meta = PdfReader(io.BytesIO(render_pdf(sample_document()))).metadata
    assert meta.title == "KẾ HOẠCH Triển khai Chương trình mỗi xã một sản phẩm (OCOP) năm 2027"
    assert meta.author == "Tỉnh Mẫu"

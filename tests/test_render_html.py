"""The HTML renderer: official form, escaping, provenance marks, identical bytes, and A4 print in Chromium."""

from __future__ import annotations

import io
import re

import pytest

from ocop_helpers.render_html import render_html
from tests.browser import block_network, chromium_context, requires_chromium
from tests.documents import LONG, sample_document


def test_html_has_the_official_parts_in_order():
    text = render_html(sample_document()).split("<body", 1)[1]
    order = [
        "DỰ THẢO — số liệu minh họa",
        "ỦY BAN NHÂN DÂN",
        "TỈNH MẪU",
        "Số: …/KH-UBND",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Mẫu, ngày … tháng … năm 2027",
        "KẾ HOẠCH",
        "Căn cứ Quyết định số 148/QĐ-TTg ngày 24 tháng 02 năm 2023 của Thủ tướng Chính phủ;",
        "Căn cứ văn bản mẫu.",
        "I. MỤC ĐÍCH, YÊU CẦU",
        "Nơi nhận:",
        "- Lưu: VT.",
        "TM. ỦY BAN NHÂN DÂN",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Nguyễn Văn Mẫu",
        "ĐỀ XUẤT, KIẾN NGHỊ",
        "PHỤ LỤC I",
        "(Kèm theo Kế hoạch số …/KH-UBND)",
    ]
    positions = [text.find(s) for s in order]
    assert -1 not in positions, [s for s, p in zip(order, positions, strict=True) if p < 0]
    assert positions == sorted(positions)
    assert '<p class="place-date">' in text
    assert ".place-date { font-style: italic;" in render_html(sample_document())


def test_html_is_self_contained_escaped_and_marks_illustrative_tables():
    text = render_html(sample_document())
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:|//)", text)
    assert "@import" not in text
    # The only url() are the embedded font faces (ocop_helpers.fontface): data, not addresses.
    assert text.count("url(") == 4
    assert re.findall(r'url\("(data:[^;,"]*;base64),', text) == ["data:font/woff;base64"] * 4
    assert "Tổ chức kinh tế &lt;minh họa&gt;" in text and "<minh họa>" not in text
    assert text.count('<p class="mark">Số liệu minh họa</p>') == 1  # the one illustrative table
    assert 'data-provenance="illustrative"' in text and 'data-provenance="published"' in text
    assert "<svg" in text and "data:image/png" not in text
    assert '<tr class="total"><td>Tổng</td><td class="right">323</td></tr>' in text
    assert "Liberation Serif" in text and "Times New Roman" in text


def test_print_stylesheet_follows_the_decree():
    text = render_html(sample_document())
    assert "size: A4" in text and "margin: 20mm 15mm 20mm 30mm" in text
    assert re.search(r"@top-center \{ content: counter\(page\)", text)
    assert re.search(r"@page :first \{ @top-center \{ content: none; \} \}", text)
    assert "thead { display: table-header-group; }" in text
    assert re.search(r"table\.data tr \{ break-inside: avoid", text)


def test_an_issued_document_has_no_draft_banner_and_two_renders_are_identical():
    issued = sample_document(draft=False)
    text = render_html(issued)
    assert "DỰ THẢO" not in text and "Số: 01/KH-UBND" in text
    assert render_html(issued).encode() == text.encode()
    assert render_html(sample_document()) == render_html(sample_document())


def test_png_mode_uses_the_chart_png():
    text = render_html(sample_document(), images="png")
    assert "data:image/png;base64," in text and "<svg" not in text
    with pytest.raises(ValueError):
        render_html(sample_document(), images="gif")


@pytest.mark.slow
@pytest.mark.browser
@requires_chromium
def test_chromium_prints_a4_pages_numbered_from_page_2_with_no_request_leaving(tmp_path):
    from pypdf import PdfReader

    page_file = tmp_path / "plan.html"
    page_file.write_text(render_html(sample_document()), encoding="utf-8")
    with chromium_context() as context:
        log = block_network(context, (page_file.as_uri(),))
        page = context.new_page()
        page.goto(page_file.as_uri())
        page.wait_for_load_state("load")
        assert page.locator("table.doc-header").count() == 1
        assert page.locator("figure.chart svg rect").count() == 1
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert log.blocked == [], log.blocked
    assert [u for u in log.seen if not u.startswith("file:")] == []
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 4  # body, signature, proposals, the long appendix over two pages
    for p in reader.pages:
        width, height = float(p.mediabox.width), float(p.mediabox.height)
        assert abs(width - 595.3) < 1.5 and abs(height - 841.9) < 1.5  # A4 in points
    first = reader.pages[0].extract_text().splitlines()
    second = reader.pages[1].extract_text().splitlines()
    assert "1" not in [line.strip() for line in first]
    assert "2" in [line.strip() for line in second]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in reader.pages[0].extract_text()
    # The long appendix table repeats its header row on the next page.
    header = LONG.columns[2].header
    assert sum(header in p.extract_text() for p in reader.pages) >= 2


def test_write_documents_renders_everything_before_writing(tmp_path, monkeypatch):
    from ocop_helpers import io as plan_io
    from ocop_helpers import render_pdf

    doc = sample_document()
    written = plan_io.write_documents(doc, tmp_path, formats=("html", "docx"))
    assert written["html"].read_text(encoding="utf-8") == render_html(doc)
    assert written["docx"].read_bytes()[:2] == b"PK"
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def broken(_doc):
        raise render_pdf.PdfError("Pango missing")

    monkeypatch.setattr(render_pdf, "render_pdf", broken)
    with pytest.raises(render_pdf.PdfError):
        plan_io.write_documents(sample_document(draft=False), tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # nothing replaced
    with pytest.raises(ValueError, match="định dạng"):
        plan_io.write_documents(doc, tmp_path, formats=("odt",))

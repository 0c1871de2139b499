"""The HTML renderer: official form, escaping, provenance marks, identical bytes (A4 print in Chromium:
tests/browser/test_html_print_in_chromium.py)."""

from __future__ import annotations

import re

import pytest

from ocop_helpers.render.html import render_html
from tests.support.documents import sample_document


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
    assert "OCOP Serif" in text and "Times New Roman" in text  # the embedded subset of Liberation Serif first


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

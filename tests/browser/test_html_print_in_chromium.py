"""The HTML renderer's page printed by Debian's chromium: A4, numbered from page 2, no request leaving."""

from __future__ import annotations

import io

import pytest

from ocop_helpers.render.html import render_html
from tests.support.browser import block_network, chromium_context, requires_chromium
from tests.support.documents import LONG, sample_document

pytestmark = [pytest.mark.slow, pytest.mark.browser, requires_chromium]


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

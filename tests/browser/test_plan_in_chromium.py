"""The signable plan in a real browser: Debian's chromium, no network at all.

One real build of the default plan per session (``default_build`` in tests/conftest.py), opened from
a file:// URL with every non-file request aborted and recorded. Every chart must have drawn marks,
the document prints to A4 with page numbers, and the figures a leader reads stand in their cells.
Artifacts: test-artifacts/plan-<province>.png (full page) and plan-<province>.pdf (A4 print).
"""

from __future__ import annotations

import io as _io
import re
import unicodedata

import pytest

from ocop_helpers.core import vnformat
from ocop_helpers.document import docmodel
from tests.render.test_fontface import kept_version, pdf_fonts
from tests.support import docfind
from tests.support.browser import artifact, block_network, chromium_context, requires_chromium

pytestmark = [pytest.mark.slow, pytest.mark.browser, requires_chromium]

# Per chart (inline SVG in figure.chart): its size and how many drawn marks it has (Vega's SVG puts
# every mark in a <g class="mark-… role-mark"> group; an empty group or a NaN coordinate draws nothing).
JS_CHARTS = r"""
() => Array.from(document.querySelectorAll('figure.chart')).map(f => {
  const svg = f.querySelector('svg');
  const r = (svg || f).getBoundingClientRect();
  const groups = svg ? Array.from(svg.querySelectorAll('g[class*="role-mark"]')) : [];
  const data = groups.filter(g => !/role-axis|role-legend|role-title|role-frame/.test(g.getAttribute('class')));
  const drawn = data.reduce((n, g) => n + g.querySelectorAll(':scope > path, :scope > rect, :scope > circle, :scope > line, :scope > text, :scope > g').length, 0);
  return {alt: (f.querySelector('[aria-label]') || {}).getAttribute ? f.querySelector('[aria-label]').getAttribute('aria-label') : '',
          width: r.width, height: r.height, drawn, nan: svg ? svg.outerHTML.includes('NaN') : true};
})
"""


@pytest.fixture(scope="module")
def opened_plan(default_build):
    """The plan opened offline in chromium: (page, request log, console messages, build)."""
    with chromium_context() as context:
        requests = block_network(context, ("file://",))
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
        page.goto(default_build.html.as_uri(), wait_until="load", timeout=60_000)
        page.screenshot(path=str(artifact("plan-bac-giang.png")), full_page=True)
        yield page, requests, console, default_build


def test_no_request_leaves_the_machine(opened_plan):
    page, requests, console, _ = opened_plan
    assert requests.blocked == [], requests.blocked
    assert all(u.startswith("file://") for u in requests.seen)
    assert not [c for c in console if c.startswith("error")], console


def test_reads_as_an_official_draft_plan_in_vietnamese(opened_plan):
    page, _, _, _ = opened_plan
    assert page.evaluate("document.documentElement.lang") == "vi"
    text = page.inner_text("body")
    for part in (
        docmodel.DRAFT_LABEL,
        "ỦY BAN NHÂN DÂN",
        "TỈNH BẮC GIANG",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: …/KH-UBND",
        "KẾ HOẠCH",
        "I. MỤC ĐÍCH, YÊU CẦU",
        "II. MỤC TIÊU, CHỈ TIÊU",
        "III. NHIỆM VỤ, GIẢI PHÁP",
        "IV. KINH PHÍ THỰC HIỆN",
        "V. TỔ CHỨC THỰC HIỆN",
        "Nơi nhận:",
        "TM. ỦY BAN NHÂN DÂN",
    ):
        assert part in text, part
    # The plan speaks as of its issue date: the July-2025 adjustment is the successor's own document.
    assert "ĐIỀU CHỈNH THEO SẮP XẾP ĐƠN VỊ HÀNH CHÍNH" not in text and "Bắc Ninh" not in text
    # Words a leader does not use stay out of the document.
    for jargon in ("Gini", "Lorenz", "Talmud", "HiGHS", "Monte Carlo", "P10", "P90", "hạt giống"):
        assert jargon not in text, jargon


def test_published_targets_stand_in_their_cells(opened_plan):
    page, _, _, build = opened_plan
    html = build.html.read_text(encoding="utf-8")
    targets = docfind.table(html, caption="Chỉ tiêu năm 2025")
    assert targets.provenance == "published"
    assert targets.cell("Sản phẩm đánh giá, phân hạng", "Số lượng") == "323"
    assert targets.cell("– Đánh giá lần đầu", "Số lượng") == "237"
    assert targets.cell("– Đánh giá lại", "Số lượng") == "75"
    assert targets.cell("– Nâng hạng sao", "Số lượng") == "11"
    assert targets.cell("Kinh phí thực hiện", "Số lượng") == "khoảng " + vnformat.money(20_900_000_000)
    assert "153" == targets.cell("Tổ chức kinh tế được hỗ trợ quản lý nhãn hiệu, bao bì, tem nhãn", "Số lượng")


def test_illustrative_tables_are_marked_where_they_stand(opened_plan):
    page, _, _, _ = opened_plan
    marked = page.evaluate(
        """() => Array.from(document.querySelectorAll('[data-provenance="illustrative"]'))
             .map(el => el.innerText.includes('Số liệu minh họa'))"""
    )
    assert marked and all(marked), marked


@pytest.fixture(scope="module")
def opened_analysis(opened_plan):
    """The analysis behind the plan (where its charts stand), opened offline in the plan's browser
    (one Playwright session per module: a second would start inside the first's event loop)."""
    plan_page, requests, _, build = opened_plan
    page = plan_page.context.new_page()
    page.goto(build.analysis.as_uri(), wait_until="load", timeout=60_000)
    page.screenshot(path=str(artifact("analysis-bac-giang.png")), full_page=True)
    yield page, requests
    page.close()


def test_every_chart_is_drawn_with_marks(opened_analysis):
    page, requests = opened_analysis
    assert requests.blocked == [], requests.blocked
    charts = page.evaluate(JS_CHARTS)
    assert len(charts) >= 6, charts
    bad = [c for c in charts if c["width"] < 50 or c["height"] < 30 or c["drawn"] == 0 or c["nan"]]
    assert bad == [], bad
    assert all(c["alt"] for c in charts)


def test_prints_to_a4_with_page_numbers_from_page_two(opened_plan):
    from pypdf import PdfReader

    page, _, _, _ = opened_plan
    page.emulate_media(media="print")
    data = page.pdf(prefer_css_page_size=True, print_background=True)
    artifact("plan-bac-giang.pdf").write_bytes(data)
    reader = PdfReader(_io.BytesIO(data))
    assert len(reader.pages) >= 5
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 595.3) < 2 and abs(float(box.height) - 841.9) < 2  # A4 in points
    first = reader.pages[0].extract_text()
    second = reader.pages[1].extract_text()
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in first
    assert not re.match(r"\s*1\s", first), "no page number on the first page"
    assert re.match(r"\s*2\s", second), second[:80]


def test_printed_plan_keeps_its_vietnamese_letters_whole_in_the_embedded_font(opened_plan):
    """The page carries Liberation Serif (ocop_helpers.render.fontface): the PDF Chromium prints copies as
    the text it shows, whatever fonts the machine has (Debian's Liberation Serif 1.07 lacks "Ộ")."""
    from pypdf import PdfReader

    from ocop_helpers.render import fontface

    page, _, _, _ = opened_plan
    loaded = page.evaluate(
        "document.fonts.ready.then(() => Array.from(document.fonts).map(f => f.family + ':' + f.status))"
    )
    assert loaded == [f"{fontface.FAMILY}:loaded"] * 4, loaded
    page.emulate_media(media="print")
    reader = PdfReader(_io.BytesIO(page.pdf(prefer_css_page_size=True, print_background=True)))
    first = reader.pages[0]
    text = unicodedata.normalize("NFC", first.extract_text())
    for words in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "ỦY BAN NHÂN DÂN", "KẾ HOẠCH"):
        assert unicodedata.normalize("NFC", words) in text, (words, text[:400])
    fonts = pdf_fonts(first)
    assert fonts and all(name.startswith("OCOPSerif") for name, _ in fonts), fonts
    assert {version for _, version in fonts} == {kept_version()}, fonts  # the embedded 2.1.5, not the system's
    assert all(any(name.startswith("OCOPSerif") for name, _ in pdf_fonts(p)) for p in reader.pages)

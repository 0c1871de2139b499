"""The PDF renderer (WeasyPrint with the kept Liberation Serif): A4, numbered from page 2, identical bytes."""

from __future__ import annotations

import io

import pytest

from ocop_helpers.document.docmodel import Paragraph
from ocop_helpers.render import pdf as R
from tests.support.documents import LONG, sample_document


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    return R.render_pdf(sample_document())


def test_pdf_pages_are_a4_with_the_header_on_page_1_and_numbers_from_page_2(pdf_bytes):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf_bytes))
    assert len(reader.pages) >= 4
    for p in reader.pages:
        assert abs(float(p.mediabox.width) - 595.3) < 1 and abs(float(p.mediabox.height) - 841.9) < 1
    first = reader.pages[0].extract_text()
    for text in (
        "DỰ THẢO — số liệu minh họa",
        "ỦY BAN NHÂN DÂN",
        "TỈNH MẪU",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "KẾ HOẠCH",
        "I. MỤC ĐÍCH, YÊU CẦU",
    ):
        assert text in first, text
    assert "1" not in [line.strip() for line in first.splitlines()]
    for n, page in enumerate(reader.pages[1:], start=2):
        assert str(n) in [line.strip() for line in page.extract_text().splitlines()], n
    # the long appendix table: header row on each of its pages, "Số liệu minh họa" above it
    pages_with_header = [p for p in reader.pages if LONG.columns[2].header in p.extract_text()]
    assert len(pages_with_header) >= 2
    assert any("Số liệu minh họa" in p.extract_text() for p in pages_with_header)


def test_pdf_embeds_liberation_serif_and_has_no_creation_date(pdf_bytes):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf_bytes))
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert fonts and all("Liberation-Serif" in f for f in fonts), fonts
    assert "/CreationDate" not in (reader.metadata or {})
    images = {
        x.idnum
        for page in reader.pages
        for x in (page["/Resources"].get("/XObject") or {}).values()
        if x.get_object().get("/Subtype") == "/Image"
    }
    assert len(images) == 1  # the chart's PNG (WeasyPrint shares resources between pages)


def test_two_renders_give_identical_bytes(pdf_bytes):
    assert R.render_pdf(sample_document()) == pdf_bytes


def test_no_blank_first_page_for_a_short_document():
    from pypdf import PdfReader

    doc = sample_document()
    short = type(doc)(
        doc.header,
        doc.doc_type,
        doc.summary,
        doc.legal_bases,
        (Paragraph("Một đoạn."),),
        doc.signature,
        doc.recipients,
        draft=False,
    )
    reader = PdfReader(io.BytesIO(R.render_pdf(short)))
    assert len(reader.pages) == 1 and "Nơi nhận:" in reader.pages[0].extract_text()


def test_the_pdf_refuses_any_outside_reference():
    from weasyprint.urls import FatalURLFetchingError

    fetcher = R._fetcher()
    with pytest.raises(FatalURLFetchingError):
        fetcher.fetch("https://example.org/font.ttf")
    with pytest.raises(FatalURLFetchingError):
        fetcher.fetch("file:///etc/passwd")


@pytest.mark.slow
def test_pdf_bytes_do_not_depend_on_the_process(tmp_path, pdf_bytes):
    """Another interpreter with another hash seed writes the same bytes (fonts embedded whole)."""
    import os
    import subprocess
    import sys

    from ocop_helpers.core import paths

    script = "import sys; from tests.support.documents import sample_document; from ocop_helpers.render.pdf import render_pdf; "
    script += "sys.stdout.buffer.write(render_pdf(sample_document()))"
    outputs = []
    for seed in ("1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        done = subprocess.run([sys.executable, "-c", script], cwd=paths.ROOT, env=env, capture_output=True, check=True)
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1] == pdf_bytes

"""artifacts.write_documents: every format rendered before any file is written."""

from __future__ import annotations

import pytest

from ocop_helpers.render.html import render_html
from ocop_helpers.runs import artifacts
from tests.support.documents import sample_document


def test_write_documents_renders_everything_before_writing(tmp_path, monkeypatch):
    from ocop_helpers.render import pdf as render_pdf

    doc = sample_document()
    written = artifacts.write_documents(doc, tmp_path, formats=("html", "docx"))
    assert written["html"].read_text(encoding="utf-8") == render_html(doc)
    assert written["docx"].read_bytes()[:2] == b"PK"
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def broken(_doc):
        raise render_pdf.PdfError("Pango missing")

    monkeypatch.setattr(render_pdf, "render_pdf", broken)
    with pytest.raises(render_pdf.PdfError):
        artifacts.write_documents(sample_document(draft=False), tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # nothing replaced
    with pytest.raises(ValueError, match="định dạng"):
        artifacts.write_documents(doc, tmp_path, formats=("odt",))

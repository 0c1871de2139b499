"""The plan document as PDF: the same HTML as ``render_html``, laid out on A4 by WeasyPrint.

Why WeasyPrint: it is a PyPI package, so ``make plan`` installs it into .venv with no browser and no
extra install step; it implements CSS paged media (page-number boxes in the top margin, none on the
first page, repeated table header rows, rows kept whole), so the PDF and the HTML share one layout.
It needs the Pango libraries of the system (libpango-1.0-0, libpangoft2-1.0-0, both present on a
new machine of this project's kind). Times New Roman cannot be installed here, so the PDF embeds
Liberation Serif (metric-compatible, SIL Open Font License) from ``ocop_helpers/fonts/``.

Reproducible bytes: WeasyPrint writes no creation date unless asked, and the fonts are embedded
whole (``full_fonts``): a subset's glyph order follows Python's per-process hash seed, so subsetting
would make two runs differ. Two renders of the same Document give identical PDF bytes.
"""

from __future__ import annotations

from pathlib import Path

from ocop_helpers.document.docmodel import Document
from ocop_helpers.render.html import render_html

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FAMILY = "Liberation Serif"
FONT_FILES = {
    ("normal", "normal"): "LiberationSerif-Regular.ttf",
    ("bold", "normal"): "LiberationSerif-Bold.ttf",
    ("normal", "italic"): "LiberationSerif-Italic.ttf",
    ("bold", "italic"): "LiberationSerif-BoldItalic.ttf",
}


class PdfError(RuntimeError):
    """The PDF could not be made (missing system library or font file)."""


def font_css() -> str:
    """@font-face rules for the kept Liberation Serif files, and the body font set to it."""
    rules = []
    for (weight, style), name in FONT_FILES.items():
        path = FONTS_DIR / name
        if not path.exists():
            raise PdfError(f"thiếu tệp phông chữ {path} (cài lại gói: pip install -e .)")
        rules.append(
            f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: {weight}; font-style: {style}; '
            f'src: url("{path.as_uri()}"); }}'
        )
    rules.append(f'body, table {{ font-family: "{FONT_FAMILY}", serif; }}')
    rules.append(f'@page {{ @top-center {{ font-family: "{FONT_FAMILY}", serif; }} }}')
    return "\n".join(rules)


def _fetcher():
    """A URL fetcher that reads only the kept font files and data: URLs; anything else stops the PDF."""
    from weasyprint.urls import (  # deferred: WeasyPrint loads Pango and fonts: only when a PDF is rendered
        FatalURLFetchingError,
        URLFetcher,
    )

    allowed = {(FONTS_DIR / name).as_uri() for name in FONT_FILES.values()}

    class LocalOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:") or url in allowed:
                return super().fetch(url, headers)
            raise FatalURLFetchingError(f"tài liệu PDF không được tham chiếu tài nguyên ngoài: {url[:80]}")

    return LocalOnly(allowed_protocols={"file", "data"})


def render_pdf(doc: Document) -> bytes:
    """The document as PDF bytes (A4, decree margins, page numbers centred at the top from page 2)."""
    try:
        import weasyprint  # deferred: WeasyPrint loads Pango and fonts: only when a PDF is rendered
    except OSError as exc:  # the Pango libraries of the system are missing
        raise PdfError(
            "không tạo được PDF: WeasyPrint cần thư viện hệ thống Pango (Debian: apt-get install libpango-1.0-0 "
            f"libpangoft2-1.0-0): {exc}"
        ) from None
    text = render_html(doc, images="png", extra_css=font_css())
    page = weasyprint.HTML(string=text, base_url=FONTS_DIR.as_uri() + "/", url_fetcher=_fetcher())
    return page.write_pdf(full_fonts=True, pdf_identifier=b"ocop-plan", uncompressed_pdf=False)

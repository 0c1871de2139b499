"""The plan page carries its own font: Liberation Serif subset to the page's characters, as data URLs.

Without it Chromium prints the page with the machine's fonts; with Debian's defaults the PDF then
copies as "C Ộ NG HÒA" (the system's Liberation Serif 1.07 has no "Ộ"). The browser test here runs
Chromium with a font configuration that holds DejaVu only (fonts-dejavu-core, what `make test`
installs): the page must print in the embedded Liberation Serif all the same.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import html
import io
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from ocop_helpers.document import docmodel as D
from ocop_helpers.render import fontface
from ocop_helpers.render.html import FONT_STACK, render_html
from tests.support.browser import chromium_context, requires_chromium
from tests.support.documents import sample_document

ROOT = Path(__file__).resolve().parents[2]
# Letters, digits and signs a plan uses, "★" (not in Liberation Serif: the browser takes it elsewhere).
EXTRA = "Ký tự: Ộ ộ ữ Ữ đ Đ ẵ ỹ 0123456789 … – − — “ngoặc” «» № ★"
FACE_RULE = re.compile(
    r'@font-face \{ font-family: "([^"]+)"; font-weight: (\w+); font-style: (\w+); '
    r'src: url\("data:font/woff;base64,([A-Za-z0-9+/=]+)"\) format\("woff"\); \}'
)
DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")


def extra_document() -> D.Document:
    """The sample document with EXTRA as a proposal (its own page, after the signature)."""
    doc = sample_document()
    return dataclasses.replace(doc, proposals=(*doc.proposals, D.Paragraph(EXTRA)))


def faces(page: str) -> dict[tuple[str, str], bytes]:
    """(weight, style) -> the WOFF bytes of every embedded face of ``page``."""
    found = {(w, s): base64.b64decode(data) for family, w, s, data in FACE_RULE.findall(page)}
    assert {family for family, *_ in FACE_RULE.findall(page)} == {fontface.FAMILY}
    return found


def ttfont(data: bytes):
    from fontTools.ttLib import TTFont

    return TTFont(io.BytesIO(data))


def visible_text(page: str) -> str:
    """The characters of the page's body (tags, style and entities removed), NFC."""
    body = page.split("<body", 1)[1]
    return unicodedata.normalize("NFC", html.unescape(re.sub(r"<[^>]*>", "", body)))


def test_the_page_embeds_four_faces_and_names_them_first():
    page = render_html(extra_document())
    assert set(faces(page)) == set(fontface.FACES)
    assert FONT_STACK.startswith(f'"{fontface.FAMILY}",')
    assert f"body {{ font-family: {FONT_STACK};" in page
    assert page.index("@font-face") < page.index("body { font-family")


def test_each_subset_has_every_character_of_the_page_that_the_font_has():
    page = render_html(extra_document())
    text = visible_text(page)
    assert "★" in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    for key, data in faces(page).items():
        original = ttfont((fontface.FONTS_DIR / fontface.FACES[key]).read_bytes()).getBestCmap()
        subset = ttfont(data).getBestCmap()
        wanted = {c for c in text if c.isprintable() and ord(c) in original}
        assert {c for c in wanted if ord(c) not in subset} == set(), key
        assert ord("★") not in original and ord("★") not in subset  # left to the next font of the stack
        assert set(range(0x30, 0x3A)) <= set(subset)  # digits for the page numbers
        assert len(subset) < 250, (key, len(subset))  # the page's characters, not the font's 2 600 glyphs


def test_decomposed_letters_get_their_composed_glyphs_too():
    codepoints = fontface.page_codepoints(unicodedata.normalize("NFD", "Ộ ữ") + "&amp;\t\n")
    assert ord("Ộ") in codepoints and ord("ữ") in codepoints and 0x0323 in codepoints
    assert ord("&") in codepoints and ord("\t") not in codepoints and ord("\n") not in codepoints
    assert list(codepoints) == sorted(set(codepoints))


def test_the_subsets_are_small_and_keep_the_fonts_identity():
    plain = render_html(sample_document(), embed_font=False)
    page = render_html(sample_document())
    assert len(page.encode()) - len(plain.encode()) < 80_000  # four faces, base64 (measured: 61 KB)
    for key, data in faces(page).items():
        assert data[:4] == b"wOFF" and len(data) < 16_000, (key, len(data))  # the full face: 370–390 KB
        kept = ttfont((fontface.FONTS_DIR / fontface.FACES[key]).read_bytes())
        font = ttfont(data)
        # The kept file's date, not the time of the render (fontTools writes the current time by default).
        assert font["head"].modified == kept["head"].modified
        for name_id in (0, 2, 5, 13, 14):  # copyright, style, version, licence
            assert font["name"].getDebugName(name_id) == kept["name"].getDebugName(name_id), (key, name_id)
        for name_id in (1, 6):  # family and PostScript name: renamed (the licence's Reserved Font Name)
            renamed = kept["name"].getDebugName(name_id).replace("Liberation Serif", "OCOP Serif")
            assert font["name"].getDebugName(name_id) == renamed.replace("LiberationSerif", "OCOPSerif")
        assert "fpgm" not in font and "prep" not in font  # no hinting
    assert fontface.LICENSE_FILE.is_file() and "SIL" in fontface.LICENSE_FILE.read_text(encoding="utf-8")


RENDER = """
import hashlib, sys
from ocop_helpers.render.html import render_html
from tests.render.test_fontface import extra_document
sys.stdout.write(hashlib.sha256(render_html(extra_document()).encode()).hexdigest())
"""


def test_same_bytes_in_processes_with_different_hash_seeds():
    digests = set()
    for seed in ("0", "1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", RENDER], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        assert run.returncode == 0, run.stderr
        digests.add(run.stdout.strip())
    here = hashlib.sha256(render_html(extra_document()).encode()).hexdigest()
    assert digests == {here}


def test_the_pdf_renderer_keeps_reading_the_font_files():
    assert "data:font" not in render_html(sample_document(), images="png")
    assert "data:font" in render_html(sample_document(), images="png", embed_font=True)
    assert "@font-face" not in render_html(sample_document(), embed_font=False)


# --------------------------------------------------------------------------------------------
# Printed by Chromium on a machine whose only fonts are DejaVu


def pdf_fonts(page) -> list[tuple[str, str | None]]:
    """(font name without the subset tag, version of the embedded TrueType program) per font of a
    pypdf page; e.g. ('OCOPSerif-Bold', 'Version 2.1.5')."""
    out = []
    for ref in page["/Resources"].get("/Font", {}).values():
        font = ref.get_object()
        name = str(font.get("/BaseFont", "")).lstrip("/").split("+", 1)[-1]
        version = None
        for descendant in font.get("/DescendantFonts", []):
            descriptor = descendant.get_object().get("/FontDescriptor")
            program = descriptor.get_object().get("/FontFile2") if descriptor else None
            if program is not None:
                embedded = ttfont(program.get_object().get_data())
                version = embedded["name"].getDebugName(5) if "name" in embedded else None
        out.append((name, version))
    return out


def kept_version() -> str:
    return ttfont((fontface.FONTS_DIR / fontface.FACES["normal", "normal"]).read_bytes())["name"].getDebugName(5)


def print_to_pdf(page_file: Path, **context_options) -> bytes:
    """``page_file`` opened in headless Chromium, every web font loaded, printed (A4 from the CSS)."""
    with chromium_context(**context_options) as context:
        page = context.new_page()
        page.goto(page_file.as_uri(), wait_until="load")
        loaded = page.evaluate(
            "document.fonts.ready.then(() => Array.from(document.fonts).map(f => f.family + ':' + f.status))"
        )
        assert loaded == [f"{fontface.FAMILY}:loaded"] * 4, loaded
        page.emulate_media(media="print")
        return page.pdf(prefer_css_page_size=True, print_background=True)


@pytest.mark.slow
@pytest.mark.browser
@requires_chromium
def test_chromium_with_only_dejavu_prints_the_embedded_liberation_serif(tmp_path):
    from pypdf import PdfReader

    assert DEJAVU_DIR.is_dir(), f"{DEJAVU_DIR} missing: apt-get install fonts-dejavu-core (make sysdeps)"
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        f"<fontconfig><dir>{DEJAVU_DIR}</dir><cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    page_file = tmp_path / "plan.html"
    page_file.write_text(render_html(extra_document()), encoding="utf-8")
    pdf = print_to_pdf(page_file, env={**os.environ, "FONTCONFIG_FILE": str(conf)})
    reader = PdfReader(io.BytesIO(pdf))
    first = reader.pages[0]
    text = unicodedata.normalize("NFC", first.extract_text())
    assert unicodedata.normalize("NFC", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") in text, text[:300]
    assert "C Ộ NG" not in text
    fonts = pdf_fonts(first)
    assert {name for name, _ in fonts} == {"OCOPSerif", "OCOPSerif-Bold", "OCOPSerif-Italic"}
    assert {version for _, version in fonts} == {kept_version()}  # the kept 2.1.5, not a system font
    # The page with the extra characters: Liberation Serif's letters whole, "★" from DejaVu.
    extra_page = next(p for p in reader.pages if "Ký tự" in p.extract_text())
    extra_text = unicodedata.normalize("NFC", extra_page.extract_text())
    for word in ("Ộ ộ ữ Ữ đ Đ ẵ ỹ", "0123456789", "… – − —", "“ngoặc”", "★"):
        assert word in extra_text, (word, extra_text)
    assert "DejaVuSans" in {name for name, _ in pdf_fonts(extra_page)}


def test_subsets_do_not_carry_the_reserved_font_name():
    """SIL OFL 1.1, condition 3: a Modified Version (a subset) may not use the Reserved Font Name
    'Liberation'; the licence and copyright records stay."""
    from fontTools.ttLib import TTFont

    for name in fontface.FACES.values():
        font = TTFont(io.BytesIO(fontface.subset_font(name, fontface.page_codepoints("CỘNG HÒA"))))
        records = {r.nameID: r.toUnicode() for r in font["name"].names}
        for i in fontface.RENAMED_IDS:
            assert "Liberation" not in records.get(i, ""), (name, i, records.get(i))
        assert records[1].startswith("OCOP Serif")
        assert "Red Hat" in records[0] and "Open Font License" in records[13]

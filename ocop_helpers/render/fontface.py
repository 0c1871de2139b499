"""Liberation Serif carried inside an HTML page: ``@font-face`` rules with ``data:`` URLs.

The subsets are renamed "OCOP Serif" ("Liberation" is a Reserved Font Name of the licence, and a
subset is a modified font); the version, copyright and licence records are kept.

A page that only names its fonts is printed with whatever the reader's machine has. With Debian's
default fonts Chromium takes the system's Liberation Serif 1.07 (no Vietnamese letters) and fills in
"Ộ" from another font, so the PDF it prints copies as "C Ộ NG HÒA". The plan page therefore embeds
the kept Liberation Serif 2.1.5 files (``ocop_helpers/render/fonts/``, SIL Open Font License 1.1), each of
the four faces subset to the characters the page uses, as WOFF (zlib: standard library only).

The bytes are the same in every run and every process: the code points are sorted, the subsetting
options are fixed, the fonts keep the timestamps of the kept files (fontTools would otherwise write
the current time into ``head.modified``), and fontTools keeps the original glyph order. Subsets are
cached per face and character set, so rendering the same document again costs nothing.

Characters the font lacks (e.g. "★") are left out of the subset; the browser takes them from the next
family of the font stack.
"""

from __future__ import annotations

import base64
import functools
import html
import io
import unicodedata
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
FAMILY = "OCOP Serif"
# "Liberation" is a Reserved Font Name under the SIL OFL 1.1 (see the licence file): a subset is a
# Modified Version, so the subsets are renamed (family, full and PostScript names); the copyright,
# licence, version and vendor records stay as they are.
RESERVED = ("Liberation Serif", "LiberationSerif")
RENAMED = ("OCOP Serif", "OCOPSerif")
RENAMED_IDS = (1, 3, 4, 6, 16, 17, 18, 21, 22)
# (font-weight, font-style) -> file in FONTS_DIR
FACES = {
    ("normal", "normal"): "LiberationSerif-Regular.ttf",
    ("bold", "normal"): "LiberationSerif-Bold.ttf",
    ("normal", "italic"): "LiberationSerif-Italic.ttf",
    ("bold", "italic"): "LiberationSerif-BoldItalic.ttf",
}
LICENSE_FILE = FONTS_DIR / "LICENSE-LiberationFonts.txt"
# Printable ASCII is always in: page numbers (CSS counters) and any Latin text the page may gain.
ALWAYS = frozenset(range(0x20, 0x7F))


class FontError(RuntimeError):
    """A kept font file is missing or unreadable."""


def page_codepoints(text: str) -> tuple[int, ...]:
    """The sorted code points a page needs: every character of ``text`` (entities decoded), also in
    its NFC and NFD forms (a browser composes or decomposes Vietnamese letters to match the font),
    and printable ASCII; control characters are left out."""
    decoded = html.unescape(text)
    chars = set(decoded) | set(unicodedata.normalize("NFC", decoded)) | set(unicodedata.normalize("NFD", decoded))
    return tuple(sorted(ALWAYS | {ord(c) for c in chars if ord(c) >= 0x20 and not 0x7F <= ord(c) < 0xA0}))


@functools.cache
def _font_file(name: str) -> bytes:
    path = FONTS_DIR / name
    try:
        return path.read_bytes()
    except OSError as exc:
        raise FontError(f"thiếu tệp phông chữ {path} (cài lại gói: pip install -e .): {exc}") from None


def _options():

    options = subset.Options()
    options.flavor = "woff"
    options.hinting = False  # screen and print need no TrueType instructions; about half the size
    options.drop_tables = [*options.drop_tables, "FFTM"]  # FontForge's timestamps
    options.recalc_timestamp = False  # keep the kept file's head.modified, not the current time
    # Every name record stays (fontTools' default): copyright, trademark, licence and its URL.
    return options


@functools.lru_cache(maxsize=32)
def subset_font(name: str, codepoints: tuple[int, ...]) -> bytes:
    """The kept font file ``name`` reduced to ``codepoints`` (those it has), as WOFF bytes."""

    font = TTFont(io.BytesIO(_font_file(name)), recalcTimestamp=False)
    subsetter = subset.Subsetter(_options())
    subsetter.populate(unicodes=sorted(codepoints))
    subsetter.subset(font)
    _rename(font)
    font.flavor = "woff"
    out = io.BytesIO()
    font.save(out, reorderTables=True)
    return out.getvalue()


def _rename(font: TTFont) -> None:
    """Replace the Reserved Font Name in the subset's name records (OFL 1.1, condition 3)."""
    for record in font["name"].names:
        if record.nameID in RENAMED_IDS:
            text = record.toUnicode()
            for old, new in zip(RESERVED, RENAMED, strict=True):
                text = text.replace(old, new)
            record.string = text


def font_face_css(text: str) -> str:
    """``@font-face`` rules for the four faces of Liberation Serif, each a ``data:`` URL of the face
    subset to the characters of ``text`` (the page)."""
    codepoints = page_codepoints(text)
    rules = []
    for (weight, style), name in FACES.items():
        data = base64.b64encode(subset_font(name, codepoints)).decode("ascii")
        rules.append(
            f'@font-face {{ font-family: "{FAMILY}"; font-weight: {weight}; font-style: {style}; '
            f'src: url("data:font/woff;base64,{data}") format("woff"); }}'
        )
    return "\n".join(rules) + "\n"

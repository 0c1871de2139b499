"""The Word file reads as an official's: Heading styles restyled to the decree, language vi-VN,
properties from the document and no tool named, the signature kept with the end of the body, the
addressee line under the title."""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile

import pytest

from ocop_helpers.document import docmodel as D
from ocop_helpers.render.docx import render_docx
from tests.support.documents import TARGETS, sample_document

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def docx_bytes() -> bytes:
    return render_docx(dataclasses.replace(sample_document(), addressee="Kính gửi: Ủy ban nhân dân tỉnh Mẫu"))


@pytest.fixture(scope="module")
def word(docx_bytes):
    import docx

    return docx.Document(io.BytesIO(docx_bytes))


def _parts(docx_bytes: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_headings_use_word_heading_styles_restyled_to_the_decree(word):
    from docx.oxml.ns import qn

    styled = {p.text: p.style.name for p in word.paragraphs if p.style.name.startswith("Heading")}
    assert styled["I. MỤC ĐÍCH, YÊU CẦU"] == "Heading 1"
    assert styled["III. KINH PHÍ THỰC HIỆN"] == "Heading 1"
    for level in (1, 2, 3):
        style = word.styles[f"Heading {level}"]
        assert style.font.name == "Times New Roman" and style.font.size.pt == 14
        fonts = style.element.rPr.find(qn("w:rFonts"))
        assert {fonts.get(qn(f"w:{a}")) for a in ("ascii", "hAnsi", "eastAsia", "cs")} == {"Times New Roman"}
        assert not any("Theme" in k or "theme" in k for k in fonts.attrib)
        color = style.element.rPr.find(qn("w:color"))
        assert color.get(qn("w:val")) == "000000" and color.get(qn("w:themeColor")) is None
        assert style.font.bold is True and bool(style.font.italic) == (level == 3)
        assert style.paragraph_format.keep_with_next is True


def test_levels_two_and_three_get_their_own_styles():
    doc = dataclasses.replace(
        sample_document(),
        body=(D.Heading(1, "PHẦN", "I."), D.Heading(2, "Mục", "1."), D.Heading(3, "Tiểu mục", "1.1."), TARGETS),
    )
    import docx

    word = docx.Document(io.BytesIO(render_docx(doc)))
    styles = {p.text: p.style.name for p in word.paragraphs}
    assert styles["I. PHẦN"] == "Heading 1" and styles["1. Mục"] == "Heading 2"
    assert styles["1.1. Tiểu mục"] == "Heading 3"


def test_language_is_vietnamese_in_the_defaults_the_normal_style_and_the_properties(docx_bytes, word):
    parts = _parts(docx_bytes)
    styles = parts["word/styles.xml"].decode()
    defaults = re.search(r"<w:rPrDefault>.*?</w:rPrDefault>", styles).group(0)
    assert 'w:lang w:val="vi-VN"' in defaults
    normal = re.search(r'<w:style [^>]*w:styleId="Normal".*?</w:style>', styles).group(0)
    assert 'w:lang w:val="vi-VN"' in normal
    assert b"en-US" not in b"".join(v for k, v in parts.items() if k.startswith("word/") and k.endswith(".xml"))
    assert word.core_properties.language == "vi-VN"


def test_properties_come_from_the_document_and_name_no_tool(docx_bytes, word):
    props = word.core_properties
    assert props.title == "KẾ HOẠCH Triển khai Chương trình mỗi xã một sản phẩm (OCOP) năm 2027"
    assert props.author == "Tỉnh Mẫu"
    assert props.comments == "" and props.last_modified_by in ("", "Tỉnh Mẫu")
    parts = _parts(docx_bytes)
    props_xml = b"".join(v for k, v in parts.items() if k.startswith("docProps/"))
    for tool in (b"python", b"docx", b"Microsoft", b"Word", b"openpyxl", b"Application", b"AppVersion"):
        assert tool not in props_xml, tool
    assert not any("thumbnail" in k for k in parts)


def test_the_signature_block_is_kept_with_the_last_paragraph_of_the_body(word):
    from docx.oxml.ns import qn

    body = list(word.element.body.iterchildren())
    signature = next(i for i, e in enumerate(body) if e.tag == f"{W}tbl" and "Nơi nhận:" in "".join(e.itertext()))
    before = body[signature - 1]
    assert before.tag == f"{W}p"
    assert before.pPr is not None and before.pPr.keepNext_val is True
    last_text = next(e for e in reversed(body[:signature]) if "".join(e.itertext()).strip())
    assert "Đoạn văn dài để kéo tài liệu sang trang sau." in "".join(last_text.itertext())
    assert last_text.pPr.keepNext_val is True
    rows = body[signature].findall(qn("w:tr"))
    assert rows and all(r.find(qn("w:trPr")).find(qn("w:cantSplit")) is not None for r in rows)


def test_a_body_ending_with_a_table_keeps_its_last_row_with_the_signature():
    import docx

    doc = dataclasses.replace(sample_document(), body=(D.Heading(1, "PHẦN", "I."), TARGETS))
    word = docx.Document(io.BytesIO(render_docx(doc)))
    table = next(t for t in word.tables if t.rows[0].cells[0].text == TARGETS.columns[0].header)
    assert all(p.paragraph_format.keep_with_next for c in table.rows[-1].cells for p in c.paragraphs)


def test_the_addressee_is_centred_under_the_title(word):
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    texts = [p.text for p in word.paragraphs]
    at = texts.index("Kính gửi: Ủy ban nhân dân tỉnh Mẫu")
    assert texts.index("Triển khai Chương trình mỗi xã một sản phẩm (OCOP) năm 2027") < at
    assert at < next(i for i, t in enumerate(texts) if t.startswith("Căn cứ"))
    assert word.paragraphs[at].alignment == WD_ALIGN_PARAGRAPH.CENTER


def test_no_addressee_line_without_an_addressee():
    import docx

    word = docx.Document(io.BytesIO(render_docx(sample_document())))
    assert not any(p.text.startswith("Kính gửi") for p in word.paragraphs)

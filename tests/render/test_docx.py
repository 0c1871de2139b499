"""The DOCX renderer read back with python-docx: A4, margins, Times New Roman, header, signature, tables."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from ocop_helpers.render.docx import render_docx
from tests.support.documents import LONG, TARGETS, sample_document


@pytest.fixture(scope="module")
def docx_bytes() -> bytes:
    return render_docx(sample_document())


@pytest.fixture(scope="module")
def word(docx_bytes):
    import docx

    return docx.Document(io.BytesIO(docx_bytes))


def test_page_is_a4_with_the_decree_margins_and_a_different_first_page(word):
    s = word.sections[0]
    assert round(s.page_width.mm) == 210 and round(s.page_height.mm) == 297
    assert [round(m.mm) for m in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)] == [20, 20, 30, 15]
    assert s.different_first_page_header_footer
    header_xml = s.header._element.xml
    assert "PAGE" in header_xml and 'w:fldCharType="begin"' in header_xml
    assert "PAGE" not in s.first_page_header._element.xml


def test_times_new_roman_is_named_for_every_script(word):
    from docx.oxml.ns import qn

    normal = word.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size.pt == 14
    fonts = normal.element.rPr.find(qn("w:rFonts"))
    assert {fonts.get(qn(f"w:{a}")) for a in ("ascii", "hAnsi", "eastAsia", "cs")} == {"Times New Roman"}


def test_header_title_bases_signature_and_sections_are_present(word):
    header = word.tables[0]
    left, right = header.rows[0].cells
    assert [p.text for p in left.paragraphs if p.text] == ["ỦY BAN NHÂN DÂN", "TỈNH MẪU", "Số: …/KH-UBND"]
    assert [p.text for p in right.paragraphs if p.text][:3] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Mẫu, ngày … tháng … năm 2027",
    ]
    assert any(r.italic for p in right.paragraphs for r in p.runs if p.text.startswith("Mẫu, ngày"))
    texts = [p.text for p in word.paragraphs]
    assert texts[0] == "DỰ THẢO — số liệu minh họa"
    for expected in ("KẾ HOẠCH", "I. MỤC ĐÍCH, YÊU CẦU", "ĐỀ XUẤT, KIẾN NGHỊ", "PHỤ LỤC I", "Số liệu minh họa"):
        assert expected in texts, expected
    assert texts.index("I. MỤC ĐÍCH, YÊU CẦU") < texts.index("ĐỀ XUẤT, KIẾN NGHỊ") < texts.index("PHỤ LỤC I")
    part = word.paragraphs[texts.index("I. MỤC ĐÍCH, YÊU CẦU")]
    assert '<w:outlineLvl w:val="0"/>' in part._p.xml
    signature = next(t for t in word.tables if "Nơi nhận:" in t.rows[0].cells[0].text)
    left, right = signature.rows[0].cells
    assert "- Lưu: VT." in left.text
    assert [p.text for p in right.paragraphs if p.text] == [
        "TM. ỦY BAN NHÂN DÂN",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Nguyễn Văn Mẫu",
    ]


def test_table_cells_are_the_given_strings_with_a_repeated_header_row(word):
    targets = next(t for t in word.tables if t.rows[0].cells[0].text == TARGETS.columns[0].header)
    assert [[c.text for c in r.cells] for r in targets.rows[1:]] == [list(r) for r in TARGETS.rows]
    assert all(run.bold for run in targets.rows[-1].cells[0].paragraphs[0].runs)  # the total row
    long = next(t for t in word.tables if t.rows[0].cells[1].text == LONG.columns[1].header)
    assert long.cell(90, 2).text == LONG.rows[89][2]
    first_row = long.rows[0]._tr.xml
    assert "w:tblHeader" in first_row and "w:cantSplit" in first_row
    assert "w:cantSplit" in long.rows[5]._tr.xml


def test_the_chart_png_is_embedded(docx_bytes):
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as z:
        assert any(n.startswith("word/media/") and n.endswith(".png") for n in z.namelist())


def test_two_renders_give_identical_bytes_and_no_build_time(docx_bytes, word):
    time.sleep(1.1)  # a zip entry holds time to two seconds; the core properties to one
    assert render_docx(sample_document()) == docx_bytes
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert word.core_properties.created.date().isoformat() == "2027-01-15"
    assert word.core_properties.modified == word.core_properties.created


# WordprocessingML (ECMA-376) order of the children of w:pPr and w:tblPr: Word refuses a file whose
# properties are out of order, even where LibreOffice and python-docx read it.
PPR_ORDER = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd tabs "
    "suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi "
    "adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection "
    "textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"
).split()
TBLPR_ORDER = (
    "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc tblCellSpacing "
    "tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption tblDescription"
).split()


def test_paragraph_and_table_properties_are_in_schema_order(docx_bytes):
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    ns = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
    checked = 0
    for tag, order in (("pPr", PPR_ORDER), ("tblPr", TBLPR_ORDER)):
        for props in root.iter(f"{{{ns['w']}}}{tag}"):
            names = [etree.QName(child).localname for child in props]
            assert all(n in order for n in names), names
            assert names == sorted(names, key=order.index), names
            checked += 1
    assert checked > 50


def test_docx_bytes_do_not_depend_on_the_process(docx_bytes):
    """Another interpreter with another hash seed writes the same bytes."""
    import os
    import subprocess
    import sys

    from ocop_helpers.core import paths

    script = "import sys; from tests.support.documents import sample_document; from ocop_helpers.render.docx import render_docx; "
    script += "sys.stdout.buffer.write(render_docx(sample_document()))"
    env = dict(os.environ, PYTHONHASHSEED="4242")
    done = subprocess.run([sys.executable, "-c", script], cwd=paths.ROOT, env=env, capture_output=True, check=True)
    assert done.stdout == docx_bytes

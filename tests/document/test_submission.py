"""The covering submission (Tờ trình): the decisions of the plan, each with its options, the figures
of the ledger and the reason of the recommendation, in the form of a department's submission."""

from __future__ import annotations

import dataclasses
import html
import re

import pytest

from ocop_helpers.document import docmodel, submission
from ocop_helpers.inputs import loading
from ocop_helpers.model import compute
from ocop_helpers.model.figures import ledger_of
from ocop_helpers.model.params import Params
from ocop_helpers.render import html as render_html
from tests.support.plans import DEFAULT_PLAN

FAST = {"draws": 1000}
STATISTICS_WORDS = (
    "p10",
    "p50",
    "p90",
    "khoảng dao động",
    "mức giữa",
    "lượt mô phỏng",
    "mô phỏng",
    "monte carlo",
    "điểm %",
    "xác suất",
    "phân vị",
    "trung vị",
    "độ lệch chuẩn",
)
# What may carry digits outside a ledger figure: dates, document numbers and years, star names, the
# numbering of parts and items.
ALLOWED_NUMBERS = (
    r"ngày \d{1,2} tháng \d{1,2} năm \d{4}",
    r"\b\d{1,2}/\d{1,2}/\d{4}\b",
    r"\b\d+/\d{4}/[\wĐđ-]+",
    r"\b\d+/[A-ZĐ][\wĐđ-]*",
    r"giai đoạn \d{4} - \d{4}",
    r"năm \d{4}",
    r"\b\d sao\b",
)
FIG_SPAN = re.compile(r'<span class="fig" data-fig="([^"]+)">([^<]*)</span>')


def numbers_outside_figures(page: str, ledger) -> list[str]:
    """Check every figure span against the ledger; return what digits remain outside them."""
    for fid, shown in FIG_SPAN.findall(page):
        assert html.unescape(shown) == ledger[html.unescape(fid)].shown, fid
    body = page.split("<body", 1)[1]
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<svg.*?</svg>", " ", body, flags=re.S)
    body = FIG_SPAN.sub(" ", body)
    lines = [html.unescape(x) for x in re.sub(r"<[^>]+>", "\n", body).splitlines()]
    left = []
    for line in lines:
        text = re.sub(r"^\s*(\d+|[IVX]+)\.\s", " ", line)
        for pattern in ALLOWED_NUMBERS:
            text = re.sub(pattern, " ", text, flags=re.IGNORECASE)
        left += re.findall(r"[^\s]*\d[^\s]*", text)
    return left


def items(doc: docmodel.Document) -> dict[str, list[str]]:
    """Part II's items: title -> the plain text of its blocks."""
    out: dict[str, list[str]] = {}
    current = None
    for b in doc.body:
        if isinstance(b, docmodel.Heading):
            current = b.text if b.level == 2 and current is not False else None
            if b.level == 1 and b.text == "KIẾN NGHỊ":
                current = False
            if current:
                out[current] = []
        elif current and isinstance(b, docmodel.Paragraph):
            out[current].append(docmodel.plain(b.text))
    return out


def visible(page: str) -> str:
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


@pytest.fixture(scope="module")
def results():
    return compute.compute(loading.load_plan(DEFAULT_PLAN), Params(FAST))


@pytest.fixture(scope="module")
def doc(results):
    return submission.compose_submission(results)


@pytest.fixture(scope="module")
def page(doc):
    return render_html.render_html(doc)


def test_the_form_of_a_departments_submission(doc):
    assert doc.doc_type == "TỜ TRÌNH"
    assert doc.header.parent_body == "UBND TỈNH BẮC GIANG"
    assert doc.header.issuing_body == "SỞ NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN"  # lead body on 1/1/2025
    assert doc.header.number_line == "Số: …/TTr-SNNPTNT"
    assert doc.header.place_date == "Bắc Giang, ngày … tháng … năm 2025"
    assert doc.summary == "Về việc ban hành Kế hoạch triển khai Chương trình mỗi xã một sản phẩm (OCOP) năm 2025"
    assert doc.addressee == "Kính gửi: Ủy ban nhân dân tỉnh Bắc Giang."
    assert doc.legal_bases and all(b.startswith("Căn cứ") for b in doc.legal_bases)
    parts = [b.label for b in doc.body if isinstance(b, docmodel.Heading) and b.level == 1]
    assert parts == ["I. NỘI DUNG CHÍNH CỦA DỰ THẢO KẾ HOẠCH", "II. CÁC NỘI DUNG ĐỀ NGHỊ QUYẾT ĐỊNH", "III. KIẾN NGHỊ"]
    assert doc.signature.lines == ("GIÁM ĐỐC",)
    assert docmodel.recipient_lines(doc.recipients)[0] == "- Như trên;"
    assert docmodel.recipient_lines(doc.recipients)[-1].startswith("- Lưu: VT")
    assert doc.draft, "the options rest on illustrative requests: a draft"
    assert not doc.proposals and not doc.appendices


def test_abbreviations_of_the_lead_department():
    assert submission.abbreviation("Sở Nông nghiệp và Phát triển nông thôn") == "SNNPTNT"
    assert submission.abbreviation("Sở Nông nghiệp và Môi trường") == "SNNMT"


def test_each_decision_has_two_to_four_options_a_recommendation_and_its_reason(doc, results):
    found = items(doc)
    kinds = [d.kind for d in results.decisions]
    assert "calendar" in kinds, "the default plan has the reorganisation's calendar decision"
    # ... which belongs to the successor's document, not to this Tờ trình
    assert list(found) == [
        submission.TITLES["allocation_rule"],
        submission.TITLES["branding_envelope"],
        submission.TITLES["late_reevaluations"],
    ]
    for title, texts in found.items():
        options = [t for t in texts if re.match(r"Phương án [A-D] – ", t)]
        assert 2 <= len(options) <= 4, (title, options)
        assert sum(t.startswith("Vấn đề cần quyết định: ") and t.endswith("?") for t in texts) == 1, title
        assert any(t.startswith("Tiêu chí so sánh: ") for t in texts), title
        chosen = [t for t in texts if t.startswith("Đề xuất: chọn Phương án ")]
        assert len(chosen) == 1 and ", vì " in chosen[0], chosen
        assert any(t.startswith("Các phương án dưới đây tính trên danh sách") for t in texts), title
    kiến_nghị = [docmodel.plain(b.text) for b in doc.body if isinstance(b, docmodel.Paragraph) and b.style == "bullet"]
    for title in found:
        assert any(t.startswith(f"{title}: chọn Phương án ") for t in kiến_nghị), title


def test_the_recommended_rule_is_explained_by_the_criteria_shown(doc, results):
    d = next(x for x in results.decisions if x.kind == "allocation_rule")
    o = d.options.set_index("option")
    assert o.loc[d.recommended, "not_funded"] == o["not_funded"].min()
    text = " ".join(items(doc)[submission.TITLES["allocation_rule"]])
    assert "không để tổ chức nào có đề nghị mà không được hỗ trợ" in text
    assert "trong các cách đó đáp ứng cao nhất theo thứ tự ưu tiên" in text
    assert "Thứ tự ưu tiên: một tổ chức kinh tế được xếp trước khi" in text


def test_every_number_is_a_figure_of_the_ledger(page, results):
    assert FIG_SPAN.search(page)
    assert numbers_outside_figures(page, ledger_of(results)) == []


def test_no_statistics_words_no_raw_priority_score_no_other_province(page):
    text = visible(page).lower()
    for word in STATISTICS_WORDS:
        assert word not in text, word
    assert not re.search(r"\d+,\d{4,}", text), "a raw score (4,142857)"
    assert "bắc ninh" not in text


def test_what_the_law_fixes_is_marked_where_an_option_touches_it(doc):
    for title, texts in items(doc).items():
        options = " ".join(t for t in texts if t.startswith("Phương án "))
        fixed = [t for t in texts if t.startswith("Không thay đổi được: ")]
        if "dự toán thưởng" in options or "tổng kinh phí" in options:
            assert fixed, title
        if "dự toán thưởng còn" in options:  # an option that cuts the reward line says who pays
            assert "nếu số sản phẩm đạt vượt dự toán, ngân sách tỉnh bổ sung theo Nghị quyết số 67/2023" in options
            assert any("Nghị quyết số 67/2023/NQ-HĐND" in t for t in fixed)
        if "tổng kinh phí Kế hoạch tăng" in options:
            assert any("tổng kinh phí Kế hoạch đã công bố" in t for t in fixed)


def test_the_late_reevaluations_have_real_options(doc):
    texts = items(doc)[submission.TITLES["late_reevaluations"]]
    options = [t for t in texts if t.startswith("Phương án ")]
    assert any("đưa lên đợt sớm hơn" in t for t in options)
    assert any("tổ chức thêm đợt đánh giá khi đủ hồ sơ" in t for t in options)
    assert any("giữ lịch và thông báo cho tổ chức kinh tế" in t for t in options)


def test_a_capacity_only_calendar_decision_offers_the_extra_round():
    plan = loading.load_plan(DEFAULT_PLAN.parent.parent / "bac-ninh" / "2026")
    r = compute.compute(plan, Params({**FAST, "products_per_session": 5}))
    doc = submission.compose_submission(r)
    texts = items(doc)[submission.TITLES["calendar"]]
    options = [t for t in texts if re.match(r"Phương án [A-D] – ", t)]
    assert len(options) == 3
    assert any("tổ chức thêm đợt đánh giá khi đủ hồ sơ" in t for t in options)
    assert numbers_outside_figures(render_html.render_html(doc), ledger_of(r)) == []


def test_nothing_to_decide_gives_no_submission(results):
    assert submission.compose_submission(dataclasses.replace(results, decisions=())) is None


def test_the_comparison_sentence_goes_to_the_submission(results):
    doc = submission.compose_submission(results, "Đã so sánh các phương án của kế hoạch.")
    assert any(
        isinstance(b, docmodel.Paragraph) and "Đã so sánh các phương án của kế hoạch." in b.text for b in doc.body
    )

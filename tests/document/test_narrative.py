"""Vietnamese narrative computed from the numbers."""

from __future__ import annotations

import pandas as pd

from ocop_helpers.document.narrative import (
    calendar_paragraph,
    evaluation_paragraph,
    expiry_paragraph,
    sector_paragraph,
    stock_paragraph,
    unit_paragraph,
)
from ocop_helpers.domain.calendar import evaluation_calendar
from ocop_helpers.domain.stock import expiry_by_year, expiry_pipeline, project_stock
from ocop_helpers.domain.targets import by_sector, by_unit, load_concentration, stream_summary, thin_sectors
from tests.support import frames
from tests.support.frames import TERMS


def _rules() -> pd.DataFrame:
    return frames.authority_rules(frames.RULES_148 + frames.RULES_1489)


def _units() -> pd.DataFrame:
    return frames.units(
        [
            ("p", "D1", "Huyện 1", "huyen", "district", "2020-01-01", "2025-06-30"),
            ("p", "D2", "Huyện 2", "huyen", "district", "2020-01-01", "2025-06-30"),
            ("p", "X1", "Xã 1", "xa", "commune", "2025-07-01", None),
        ]
    )


def _rounds(rows: list[tuple[int, str, str]]) -> pd.DataFrame:
    return frames.rounds(rows)


def _products(rows: list[tuple[str, str, str, int, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["product_id", "unit_id", "stream", "target_star", "planned_round"])


STRADDLING = [
    (1, "district", "2025-06-15"),
    (1, "province", "2025-07-10"),
    (2, "district", "2025-10-15"),
    (2, "province", "2025-10-30"),
]


def _stream_products(new: int, reev: int, up: int) -> pd.DataFrame:
    streams = ["new"] * new + ["reevaluation"] * reev + ["upgrade"] * up
    return pd.DataFrame({"product_id": [f"p{i}" for i in range(len(streams))], "stream": streams})


def test_evaluation_paragraph_published_figures() -> None:
    table = stream_summary(_stream_products(237, 75, 11), {"new": 237, "reevaluation": 75, "upgrade": 11, "total": 323})
    text = evaluation_paragraph(table, 2025)
    assert text.startswith(
        "Năm 2025 toàn tỉnh có 323 sản phẩm tham gia đánh giá, phân hạng "
        "(237 sản phẩm đánh giá lần đầu, chiếm 73,4%; 75 sản phẩm đánh giá lại, chiếm 23,2%; "
        "11 sản phẩm nâng hạng sao, chiếm 3,4%)."
    )
    assert "khớp với chỉ tiêu kế hoạch (323 sản phẩm)" in text


def test_evaluation_paragraph_follows_the_numbers() -> None:
    table = stream_summary(
        _stream_products(1200, 10, 0), {"new": 1000, "reevaluation": 10, "upgrade": 5, "total": 1015}
    )
    text = evaluation_paragraph(table, 2026, scope="toàn tỉnh")
    assert "1.210 sản phẩm" in text
    assert "nâng hạng" not in text.split("So với")[0]
    assert "nhiều hơn 195 sản phẩm" in text and "đánh giá lần đầu +200" in text and "nâng hạng sao −5" in text
    empty = evaluation_paragraph(stream_summary(_stream_products(0, 0, 0), {}), 2027)
    assert "chưa có sản phẩm nào" in empty


def test_unit_and_sector_paragraphs() -> None:
    products = pd.DataFrame(
        {"unit_id": ["A", "A", "B"], "stream": ["new", "new", "upgrade"], "product_code": ["I.1.a", "I.1.a", "II.1.a"]}
    )
    units = pd.DataFrame({"unit_id": ["A", "B", "C"], "unit_name": ["Huyện A", "Huyện B", "Huyện C"]})
    table = by_unit(products, units)
    text = unit_paragraph(table, load_concentration(table, top=2))
    assert "Huyện A (2 sản phẩm) và Huyện B (1 sản phẩm)" in text and "100,0%" in text
    assert "1 đơn vị chưa có sản phẩm tham gia đánh giá: Huyện C." in text
    codes = pd.DataFrame(
        {
            "code": ["I.1.a", "II.1.a", "V.1"],
            "sector": ["I", "II", "V"],
            "sector_name": ["Thực phẩm", "Đồ uống", "Sinh vật cảnh"],
            "group_name": ["x", "y", "z"],
            "subgroup_name": ["a", "b", None],
        }
    )
    sectors = by_sector(products, codes)
    text = sector_paragraph(sectors, thin_sectors(sectors, 0.4))
    assert "Bộ sản phẩm Thực phẩm có nhiều sản phẩm nhất (2 sản phẩm, chiếm 66,7%)" in text
    assert "Sinh vật cảnh (0) và Đồ uống (1)" in text


def _history() -> pd.DataFrame:
    return pd.DataFrame({"date": pd.to_datetime(["2024-12-31"]), "total": pd.array([385], dtype="Int64")})


def test_stock_paragraph_changes_with_pass_rate() -> None:
    products = _stream_products(100, 20, 5)
    products["certificate_date"] = pd.NaT
    products.loc[products["stream"] == "reevaluation", "certificate_date"] = pd.Timestamp("2022-06-01")
    high = stock_paragraph(
        project_stock(
            products, _history(), 2025, 425, {"new": 0.8, "reevaluation": 1.0}, validity_months=TERMS["validity_months"]
        )
    )
    low = stock_paragraph(
        project_stock(
            products, _history(), 2025, 425, {"new": 0.3, "reevaluation": 0.5}, validity_months=TERMS["validity_months"]
        )
    )
    assert "Đến 31/12/2024, toàn tỉnh có 385 sản phẩm" in high
    assert "khoảng 80 sản phẩm được công nhận mới" in high
    assert "khoảng 465 sản phẩm OCOP, đạt chỉ tiêu 425 sản phẩm (vượt khoảng 40 sản phẩm)" in high
    assert "thấp hơn chỉ tiêu 425 sản phẩm khoảng 20 sản phẩm" in low
    assert "cần ít nhất 50 sản phẩm được công nhận mới" in low
    assert "tương đương 167 sản phẩm đánh giá lần đầu với tỷ lệ đạt 30,0%" in low
    assert "từ 50,0% trở lên" in low
    impossible = stock_paragraph(
        project_stock(
            products, _history(), 2025, 600, {"new": 0.3, "reevaluation": 0.5}, validity_months=TERMS["validity_months"]
        )
    )
    assert "không thể đạt chỉ tiêu" in impossible
    assert high != low


def test_stock_paragraph_mentions_expired_certificates() -> None:
    products = pd.DataFrame({"stream": ["reevaluation"], "certificate_date": pd.to_datetime(["2021-01-01"])})
    text = stock_paragraph(
        project_stock(
            products, _history(), 2025, 300, {"new": 1.0, "reevaluation": 1.0}, validity_months=TERMS["validity_months"]
        )
    )
    assert "1 sản phẩm đánh giá lại có giấy chứng nhận đã hết hạn trước năm 2025" in text


def test_calendar_paragraph_as_filed_and_rerouted() -> None:
    products = _products(
        [("p1", "D1", "new", 3, 1), ("p2", "D1", "new", 3, 1), ("p3", "D2", "new", 3, 2), ("p4", "D2", "new", 4, 2)]
    )
    rounds = _rounds(STRADDLING)
    filed = evaluation_calendar(
        products, rounds, _rules(), _units(), "p", as_of="2025-07-01", products_per_session=1, sessions_per_round=1
    )
    text = calendar_paragraph(filed.rounds, {"D1": "Huyện 1"})
    assert text.startswith("Kế hoạch có 4 đợt đánh giá (2 đợt cấp huyện và 2 đợt cấp tỉnh).")
    assert (
        "Đợt 2 cấp huyện (hạn 15/10/2025) có 2 sản phẩm nhưng đến thời hạn này không còn đơn vị hành chính cấp huyện"
        in text
    )
    assert "vượt năng lực hội đồng (1 sản phẩm/hội đồng) tại: Huyện 1" in text
    assert "Đã quá thời hạn: đợt 1 cấp huyện (hạn 15/6/2025)." in text
    moved = evaluation_calendar(products, rounds, _rules(), _units(), "p", routing="rerouted")
    text = calendar_paragraph(moved.rounds, routing="rerouted")
    assert "Đợt 2 cấp huyện (hạn 15/10/2025) không tổ chức vì" in text
    assert "Phương án điều chuyển: 1 sản phẩm chuyển sang đợt 2 cấp tỉnh (hạn 30/10/2025)." in text


def test_calendar_paragraph_all_clear() -> None:
    rounds = _rounds([(1, "province", "2026-06-30")])
    cal = evaluation_calendar(_products([("a", "X1", "new", 3, 1)]), rounds, _rules(), _units(), "p")
    assert "Tất cả các đợt đều do cấp có thẩm quyền tổ chức" in calendar_paragraph(cal.rounds)


def test_expiry_paragraph() -> None:
    products = pd.DataFrame(
        {
            "product_id": ["a", "b", "c"],
            "stream": ["reevaluation"] * 3,
            "certificate_date": pd.to_datetime(["2021-06-01", "2022-09-01", "2023-09-01"]),
        }
    )
    rounds = pd.DataFrame({"round": [1], "level": ["province"], "deadline": pd.to_datetime(["2025-07-10"])})
    table = expiry_by_year(
        expiry_pipeline(products, rounds, 2025, **TERMS), 2025, validity_months=TERMS["validity_months"]
    )
    text = expiry_paragraph(table, 2025, share_not_reevaluated=0.5, validity_months=TERMS["validity_months"])
    assert "năm 2025: 2 sản phẩm; năm 2026: 1 sản phẩm; năm 2027: 0 sản phẩm" in text
    assert "1 sản phẩm có giấy chứng nhận đã hết hạn trước năm 2025" in text
    assert "Nếu 50,0% số sản phẩm đến hạn không được đánh giá lại, trong 3 năm sẽ mất khoảng 2 sản phẩm" in text


def test_calendar_paragraph_mentions_unscheduled_steps() -> None:
    products = _products([("a", "D1", "new", 5, 1), ("b", "D2", "new", 3, 2)])
    rounds = _rounds([(1, "district", "2025-06-15"), (1, "province", "2025-07-10"), (2, "district", "2025-10-15")])
    cal = evaluation_calendar(products, rounds, _rules(), _units(), "p", routing="rerouted")
    text = calendar_paragraph(cal.rounds, routing=cal.routing, unscheduled=cal.unscheduled)
    assert "1 sản phẩm hướng tới 5 sao, nếu đủ điểm, được đề nghị lên hội đồng Trung ương" in text
    assert "1 sản phẩm cần đánh giá ở cấp tỉnh nhưng kế hoạch không có đợt phù hợp." in text

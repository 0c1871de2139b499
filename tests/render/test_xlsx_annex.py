"""xlsx.write_annex streams rows (linear time): N and 10·N rows give the same sheets, headers, formats,
frozen header and filter; data text never becomes a formula. (No timing here: see bench_scale.)"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

from ocop_helpers.document.annex import Sheet
from ocop_helpers.render import xlsx

HEADERS = {
    "name": "Tên chủ thể",
    "amount": "Số tiền (đồng)",
    "share": "Tỷ lệ",
    "count": "Số sản phẩm",
    "score": "Điểm",
    "day": "Ngày cấp",
}
FORMATS = {"amount": "money", "share": "share", "count": "int", "score": "float", "day": "date"}
HOSTILE = ['=HYPERLINK("http://x","y")', "+84 Chè", "-1+2", "@SUM(A1)", "Bình thường"]


def sheets(n: int) -> list[Sheet]:
    rng = np.random.default_rng(n)
    frame = pd.DataFrame(
        {
            "name": [HOSTILE[i % len(HOSTILE)] for i in range(n)],
            "amount": rng.integers(0, 10**9, n).astype(np.int64),
            "share": rng.random(n),
            "count": pd.array([None if i % 7 == 0 else i for i in range(n)], dtype="Int64"),
            "score": rng.random(n) * 100,
            "day": pd.to_datetime([dt.date(2020, 1, 1) + dt.timedelta(days=i % 900) for i in range(n)]),
            "unused": 0,  # not in the headers: not written
        }
    )
    summary = pd.DataFrame({"name": ["Tổng"], "amount": [int(frame["amount"].sum())]})
    return [
        Sheet("Danh sách chủ thể theo đơn vị hành chính (dài hơn 31 ký tự)", frame, HEADERS, FORMATS),
        Sheet("Tổng", summary, {"name": "Nội dung", "amount": "Số tiền (đồng)"}, {"amount": "money"}),
    ]


def layout(path: Path) -> dict:
    book = openpyxl.load_workbook(path)
    out = {}
    for ws in book.worksheets:
        header = [c.value for c in ws[2]]  # row 1: the "(Kèm theo Kế hoạch …)" line
        third = list(ws.iter_rows(min_row=4, max_row=4))[0] if ws.max_row >= 4 else list(ws[3])
        out[ws.title] = {
            "header": header,
            "bold": all(c.font.b for c in ws[2]),
            "fill": {c.fill.fgColor.rgb for c in ws[2]},
            "formats": [c.number_format for c in third],
            "freeze": ws.freeze_panes,
            "filter_columns": ws.auto_filter.ref.split(":")[1].rstrip("0123456789") if ws.auto_filter.ref else None,
            "width_columns": sorted(ws.column_dimensions),  # widths follow the first 200 values
        }
    return out


def test_n_and_ten_n_rows_give_the_same_workbook_layout(tmp_path: Path) -> None:
    small, large = tmp_path / "small.xlsx", tmp_path / "large.xlsx"
    xlsx.write_annex(small, sheets(50))
    xlsx.write_annex(large, sheets(500))
    a, b = layout(small), layout(large)
    assert list(a) == list(b) == ["Danh sách chủ thể theo đơn vị h", "Tổng"]
    assert a == b
    first = a["Danh sách chủ thể theo đơn vị h"]
    assert first["header"] == list(HEADERS.values()) and first["bold"] and first["freeze"] == "A3"
    assert first["formats"] == ["General", "#,##0", "0.0%", "#,##0", "#,##0.0", "dd/mm/yyyy"]
    book = openpyxl.load_workbook(large)
    ws = book.worksheets[0]
    assert ws.max_row == 502 and ws.max_column == len(HEADERS)
    assert ws.auto_filter.ref == "A2:F502"


def test_values_round_trip_and_text_is_never_a_formula(tmp_path: Path) -> None:
    data = sheets(40)
    path = xlsx.write_annex(tmp_path / "a.xlsx", data)
    ws = openpyxl.load_workbook(path).worksheets[0]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    frame = data[0].frame
    assert [r[0] for r in rows] == frame["name"].tolist()
    assert [r[1] for r in rows] == frame["amount"].tolist()
    assert [r[3] for r in rows] == [None if pd.isna(v) else int(v) for v in frame["count"]]
    assert [r[5].date() for r in rows] == [d.date() for d in frame["day"]]
    texts = [c for row in ws.iter_rows(min_row=3, max_col=1) for c in row]
    assert {c.value[:1] for c in texts} >= {"=", "+", "-", "@"}
    assert all(c.data_type == "s" for c in texts)


def test_an_empty_sheet_keeps_its_header(tmp_path: Path) -> None:
    empty = Sheet("Trống", pd.DataFrame({"name": pd.Series([], dtype="str")}), {"name": "Tên"})
    ws = openpyxl.load_workbook(xlsx.write_annex(tmp_path / "e.xlsx", [empty])).worksheets[0]
    assert [c.value for c in ws[2]] == ["Tên"] and ws.max_row == 2 and ws.freeze_panes == "A3"

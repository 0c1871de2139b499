"""Vietnamese number, money and date formatting for documents (20,9 tỷ đồng; 1.234; 15/6/2025)."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd


def number(value: float | int, decimals: int = 0) -> str:
    """Format with '.' as thousands separator and ',' as decimal mark: 1234567.5 -> '1.234.567,5'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def percent(share: float, decimals: int = 1) -> str:
    """A share in [0, 1] as a Vietnamese percentage: 0.733 -> '73,3%'."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    return f"{number(share * 100, decimals)}%"


def money(vnd: int | float, unit: str = "auto", decimals: int = 1) -> str:
    """Money in đồng, the way Vietnamese documents write it.

    ``unit``: 'tỷ', 'triệu', 'đồng' or 'auto' (tỷ from one billion, triệu from one million).
    20_900_000_000 -> '20,9 tỷ đồng'; 150_000_000 -> '150 triệu đồng'. Trailing ',0' is dropped.
    """
    if vnd is None or (isinstance(vnd, float) and math.isnan(vnd)):
        return "–"
    auto = unit == "auto"
    if auto:
        unit = "tỷ" if abs(vnd) >= 1e9 else "triệu" if abs(vnd) >= 1e6 else "đồng"
        if unit == "triệu" and round(abs(vnd) / 1e6, decimals) >= 1000:
            unit = "tỷ"  # 999.950.000 is "1 tỷ", not "1.000 triệu"
    scale = {"tỷ": 1e9, "triệu": 1e6, "đồng": 1}[unit]
    if unit == "đồng":
        return f"{number(round(vnd))} đồng"
    if auto and abs(vnd) / scale < 10:
        decimals = max(decimals, 2)  # 1,02 tỷ rather than 1 tỷ; trailing zeros are dropped below
    text = number(vnd / scale, decimals)
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    return f"{text} {unit} đồng"


def date(value: dt.date | pd.Timestamp | str | None) -> str:
    """A date the Vietnamese way, without leading zeros: 2025-06-15 -> '15/6/2025'."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return "–"
    ts = pd.Timestamp(value)
    return f"{ts.day}/{ts.month}/{ts.year}"


def document_date(value: dt.date | pd.Timestamp | str | None, year: int | None = None) -> str:
    """A date in words as administrative documents write it (Nghị định 30/2020/NĐ-CP).

    Days below 10 and months 1–2 take a leading zero: 2025-02-09 -> 'ngày 09 tháng 02 năm 2025';
    2023-12-13 -> 'ngày 13 tháng 12 năm 2023'. ``None`` leaves the clerk's blanks:
    'ngày … tháng … năm 2025' (``year`` given) or 'ngày … tháng … năm …'.
    """
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return f"ngày … tháng … năm {year if year is not None else '…'}"
    ts = pd.Timestamp(value)
    month = f"{ts.month:02d}" if ts.month <= 2 else str(ts.month)
    return f"ngày {ts.day:02d} tháng {month} năm {ts.year}"

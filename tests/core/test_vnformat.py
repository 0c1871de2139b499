"""Vietnamese number, money and date formats."""

import datetime as dt

import pytest

from ocop_helpers.core import vnformat


@pytest.mark.parametrize(
    "vnd,text",
    [
        (20_900_000_000, "20,9 tỷ đồng"),
        (20_000_000_000, "20 tỷ đồng"),
        (150_000_000, "150 triệu đồng"),
        (8_890_000_000, "8,89 tỷ đồng"),
        (2_500_000, "2,5 triệu đồng"),
        (999, "999 đồng"),
    ],
)
def test_money(vnd, text):
    assert vnformat.money(vnd) == text


def test_numbers_percent_dates():
    assert vnformat.number(1234567) == "1.234.567"
    assert vnformat.number(1234.56, 1) == "1.234,6"
    assert vnformat.percent(0.7337) == "73,4%"
    assert vnformat.date(dt.date(2025, 6, 15)) == "15/6/2025"
    assert vnformat.money(20_900_000_000, unit="triệu") == "20.900 triệu đồng"


@pytest.mark.parametrize(
    "vnd,text",
    [
        (999_950_000, "1 tỷ đồng"),
        (1_020_000_000, "1,02 tỷ đồng"),
        (5_200_000_000, "5,2 tỷ đồng"),
        (6_654_531_000, "6,65 tỷ đồng"),
        (70_800_000, "70,8 triệu đồng"),
        (-4_500_000_000, "-4,5 tỷ đồng"),
    ],
)
def test_money_edge_cases(vnd, text):
    assert vnformat.money(vnd) == text


def test_document_date_has_leading_zeros_for_days_below_10_and_months_1_2():
    assert vnformat.document_date(dt.date(2025, 2, 9)) == "ngày 09 tháng 02 năm 2025"
    assert vnformat.document_date(dt.date(2023, 12, 13)) == "ngày 13 tháng 12 năm 2023"
    assert vnformat.document_date(dt.date(2025, 7, 6)) == "ngày 06 tháng 7 năm 2025"
    assert vnformat.document_date(None, 2025) == "ngày … tháng … năm 2025"

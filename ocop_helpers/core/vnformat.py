"""Vietnamese number, money and date formatting for documents (20,9 tỷ đồng; 1.234; 15/6/2025)."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import Context, Decimal, localcontext

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


SOURCE_CODES = re.compile(r"\s*\[S\d+\](?:\s*-\s*\[S\d+\])*")


def without_source_codes(text: str) -> str:
    """A citation as a reader sees it: without the bibliography codes ("[S39]", "[S52]-[S59]")."""
    return SOURCE_CODES.sub("", text).strip() if "[S" in text else text


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


# ---------------------------------------------------------------- parsing what planners type
# The inverse of the formatters above: Vietnamese writes ',' for decimals and '.' for thousands.
# Results are exact (Decimal arithmetic, integer đồng); anything ambiguous is refused with the forms
# that are accepted, never guessed.

MONEY_UNITS: dict[str, int] = {"đồng": 1, "triệu": 10**6, "tỷ": 10**9}
# Words a typed amount may carry, by the scale they name (nghìn is a word only, never a field's unit).
_SCALES: dict[str, int] = {**MONEY_UNITS, "nghìn": 10**3}
_UNIT_WORDS: dict[str, str] = {
    "tỷ": "tỷ",
    "tỉ": "tỷ",
    "ty": "tỷ",
    "triệu": "triệu",
    "trieu": "triệu",
    "tr": "triệu",
    "đồng": "đồng",
    "dong": "đồng",
    "đ": "đồng",
    "vnd": "đồng",
    "vnđ": "đồng",
    "nghìn": "nghìn",
    "nghin": "nghìn",
    "ngàn": "nghìn",
}
_MONEY_RE = re.compile(
    r"(?P<sign>[-+]?)\s*(?P<number>[0-9][0-9.,_\s]*?)\s*(?P<unit>[^\W\d_]+\.?)?(?:\s+(?:đồng|dong|đ))?",
    flags=re.IGNORECASE,
)


def _money_forms(unit: str) -> str:
    field = {"đồng": "đồng", "triệu": "triệu đồng", "tỷ": "tỷ đồng"}[unit]
    return (
        f"viết theo một trong các dạng: '1,5 tỷ', '20,9 tỷ đồng', '500 triệu', '1.234.567' (đồng), "
        f"'1234567' (đồng), hoặc một số như '1,5' tính theo đơn vị của ô này ({field})"
    )


def parse_money(text: str, unit: str = "đồng", *, words: bool = True) -> int:
    """Money typed by a planner -> integer đồng, exactly; raise ValueError (Vietnamese) otherwise.

    The one money parser: widgets, scenario files, ``--set`` and ``--sweep`` (``18tỷ``, ``18,5tỷ``,
    ``500triệu``) and, with ``words=False``, the data files' money columns.

    ``unit`` is the field's unit ('đồng', 'triệu' or 'tỷ'), used when the text has no unit word.
    Accepted: '1,5 tỷ', '20,9 tỷ đồng', '500 triệu', '1.000 triệu' (with its unit word, as
    :func:`money` writes it), '1.234.567' and '1234567' (đồng), '1 500 000' or '1_500_000' (đồng),
    '5 nghìn', '1,5' in a field whose unit is tỷ. A bare '1.5' or '1.500' in a triệu/tỷ field could be a
    decimal point or a thousands separator: refused as ambiguous, like '1.5 tỷ' and anything not
    whole đồng.

    ``words=False`` is what a data file holds: whole đồng in digits only ('20900000000',
    '20.900.000.000', '1 500 000', or a spreadsheet's whole float '150000000.0'), no unit word and no
    decimal comma.
    """
    if unit not in MONEY_UNITS:
        raise ValueError(f"đơn vị tiền phải là một trong: {', '.join(MONEY_UNITS)}")
    t = unicodedata.normalize("NFC", str(text)).strip().replace("\u00a0", " ").replace("\u202f", " ")
    m = _MONEY_RE.fullmatch(t)
    word = (m.group("unit") or "").lower().rstrip(".") if m else ""
    if not m or (word and word not in _UNIT_WORDS) or (word and not words):
        raise ValueError(f"'{text}' không phải số tiền; {_money_forms(unit)}")
    scale_name = _UNIT_WORDS[word] if word else unit
    number = m.group("number").strip()
    if scale_name == "đồng":
        if re.fullmatch(r"[0-9]+", number):
            digits = number
        elif re.fullmatch(r"[0-9]{1,3}([._\s][0-9]{3})+" if words else r"[0-9]{1,3}([.\s][0-9]{3})+", number):
            digits = re.sub(r"[._\s]", "", number)
        elif not words and re.fullmatch(r"[0-9]+\.0+", number):  # a whole number a spreadsheet wrote as float
            digits = number.split(".")[0]
        else:
            raise ValueError(
                f"'{text}' không phải số đồng nguyên (số nguyên, dấu chấm ngăn cách hàng nghìn); {_money_forms(unit)}"
            )
        value = Decimal(digits)
    else:
        grouped = re.fullmatch(r"[0-9]{1,3}(\.[0-9]{3})+(,[0-9]+)?", number)
        if "." in number and not (word and grouped):
            # Without a unit word, '1.500' in a tỷ field may be 1,5 or 1500; with one, '1.500 triệu' is
            # what the formatter writes (thousands) but '1.5 tỷ' is still the English decimal point.
            raise ValueError(
                f"'{text}' không rõ nghĩa: dấu chấm có thể là dấu thập phân hoặc phân cách hàng nghìn; "
                + _money_forms(unit)
            )
        number = number.replace(".", "")
        if not re.fullmatch(r"[0-9]+(,[0-9]+)?", number):
            raise ValueError(f"'{text}' không phải số tiền; {_money_forms(unit)}")
        with localcontext(Context(prec=len(number) + 20)):  # exact: never rounds a long fraction away
            value = Decimal(number.replace(",", ".")) * _SCALES[scale_name]
    if m.group("sign") == "-":
        value = -value
    if value != value.to_integral_value():
        raise ValueError(f"'{text}' không phải số đồng nguyên (quá nhiều chữ số thập phân); {_money_forms(unit)}")
    return int(value)


def parse_share(text: str) -> float:
    """A share typed by a planner -> a float in [0, 1]: '40%', '40,5 %', '0,4' or '0.4'.

    A number above 1 without '%' ('40') is refused rather than read as a percentage.
    """
    t = unicodedata.normalize("NFC", str(text)).strip().replace("\u00a0", " ")
    m = re.fullmatch(r"([0-9]+(?:[.,][0-9]+)?)\s*(%?)", t)
    expected = "một tỷ lệ từ 0 đến 1 (ví dụ 0,4 hoặc 0.4) hoặc phần trăm có dấu % (ví dụ 40%)"
    if not m:
        raise ValueError(f"'{text}' không phải tỷ lệ; cần {expected}")
    value = Decimal(m.group(1).replace(",", "."))
    if m.group(2):
        value /= 100
    if not 0 <= value <= 1:
        raise ValueError(f"'{text}' nằm ngoài khoảng; cần {expected}")
    return float(value)


def parse_number(text: str, integer: bool = False) -> float | int:
    """A plain number typed by a planner -> a float (or int with ``integer``); raise ValueError (Vietnamese).

    The comma is the decimal mark and the dot (or a space) groups thousands: '0,5', '1.000', '10 000',
    '1.234,5', '-2'. A dot that does not group thousands ('1.5', '0.25') is refused as ambiguous rather
    than read either way. With ``integer`` a decimal part is refused ('1,5' is not a whole number).
    """
    t = unicodedata.normalize("NFC", str(text)).strip().replace("\u00a0", " ").replace("\u202f", " ")
    kind = "số nguyên" if integer else "số"
    example = "'10.000' hoặc '10000'" if integer else "'0,5', '1,25' hoặc '1.000'"
    m = re.fullmatch(r"([-+]?)\s*([0-9]{1,3}(?:[. ][0-9]{3})+|[0-9]+)(?:,([0-9]+))?", t)
    if not m:
        if re.fullmatch(r"[-+]?\s*[0-9]+\.[0-9]+", t):
            raise ValueError(
                f"'{text}' không rõ nghĩa: dấu chấm ngăn cách hàng nghìn (1.000), phần thập phân viết sau "
                f"dấu phẩy (ví dụ {t.replace('.', ',')})"
            )
        raise ValueError(f"'{text}' không phải {kind}; viết ví dụ {example}")
    sign, whole, fraction = m.groups()
    if integer and fraction and fraction.strip("0"):
        raise ValueError(f"'{text}' không phải {kind}; viết ví dụ {example}")
    digits = re.sub(r"[. ]", "", whole) + (f".{fraction}" if fraction else "")
    value = Decimal(sign + digits)
    return int(value) if integer else float(value)


def number_text(value: float | int, decimals: int = 0) -> str:
    """A number as :func:`parse_number` reads it back exactly: at least ``decimals`` decimals, more if
    the value has them (0.2 -> '0,20' with 2; 1.25 -> '1,25' with 1; 10000 -> '10.000')."""
    exact = Decimal(repr(float(value))) if isinstance(value, float) else Decimal(int(value))
    places = max(decimals, -exact.normalize().as_tuple().exponent if exact != exact.to_integral() else 0)
    return number(float(exact) if places else int(exact), places)

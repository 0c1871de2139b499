"""The Lab's controls and their values: what a control shows for a parameter, and back.

A :class:`Control` describes the control of one parameter (its label and how it shows the value).
Every value is typed and shown the Vietnamese way (decimal comma, dot thousands), read by the one
parser of its kind: money in a text box whose unit (tỷ or triệu đồng) is in its label ("1,5",
"1,5 tỷ", "500 triệu", "1.234.567" đồng; a bare "1.5" is refused as ambiguous); shares as "40%",
"45 %", "0,4" or "0.4"; plain numbers as "0,5", "1.000", "10 000" (all
:mod:`ocop_helpers.core.vnformat`); dates as "15/6/2025" (:func:`ocop_helpers.inputs.schema.parse_date`).
A number outside the parameter's range is refused with the range in the message, never clamped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ocop_helpers.core import vnformat
from ocop_helpers.inputs import schema
from ocop_helpers.model.params import specs
from ocop_helpers.runs import scenarios


@dataclass(frozen=True)
class Control:
    """A control for one parameter.

    ``display``: 'percent' (a share typed as '40%', '0,4' or '0.4'), 'billion' / 'million' (money
    typed in tỷ / triệu đồng), 'int' and 'float' (a number typed, with a slider over
    ``minimum``–``maximum`` moving by ``step``), 'int_text' (a whole number typed), 'date' (typed
    dd/mm/yyyy; ``minimum``–``maximum`` are the years allowed), 'choice', 'bool'. ``decimals``: the
    fewest decimals a number shows ('0,20'). ``options`` are (label, value) pairs for choices.
    ``fallback`` is what the control shows when the parameter is None ("from the plan"): showing it
    unchanged keeps the parameter None. ``help``: the hover text when the registry's help names
    internal codes (else the registry's help is shown).
    """

    name: str
    label: str
    display: str
    minimum: float = 0
    maximum: float = 100
    step: float = 1
    options: tuple[tuple[str, Any], ...] = field(default_factory=tuple)
    fallback: Any = None
    decimals: int = 0
    help: str = ""


MONEY_UNIT = {"billion": "tỷ", "million": "triệu"}
TEXT_DISPLAYS = ("percent", "billion", "million")
NUMBER_DISPLAYS = ("int", "float", "int_text")
SLIDER_DISPLAYS = ("int", "float")


def bounds(control: Control) -> tuple[float | None, float | None]:
    """The smallest and largest value a number control accepts (the registry's range)."""
    if control.display in SLIDER_DISPLAYS:
        return control.minimum, control.maximum
    spec = specs()[control.name]
    return spec.minimum, spec.maximum


def tooltip(control: Control) -> str:
    """The control's hover help in Vietnamese: what the parameter means and how to type it."""
    text = control.help or specs()[control.name].help
    if control.display in NUMBER_DISPLAYS:
        low, high = bounds(control)
        whole = control.display != "float"
        text += f". Gõ {'số nguyên' if whole else 'số, dấu phẩy thập phân'}"
        if low is not None and high is not None:
            text += f", từ {vnformat.number_text(low)} đến {vnformat.number_text(high)}"
        if control.display in SLIDER_DISPLAYS:
            text += f"; thanh trượt bước {vnformat.number_text(control.step)}"
    elif control.display == "date":
        text += f". Gõ ngày/tháng/năm, ví dụ 15/6/{control.maximum:.0f}"
    elif control.display == "percent":
        text += ". Gõ 40%, 45 % hoặc 0,4"
    elif control.display in MONEY_UNIT:
        text += f". Gõ số {MONEY_UNIT[control.display]} đồng (vd. 1,5) hoặc kèm đơn vị (4,5 tỷ; 500 triệu)"
    return text


def _decimal_text(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def to_widget_value(control: Control, value: Any) -> Any:
    """The parameter's value as the control shows it (0.85 -> '85%'; 5_200_000_000 -> '5,2' in tỷ)."""
    if value is None:
        value = control.fallback
    if control.display == "percent":
        return "" if value is None else scenarios.share_text(value)
    if control.display in MONEY_UNIT:
        if value is None:
            return ""
        return _decimal_text(Decimal(int(value)) / vnformat_scale(control.display))
    if control.display in NUMBER_DISPLAYS:
        return "" if value is None else vnformat.number_text(value, control.decimals)
    if control.display == "date":
        return "" if value is None else f"{value:%d/%m/%Y}"
    return value


def vnformat_scale(display: str) -> int:
    """đồng per unit of a money control."""
    return {"billion": 10**9, "million": 10**6}[display]


def from_widget_value(control: Control, shown: Any) -> Any:
    """The control's value as the parameter ('85%' -> 0.85; '5,2' in tỷ -> 5_200_000_000 đồng).

    Raises ValueError with a Vietnamese reason (and the accepted forms) for text it cannot read.
    An empty money or share box, or the plan's own value shown unchanged, means "from the plan" (None)
    for a parameter that may be empty.
    """
    spec = specs()[control.name]
    if control.display in TEXT_DISPLAYS:
        text = str(shown or "").strip()
        if text == "":
            if spec.nullable:
                return None
            raise ValueError("không được để trống")
        if control.display == "percent":
            value = vnformat.parse_share(text)
        else:
            # '1.234.567' (two or more dot groups) can only be đồng; the parser reads bare numbers in
            # the box's unit and refuses any dot there, so say which unit this form is in.
            unit = "đồng" if re.fullmatch(r"[0-9]{1,3}(\.[0-9]{3}){2,}", text) else MONEY_UNIT[control.display]
            value = vnformat.parse_money(text, unit)
        if spec.nullable and control.fallback is not None and value == control.fallback:
            return None
        return value
    if control.display in NUMBER_DISPLAYS:
        number = vnformat.parse_number(str(shown or "").strip(), integer=control.display != "float")
        low, high = bounds(control)
        if (low is not None and number < low) or (high is not None and number > high):
            span = f"từ {vnformat.number_text(low or 0)} đến {vnformat.number_text(high)}" if high is not None else ""
            raise ValueError(f"'{shown}' nằm ngoài khoảng cho phép ({span or f'không nhỏ hơn {low:g}'})")
        return number
    if control.display == "date":
        text = str(shown or "").strip()
        if text == "":
            if spec.nullable:
                return None
            raise ValueError("không được để trống")
        try:
            day = schema.parse_date(text).date()
        except ValueError as exc:
            raise ValueError(f"'{text}' không đọc được; cần {exc}") from None
        if not control.minimum <= day.year <= control.maximum:
            raise ValueError(
                f"'{text}' nằm ngoài khoảng cho phép (từ 1/1/{control.minimum:.0f} đến 31/12/{control.maximum:.0f})"
            )
        if spec.nullable and control.fallback is not None and day == control.fallback:
            return None
        return day
    return shown


def scenario_values(values: dict[str, Any], name: str) -> dict[str, Any]:
    """What a saved scenario file holds: the scenario's name and the values that differ from the
    base, written the way the file writes them (money and shares as Vietnamese text)."""
    out: dict[str, Any] = {"scenario": scenarios.slug(name) or name}
    for k, (_, v) in scenarios.differences(values).items():
        out[k] = scenarios.file_value(k, v)
    return out

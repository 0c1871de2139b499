"""The Lab's controls and their values: what a control shows for a parameter, and back.

A :class:`Control` describes the control of one parameter (its label and how it shows the value).
Money is typed the Vietnamese way in a text box whose unit (tỷ or triệu đồng) is in its label
("1,5", "1,5 tỷ", "500 triệu", "1.234.567" đồng; a bare "1.5" is refused as ambiguous); shares as
"40%", "0,4" or "0.4" (both parsed by :mod:`ocop_helpers.core.vnformat`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ocop_helpers.core import vnformat
from ocop_helpers.model.params import specs
from ocop_helpers.runs import scenarios


@dataclass(frozen=True)
class Control:
    """A control for one parameter.

    ``display``: 'percent' (a share typed as '40%', '0,4' or '0.4'), 'billion' / 'million' (money
    typed in tỷ / triệu đồng), 'int' and 'float' (sliders over ``minimum``–``maximum``),
    'int_text' (a whole number typed), 'choice', 'bool'. ``options`` are (label, value) pairs for
    choices. ``fallback`` is what the control shows when the parameter is None ("from the plan"):
    showing it unchanged keeps the parameter None.
    """

    name: str
    label: str
    display: str
    minimum: float = 0
    maximum: float = 100
    step: float = 1
    options: tuple[tuple[str, Any], ...] = field(default_factory=tuple)
    fallback: Any = None


MONEY_UNIT = {"billion": "tỷ", "million": "triệu"}
TEXT_DISPLAYS = ("percent", "billion", "million")


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
    return shown


def scenario_values(values: dict[str, Any], name: str) -> dict[str, Any]:
    """What a saved scenario file holds: the scenario's name and the values that differ from the
    base, written the way the file writes them (money and shares as Vietnamese text)."""
    out: dict[str, Any] = {"scenario": scenarios.slug(name) or name}
    for k, (_, v) in scenarios.differences(values).items():
        out[k] = scenarios.file_value(k, v)
    return out

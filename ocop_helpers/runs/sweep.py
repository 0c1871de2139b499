"""Sweeps of parameters: ``envelope_vnd=18tỷ..24tỷ/7`` (a range, both ends included), ``rule=priority,
proportional,optimum`` (a list) or ``draws=2000`` (one value); several sweeps give their product.

Names and values go through the parameter registry (:mod:`ocop_helpers.model.params`), so a sweep can only
ask for what a scenario file could hold. Money accepts Vietnamese units: ``18tỷ``, ``18,5 tỷ``,
``500triệu``, ``18.000.000.000`` (the one money parser, :func:`ocop_helpers.core.vnformat.parse_money`).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ocop_helpers.model.params import ParamError, Spec, coerce, specs
from ocop_helpers.runs.scenarios import shown_value

# Parameters that name the run rather than change a figure: a sweep over them makes no sense.
NOT_SWEEPABLE = ("province", "year", "plan_dir", "scenario", "interactive", "results_path")
MAX_POINTS = 10_000


class SweepError(ParamError):
    """A sweep the command line cannot use; the message says what was expected."""


@dataclass(frozen=True)
class Sweep:
    """One swept parameter and its values (already checked against the registry)."""

    name: str
    values: tuple[Any, ...]
    is_range: bool = False

    @property
    def spec(self) -> Spec:
        return specs()[self.name]


def _value(spec: Spec, text: str) -> Any:
    """One swept value, checked by the registry (money with Vietnamese units, read by the registry through
    :func:`ocop_helpers.core.vnformat.parse_money`, as ``--set`` and scenario files are)."""
    raw: Any = text.strip()
    if spec.kind in ("float", "share") and raw:
        raw = raw.replace(",", ".") if raw.count(",") == 1 and "." not in raw else raw
    return coerce(spec, raw)


def _number(spec: Spec, text: str) -> Fraction:
    value = _value(spec, text)
    if value is None:
        raise ValueError("đầu khoảng không được để trống")
    return Fraction(value) if spec.kind in ("int", "money") else Fraction(str(value))


def parse_sweep(text: str) -> Sweep:
    """Parse one ``--sweep`` argument; raise SweepError with a Vietnamese message."""
    if "=" not in text:
        raise SweepError([f"--sweep '{text}': cần dạng tên=đầu..cuối/số_điểm hoặc tên=giá_trị_1,giá_trị_2"])
    name, body = (part.strip() for part in text.split("=", 1))
    registry = specs()
    if name not in registry:
        raise SweepError([f"--sweep '{text}': '{name}' không phải tham số; các tham số: {', '.join(sorted(registry))}"])
    if name in NOT_SWEEPABLE:
        raise SweepError(
            [f"--sweep '{text}': không quét được tham số '{name}' (tham số này chỉ đặt tên, chọn kế hoạch)"]
        )
    spec = registry[name]
    if not body:
        raise SweepError([f"--sweep '{text}': thiếu giá trị sau dấu ="])
    try:
        if ".." in body:
            if spec.kind not in ("int", "money", "float", "share"):
                raise ValueError(f"'{name}' không phải tham số số: dùng danh sách giá trị cách nhau bởi dấu phẩy")
            m = re.fullmatch(r"(.+?)\.\.(.+?)/\s*(\d+)\s*", body)
            if not m:
                raise ValueError("khoảng cần dạng đầu..cuối/số_điểm, ví dụ 18tỷ..24tỷ/7")
            low, high, n = _number(spec, m.group(1)), _number(spec, m.group(2)), int(m.group(3))
            if n < 2 or n > MAX_POINTS:
                raise ValueError(f"số điểm phải từ 2 đến {MAX_POINTS} (hai đầu đều được tính)")
            if low >= high:
                raise ValueError("đầu khoảng phải nhỏ hơn cuối khoảng")
            exact = [low + (high - low) * i / (n - 1) for i in range(n)]
            if spec.kind in ("int", "money"):
                points = [round(x) for x in exact]
                if len(set(points)) < n:
                    raise ValueError(f"khoảng quá hẹp cho {n} điểm nguyên khác nhau")
            else:
                points = [float(x) for x in exact]
            values = tuple(coerce(spec, p) for p in points)
            return Sweep(name, values, is_range=True)
        parts = [p for p in _split_list(body)]
        values = tuple(_value(spec, p) for p in parts)
    except ValueError as exc:
        raise SweepError([f"--sweep '{text}': {exc}"]) from None
    if len(set(map(repr, values))) < len(values):
        raise SweepError([f"--sweep '{text}': có giá trị lặp lại"])
    return Sweep(name, values)


def _split_list(body: str) -> list[str]:
    """Split a list on commas, keeping a decimal comma inside money with a unit ('18,5tỷ,20tỷ')."""
    parts = [p.strip() for p in body.split(",")]
    out: list[str] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        if (
            i + 1 < len(parts)
            and re.fullmatch(r"\d+", part)
            and re.fullmatch(r"\d+\s*(tỷ|ty|triệu|trieu|tr)", parts[i + 1], re.I)
        ):
            out.append(f"{part},{parts[i + 1]}")
            i += 2
            continue
        out.append(part)
        i += 1
    if any(p == "" for p in out):
        raise ValueError("danh sách có giá trị trống (hai dấu phẩy liền nhau?)")
    return out


def parse_sweeps(texts: list[str]) -> list[Sweep]:
    """Parse every ``--sweep``; a parameter may be swept only once."""
    sweeps = [parse_sweep(t) for t in texts]
    seen: set[str] = set()
    for s in sweeps:
        if s.name in seen:
            raise SweepError([f"--sweep: tham số '{s.name}' được quét hai lần; gộp thành một danh sách"])
        seen.add(s.name)
    return sweeps


def points(sweeps: list[Sweep]) -> list[dict[str, Any]]:
    """The product of the sweeps: one mapping name -> value per point, first sweep varying slowest."""
    if not sweeps:
        return [{}]
    return [
        dict(zip([s.name for s in sweeps], combo, strict=True))
        for combo in itertools.product(*(s.values for s in sweeps))
    ]


def point_name(point: dict[str, Any]) -> str:
    """A short scenario name for one sweep point ('envelope_vnd = 18 tỷ đồng · rule = Theo tỷ lệ đề nghị'):
    the Vietnamese name of a rule without its explanation in brackets."""
    return " · ".join(f"{k} = {shown_value(k, v).split(' (')[0]}" for k, v in point.items())

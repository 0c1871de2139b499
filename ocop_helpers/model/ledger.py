"""The ledger of figures: every number a document states, named once, valued once, written once.

A :class:`Figure` is one quantity of a scenario's :class:`~ocop_helpers.model.compute.Results`: an
id (``"branding.need_vnd"``), a value, a unit, a one-line Vietnamese definition and its provenance
(``published`` with its source, ``assumption``, ``derived`` from published data, or
``illustrative``). Its text is formatted here, once, by :mod:`ocop_helpers.core.vnformat`; documents
quote the figure by id (:func:`ocop_helpers.document.quote.q`) and never compute or round a number
themselves. Two figures with the same definition are one figure: :class:`Ledger` refuses the second.

Figures are registered by builders (``@builder``), each a function ``(results, ledger) -> None`` in a
module of :mod:`ocop_helpers.model.figures`; ``ocop_helpers.model.figures.ledger_of`` runs them in order. The build writes
the ledger as ``figures.json`` next to the plan (:meth:`Ledger.to_json`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ocop_helpers.core import vnformat

if TYPE_CHECKING:  # the model imports this module; only a type here
    from ocop_helpers.model.compute import Results

PROVENANCES: tuple[str, ...] = ("published", "assumption", "derived", "illustrative")
# unit -> how its value is written. Counts are written bare ("153"): the sentence names the things.
# "khả năng": a chance in [0, 1], written for a leader as "khoảng 3 trên 10 khả năng" (never a percent).
UNITS: tuple[str, ...] = (
    "đồng",
    "tỷ lệ",
    "sản phẩm",
    "tổ chức",
    "đề nghị",
    "đợt",
    "phiên",
    "đơn vị",
    "năm",
    "tháng",
    "khả năng",
)


def chance_words(p: float) -> str:
    """A chance as a leader reads it: "dưới 1 trên 10 khả năng", "khoảng 3 trên 10 khả năng"."""
    tenths = round(10 * float(p))
    if tenths <= 0:
        return "dưới 1 trên 10 khả năng"
    if tenths >= 10:
        return "gần như chắc chắn" if p >= 0.995 else "trên 9 trên 10 khả năng"
    return f"khoảng {tenths} trên 10 khả năng"


class LedgerError(ValueError):
    """A figure defined twice, a figure asked for that the ledger does not hold, a bad unit."""


@dataclass(frozen=True)
class Figure:
    """One named quantity. ``value``: integer đồng for money, a share in [0, 1] for ``tỷ lệ``, a count
    otherwise. ``approximate``: the source states it as "khoảng …". ``decimals``: of a share's percent."""

    id: str
    value: int | float
    unit: str
    definition: str
    provenance: str
    source: str = ""
    approximate: bool = False
    decimals: int = 1

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise LedgerError(f"số liệu {self.id}: đơn vị '{self.unit}' không có; cần một trong {', '.join(UNITS)}")
        if self.provenance not in PROVENANCES:
            raise LedgerError(f"số liệu {self.id}: nguồn gốc '{self.provenance}' không có")
        if isinstance(self.value, float) and math.isnan(self.value):
            raise LedgerError(f"số liệu {self.id}: không có giá trị")
        if self.unit == "khả năng" and not 0 <= float(self.value) <= 1:
            raise LedgerError(f"số liệu {self.id}: khả năng phải trong [0, 1] (nhận {self.value!r})")
        if self.unit == "đồng" and int(self.value) != self.value:
            raise LedgerError(f"số liệu {self.id}: tiền phải là số nguyên đồng (nhận {self.value!r})")
        if not self.definition.strip():
            raise LedgerError(f"số liệu {self.id}: thiếu định nghĩa")

    @property
    def shown(self) -> str:
        """The figure as every document writes it ("6,65 tỷ đồng", "78,1%", "153")."""
        if self.unit == "đồng":
            return vnformat.money(int(self.value))
        if self.unit == "tỷ lệ":
            return vnformat.percent(float(self.value), self.decimals)
        if self.unit == "khả năng":
            return chance_words(float(self.value))
        return vnformat.number(round(float(self.value)))

    def as_dict(self) -> dict[str, object]:
        value = int(self.value) if self.unit not in ("tỷ lệ", "khả năng") else round(float(self.value), 6)
        return {
            "id": self.id,
            "value": value,
            "unit": self.unit,
            "shown": self.shown,
            "definition": self.definition,
            "provenance": self.provenance,
            "source": self.source,
            "approximate": self.approximate,
        }


class Ledger:
    """The figures of one scenario, by id, in the order they were registered."""

    def __init__(self, plan_key: str = "", scenario: str = "") -> None:
        self.plan_key = plan_key
        self.scenario = scenario
        self._figures: dict[str, Figure] = {}
        self._definitions: dict[str, str] = {}

    def add(self, figure: Figure) -> Figure:
        """Register ``figure``; an id or a definition already present is an error (one idea, one figure)."""
        if figure.id in self._figures:
            raise LedgerError(f"số liệu {figure.id} đã có trong sổ số liệu")
        key = " ".join(figure.definition.lower().split())
        if key in self._definitions:
            raise LedgerError(
                f"số liệu {figure.id} có cùng định nghĩa với {self._definitions[key]}: "
                f"'{figure.definition}' — một khái niệm chỉ có một số liệu"
            )
        self._figures[figure.id] = figure
        self._definitions[key] = figure.id
        return figure

    def figure(self, id: str, value: int | float, unit: str, definition: str, provenance: str, **kw) -> Figure:
        """Build and register a figure."""
        return self.add(Figure(id, value, unit, definition, provenance, **kw))

    def __getitem__(self, id: str) -> Figure:
        try:
            return self._figures[id]
        except KeyError:
            raise LedgerError(f"sổ số liệu không có số liệu '{id}'") from None

    def get(self, id: str) -> Figure | None:
        return self._figures.get(id)

    def __contains__(self, id: object) -> bool:
        return id in self._figures

    def __iter__(self) -> Iterator[Figure]:
        return iter(self._figures.values())

    def __len__(self) -> int:
        return len(self._figures)

    def value(self, id: str) -> int | float:
        return self[id].value

    def to_json(self) -> str:
        """``figures.json``: the plan, the scenario and every figure (sorted keys, stable bytes)."""
        data = {
            "plan": self.plan_key,
            "scenario": self.scenario,
            "figures": [f.as_dict() for f in self],
        }
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


Builder = Callable[["Results", Ledger], None]
BUILDERS: list[Builder] = []


def builder(fn: Builder) -> Builder:
    """Register a figure builder (run by ``figures.ledger_of`` in registration order)."""
    BUILDERS.append(fn)
    return fn

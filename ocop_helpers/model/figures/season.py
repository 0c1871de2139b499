"""Figures of the outcome targets (every plan) and of the season as of a date (the report).

``outcome.<id>.value`` / ``.expected`` / ``.chance`` for each outcome target of the plan (the stock
target's value is the plan's ``target.stock``); ``season.*`` for what happened by ``as_of``: products
evaluated and recognised per stream, recognitions per star, the stock now and expected at year end,
spending per budget line and what is left, rewards owed, organisations paid and still waiting.
"""

from __future__ import annotations

from ocop_helpers.core import vnformat
from ocop_helpers.domain import labels
from ocop_helpers.inputs.plan import OutcomeTarget
from ocop_helpers.model.compute import Results
from ocop_helpers.model.ledger import Ledger, builder
from ocop_helpers.model.season import season_of

source_text = vnformat.without_source_codes


def target_text(t: OutcomeTarget, year: int) -> str:
    """What an outcome target measures, in the plan's words (its ``text``) or written from its kind."""
    if t.text:
        return t.text
    star = f"{t.star} sao" if not t.or_higher or t.star == 5 else f"từ {t.star} sao"
    who = "Sản phẩm"
    if tuple(t.streams) == ("new",):
        who = "Sản phẩm đánh giá lần đầu"
    elif tuple(t.streams) != ("new", "reevaluation", "upgrade"):
        who = "Sản phẩm (" + ", ".join(labels.STREAM.get(s, s).lower() for s in t.streams) + ")"
    return {
        "recognised": f"{who} được công nhận đạt {star} trong năm {year}",
        "stock": f"Sản phẩm OCOP đạt từ 3 sao đến cuối năm {year} (lũy kế)",
        "per_unit": f"Số đơn vị hành chính có đủ sản phẩm được công nhận đạt {star} trong năm {year}",
        "share_registered": f"Tỷ lệ sản phẩm đăng ký đánh giá năm {year} được công nhận đạt {star}",
        "share_organisation_type": (
            f"Tỷ lệ {labels.ORGANISATION_TYPE.get(t.organisation_type, t.organisation_type).lower()} trong các "
            f"chủ thể có sản phẩm được công nhận năm {year}"
        ),
        "centre_candidates": f"Sản phẩm đạt điểm 5 sao đề nghị Trung ương công nhận năm {year}",
    }[t.kind]


def unit_of(t: OutcomeTarget) -> str:
    """The ledger unit of an outcome target's value."""
    return "tỷ lệ" if t.is_share else "đơn vị" if t.kind == "per_unit" else "sản phẩm"


def value_id(t: OutcomeTarget, led: Ledger) -> str:
    """The figure that states the target's value (the plan's ``target.stock`` for the stock target)."""
    if t.kind == "stock" and "target.stock" in led and led.value("target.stock") == t.value:
        return "target.stock"
    return f"outcome.{t.id}.value"


@builder
def outcome_targets(r: Results, led: Ledger) -> None:
    """Each outcome target: its value, expected value and chance of being met by the year end."""
    s = season_of(r)
    year = r.plan.year
    table = s.forecast.table.set_index("target_id")
    for t in s.targets:
        text = target_text(t, year)
        unit = unit_of(t)
        if value_id(t, led) != "target.stock":
            value = t.value
            if t.kind == "per_unit":
                value = len(r.plan.units)
            prov = "assumption" if t.assumed else "published"
            led.figure(
                f"outcome.{t.id}.value",
                value,
                unit,
                f"Mục tiêu: {text}",
                prov,
                source="" if t.assumed else source_text(t.source),
            )
            if t.kind == "per_unit":
                led.figure(
                    f"outcome.{t.id}.per_unit",
                    t.value,
                    "sản phẩm",
                    f"Mục tiêu: số sản phẩm tối thiểu mỗi đơn vị — {text}",
                    prov,
                )
        row = table.loc[t.id]
        expected = float(row["expected"])
        led.figure(
            f"outcome.{t.id}.expected",
            expected if t.is_share else round(expected),
            unit,
            f"Dự kiến (bình quân các khả năng) đến cuối năm: {text}",
            "assumption",
        )
        led.figure(
            f"outcome.{t.id}.chance",
            float(row["chance"]),
            "khả năng",
            f"Khả năng đạt mục tiêu đến cuối năm: {text}",
            "assumption",
        )

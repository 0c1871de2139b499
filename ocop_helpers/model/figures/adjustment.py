"""Figures of the successor's adjusted plan (:mod:`ocop_helpers.document.adjustment`).

When a change of the administrative map or of the authority rules falls inside the plan year with
rounds due on or after it, the plan as issued is adjusted by the body in force after the change. The
:func:`arrangement` of a scenario says on which date that adjusted plan speaks (given in plan.yaml, or
assumed: the last change before the first deadline it affects), which rounds it re-assigns, how many
products move from rounds whose level no longer sits, and what the busiest council then carries
against its capacity. The builder registers those numbers as figures (``adjustment.*``); nothing is
registered for a plan whose year straddles no change.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ocop_helpers.core import vnformat
from ocop_helpers.domain import labels, reorganisation
from ocop_helpers.domain.calendar import Calendar
from ocop_helpers.model import findings
from ocop_helpers.model.compute import Results
from ocop_helpers.model.figures.plan import provenance
from ocop_helpers.model.ledger import Ledger, builder


@dataclass(frozen=True)
class Arrangement:
    """The adjusted plan's date and what it re-assigns.

    ``on``: its date; ``assumed``: no date in the data (a draft dated by the last change before the
    first affected deadline); ``changes``: the change dates it reports (on or before ``on``);
    ``rounds``: the re-assigned rounds (``reorganisation.round_authorities`` rows, on their deadlines)
    with ``products`` (products each scores after the adjustment) and ``rerouted_in``; ``blocked``:
    products the issued plan put in rounds whose level no longer sits; ``moved``: products added to
    rounds of the level in force; ``load``: :func:`reorganisation.council_load` of the re-assigned
    rounds; ``decision``: the calendar decision the reorganisation raised (its arrangement is this one)."""

    on: pd.Timestamp
    assumed: bool
    changes: tuple[pd.Timestamp, ...]
    rounds: pd.DataFrame
    blocked: int
    moved: int
    load: dict[str, object]
    decision: findings.Decision | None


def _calendars(r: Results) -> tuple[Calendar | None, Calendar]:
    """(the calendar as filed, if computed; the calendar at the levels in force on the deadlines)."""
    as_filed = r.calendar if r.calendar.routing == "as_filed" else None
    in_force = r.calendar if r.calendar.routing == "rerouted" else (r.calendar_rerouted or r.calendar)
    return as_filed, in_force


def _key(rounds: pd.DataFrame) -> pd.Series:
    return rounds["round"].astype("int64").astype(str) + "|" + rounds["level"].astype(str)


def arrangement(r: Results) -> Arrangement | None:
    """The adjusted plan of ``r`` (kept on ``r``), or None when no round is due on or after a change."""
    if "_arrangement" in r.__dict__:
        return r.__dict__["_arrangement"]
    out = None
    on, assumed = reorganisation.adjustment_date(r.change_dates, r.round_authorities, r.plan.adjustment_date)
    covered = reorganisation.rounds_adjusted(r.round_authorities, r.change_dates, on) if on is not None else None
    if covered is not None and not covered.empty:
        as_filed, in_force = _calendars(r)
        keys = set(_key(covered))
        cal = in_force.rounds[_key(in_force.rounds).isin(keys)]
        by_key = cal.set_index(_key(cal))
        products = _key(covered).map(by_key["products"]).fillna(0).astype("int64")
        moved_in = _key(covered).map(by_key["rerouted_in"]).fillna(0).astype("int64")
        blocked = 0
        if as_filed is not None:
            filed = as_filed.rounds[_key(as_filed.rounds).isin(keys)]
            blocked = int(filed.loc[~filed["level_in_force"].astype(bool), "products"].sum())
        out = Arrangement(
            on=on,
            assumed=assumed,
            changes=tuple(d for d in reorganisation.straddled_changes(r.change_dates, r.round_authorities) if d <= on),
            rounds=covered.assign(products=products.to_numpy(), rerouted_in=moved_in.to_numpy()),
            blocked=blocked,
            moved=int(moved_in.sum()),
            load=reorganisation.council_load(cal, r.params.products_per_session, r.params.sessions_per_round),
            decision=findings.reorganisation_calendar(r.decisions),
        )
    object.__setattr__(r, "_arrangement", out)
    return out


def round_figure(round_number: int, level: str) -> str:
    """The id of the figure "products of this round after the adjustment"."""
    return f"adjustment.round.{int(round_number)}.{level}.products"


@builder
def adjustment(r: Results, led: Ledger) -> None:
    """The adjusted plan's rounds, the products moved and the busiest council's load and sessions."""
    a = arrangement(r)
    if a is None:
        return
    prov_rounds = provenance(r, "rounds")
    prov = provenance(r, "rounds", "products")
    when = vnformat.date(a.on)
    led.figure(
        "adjustment.rounds",
        len(a.rounds),
        "đợt",
        f"Số đợt (theo từng cấp) có thời hạn từ {when} được giao lại theo đơn vị và thẩm quyền tại thời hạn",
        prov_rounds,
    )
    led.figure(
        "adjustment.rounds_not_held",
        int((~a.rounds["level_sits"].astype(bool)).sum()),
        "đợt",
        "Số đợt ở cấp không còn tổ chức tại thời hạn của đợt",
        prov_rounds,
    )
    for x in a.rounds.itertuples(index=False):
        level = labels.LEVEL.get(x.level, x.level).lower()
        led.figure(
            round_figure(x.round, x.level),
            int(x.products),
            "sản phẩm",
            f"Sản phẩm dự kiến đánh giá tại đợt {int(x.round)} {level} (hạn {vnformat.date(x.deadline)}) "
            "theo thẩm quyền tại thời hạn",
            prov,
        )
    led.figure(
        "adjustment.products_blocked",
        a.blocked,
        "sản phẩm",
        "Sản phẩm kế hoạch ban hành xếp vào đợt ở cấp không còn tổ chức tại thời hạn",
        prov,
    )
    led.figure(
        "adjustment.products_moved",
        a.moved,
        "sản phẩm",
        "Sản phẩm chuyển thêm vào đợt của cấp có thẩm quyền tại thời hạn",
        prov,
    )
    led.figure(
        "adjustment.products_already_placed",
        max(0, a.blocked - a.moved),
        "sản phẩm",
        "Sản phẩm của đợt không còn tổ chức đã có trong đợt của cấp có thẩm quyền",
        prov,
    )
    if not a.load:
        return
    assumption = "illustrative" if prov == "illustrative" else "assumption"
    led.figure(
        "adjustment.busiest_load",
        int(a.load["load"]),
        "sản phẩm",
        "Sản phẩm hội đồng đông nhất đánh giá trong một đợt sau điều chỉnh",
        prov,
    )
    led.figure(
        "adjustment.council_capacity",
        int(a.load["capacity"]),
        "sản phẩm",
        "Sản phẩm một hội đồng đánh giá được trong một đợt (số phiên mỗi đợt nhân số sản phẩm mỗi phiên)",
        "assumption",
    )
    led.figure(
        "adjustment.products_per_session",
        int(r.params.products_per_session),
        "sản phẩm",
        "Sản phẩm một hội đồng chấm được trong một phiên họp (giả định)",
        "assumption",
    )
    led.figure(
        "adjustment.sessions_planned",
        int(r.params.sessions_per_round),
        "phiên",
        "Số phiên họp hội đồng trong một đợt theo kế hoạch (giả định)",
        "assumption",
    )
    led.figure(
        "adjustment.sessions_needed",
        int(a.load["sessions_needed"]),
        "phiên",
        "Số phiên họp hội đồng đông nhất cần sau điều chỉnh",
        assumption,
    )
    led.figure(
        "adjustment.extra_sessions",
        int(a.load["extra_sessions"]),
        "phiên",
        "Số phiên họp cần thêm so với kế hoạch tại đợt đông nhất sau điều chỉnh",
        assumption,
    )
    led.figure(
        "adjustment.extra_rounds",
        int(a.load["extra_rounds"]),
        "đợt",
        "Số đợt cần thêm tại cấp đông nhất nếu giữ số phiên mỗi đợt theo kế hoạch",
        assumption,
    )

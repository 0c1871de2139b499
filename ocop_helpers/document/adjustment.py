"""The successor's adjusted plan ("Kế hoạch điều chỉnh, bổ sung"): ``compose_adjustment(r) -> Document | None``.

A plan speaks as of its issue date. When the administrative map or the authority rules change inside
the plan year and rounds fall on or after the change, the plan as issued is not rewritten: the body
in force after the change issues an adjusted plan of its own date
(:func:`ocop_helpers.model.figures.adjustment.arrangement`). Its frame (issuer, place, Căn cứ,
bodies, recipients, signer's titles) is the one in force on that date
(:func:`ocop_helpers.document.official.frame`); its body says I. why (the changes and their dates),
II. the rounds re-assigned to the levels in force on their deadlines, the products moved from rounds
whose level no longer sits and the busiest council's load against its capacity — the arrangement
chosen for the calendar decision the reorganisation raised —, III. the targets carried over (the
same ledger figures as the plan) and IV. who does what on its date. Every number is a ledger figure
(``adjustment.*``, ``target.*``) quoted with :func:`ocop_helpers.document.quote.q`.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from ocop_helpers.core import vnformat
from ocop_helpers.core.dated import in_force
from ocop_helpers.document import elements, official
from ocop_helpers.document.docmodel import Block, Column, Document, Heading, Notice, Paragraph, Table, roman
from ocop_helpers.document.quote import about, q
from ocop_helpers.domain import authority, labels, reorganisation
from ocop_helpers.model.compute import Results
from ocop_helpers.model.figures import ledger_of
from ocop_helpers.model.figures.adjustment import Arrangement, arrangement, round_figure
from ocop_helpers.model.ledger import Ledger

PARTS: tuple[str, ...] = (
    "LÝ DO ĐIỀU CHỈNH",
    "ĐIỀU CHỈNH CÁC ĐỢT ĐÁNH GIÁ, PHÂN HẠNG SẢN PHẨM",
    "CHỈ TIÊU",
    "TỔ CHỨC THỰC HIỆN",
)
ROUNDS_CAPTION = "Các đợt đánh giá, phân hạng sản phẩm theo đơn vị hành chính và thẩm quyền tại thời hạn"
UNCERTAIN = "Chưa rõ theo dữ liệu"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " và " + items[-1]


def _level(level: str) -> str:
    return _lower_first(labels.LEVEL.get(level, level)) if level != "central" else labels.LEVEL[level]


def _body(level: str) -> str:
    """The People's Committee of a level, as the plan's round table names it."""
    return {"province": "UBND tỉnh", "central": "Bộ"}.get(level, f"UBND {_level(level)}")


def _stars(stars) -> str:
    return " và ".join(f"{int(s)} sao" for s in stars)


def _round_name(x) -> str:
    return f"đợt {int(x.round)} {_level(x.level)} (hạn {vnformat.date(x.deadline)})"


def _original(fr: official.Frame) -> str:
    """The body that issued the plan, as the successor names it ("UBND tỉnh … (cũ)" after a merger)."""
    return f"{fr.original.short_name} (cũ)" if fr.successor else fr.original.short_name


def _plan_name(r: Results, fr: official.Frame) -> str:
    number = f" số {r.plan.document_number}" if r.plan.document_number else ""
    return f"Kế hoạch{number} của {_original(fr)}"


# ----------------------------------------------------------------------------- I. why
def _change_lines(r: Results, a: Arrangement) -> list[str]:
    """One line per change date: the issuing body that took over, the levels that ended, the stars
    whose recognising level changed, and the legal text in force from that day."""
    tables = r.official[0]
    bodies = tables["issuing_bodies"]
    bases = in_force(tables["legal_bases"], a.on)
    bases = bases[pd.to_datetime(bases["issued_on"]) <= a.on]
    lines = []
    for d in a.changes:
        before = d - pd.Timedelta(days=1)
        what: list[str] = []
        old, new = (
            official.issuer_on(bodies, r.plan.province_id, before),
            official.issuer_on(bodies, r.plan.province_id, d),
        )
        if old.province_id != new.province_id:
            what.append(
                f"địa bàn tỉnh {old.place_name} (cũ) thuộc tỉnh {new.place_name}; {new.short_name} thực hiện nhiệm vụ "
                f"của {old.short_name} (cũ)"
            )
        for level in reorganisation.levels_ended(r.plan, d):
            what.append(f"không còn đơn vị hành chính {_level(level)}")
        was = authority.authority_table(r.plan.authority_rules, before).set_index("star")["recognising_level"]
        now = authority.authority_table(r.plan.authority_rules, d).set_index("star")["recognising_level"]
        changed = [int(s) for s in now.index if s in was.index and was[s] != now[s]]
        for level in dict.fromkeys(now[changed]) if changed else ():
            stars = [s for s in now.index if now[s] == level and int(s) in (3, 4, 5)]
            what.append(f"{_level(level)} đánh giá, công nhận sản phẩm {_stars(stars)}")
        texts = bases[pd.to_datetime(bases["valid_from"]) == d]
        cited = [official.legal_basis_text(row).removeprefix("Căn cứ ") for _, row in texts.iterrows()]
        if what:
            line = f"Từ ngày {vnformat.date(d)}, {_join(what)}"
            lines.append(line + (f" ({'; '.join(cited)})" if cited else "") + ".")
    return lines


def reason_blocks(r: Results, a: Arrangement, fr: official.Frame, led: Ledger) -> list[Block]:
    first = a.rounds["deadline"].min()
    return [
        Paragraph(
            f"{_plan_name(r, fr)} triển khai Chương trình mỗi xã một sản phẩm năm {r.plan.year} được ban hành theo "
            "đơn vị hành chính và quy định về thẩm quyền đánh giá, phân hạng sản phẩm có hiệu lực khi ban hành. "
            f"Trong năm {r.plan.year} có các thay đổi sau:"
        ),
        *[Paragraph(line, "bullet") for line in _change_lines(r, a)],
        Paragraph(
            f"{q(led, 'adjustment.rounds')} đợt đánh giá có thời hạn từ {vnformat.date(first)} được thực hiện theo "
            "đơn vị hành chính và thẩm quyền có hiệu lực tại thời hạn của đợt. Kế hoạch này điều chỉnh các đợt đó; "
            "các chỉ tiêu của Kế hoạch được giữ nguyên."
        ),
    ]


# ----------------------------------------------------------------------------- II. rounds
def _payer(funding: pd.DataFrame, source_id: object) -> str:
    if source_id is None or (isinstance(source_id, float) and source_id != source_id):
        return "–"
    rows = funding[funding["source_id"] == source_id]
    return str(rows.iloc[0]["name"]) if len(rows) else str(source_id)


def round_table(r: Results, a: Arrangement, led: Ledger) -> Table:
    """Round, level, deadline, body in charge, who recognises which stars, who pays, products."""
    bodies = r.official[0]["issuing_bodies"]
    names = dict(zip(bodies["province_id"], bodies["short_name"], strict=False))
    funding = r.official[0]["funding_sources"]
    uncertain = bool(a.rounds["uncertain"].any())
    top = {int(s): lv for s, lv in a.rounds["recognising_levels"].iloc[-1].items() if lv not in set(a.rounds["level"])}
    rows = []
    for x in a.rounds.itertuples(index=False):
        if x.level_sits:
            who = names.get(x.issuer_id, x.issuer_id) if x.level == "province" else _body(x.level)
            recognises = f"{_body(x.level)} công nhận {_stars(x.recognises)}" if x.recognises else "–"
        else:
            who, recognises = "–", f"Không tổ chức: không còn {_level(x.level)} tại thời hạn"
        note = ((UNCERTAIN if x.uncertain else ""),) if uncertain else ()
        rows.append(
            (
                f"Đợt {int(x.round)}",
                labels.LEVEL.get(x.level, x.level),
                vnformat.date(x.deadline),
                who,
                recognises,
                _payer(funding, x.payer),
                q(led, round_figure(x.round, x.level)),
                *note,
            )
        )
    return Table(
        columns=(
            Column("Đợt"),
            Column("Cấp tổ chức đánh giá"),
            Column("Thời hạn hoàn thành"),
            Column("Cơ quan chủ trì"),
            Column("Công nhận kết quả"),
            Column("Ngân sách chi hỗ trợ sau công nhận"),
            Column("Sản phẩm dự kiến", "right"),
            *((Column("Ghi chú"),) if uncertain else ()),
        ),
        rows=tuple(rows),
        caption=ROUNDS_CAPTION,
        provenance=elements.provenance(r.plan, "rounds", "products"),
        note="; ".join(f"Sản phẩm {_stars([s])} do {_level(lv)} đánh giá, công nhận" for s, lv in sorted(top.items()))
        + ("." if top else ""),
    )


def round_blocks(r: Results, a: Arrangement, led: Ledger) -> list[Block]:
    out: list[Block] = [Heading(2, "Các đợt theo thẩm quyền tại thời hạn", "1."), round_table(r, a, led)]
    if bool(a.rounds["uncertain"].any()):
        out.append(
            Paragraph(
                f"Những đợt ghi «{_lower_first(UNCERTAIN)}» có thời hạn rơi vào thời gian quy định về thẩm quyền "
                "chưa rõ theo dữ liệu: cơ quan chủ trì xác định cấp công nhận trước khi tổ chức."
            )
        )
    gone = a.rounds[~a.rounds["level_sits"].astype(bool)]
    receiving = a.rounds[a.rounds["rerouted_in"] > 0]
    if len(gone) and int(led.value("adjustment.products_blocked")) > 0:
        text = (
            f"Chuyển {q(led, 'adjustment.products_blocked')} sản phẩm Kế hoạch xếp vào "
            f"{_join([_round_name(x) for x in gone.itertuples(index=False)])} lên "
            f"{_join([_round_name(x) for x in receiving.itertuples(index=False)]) or 'cấp có thẩm quyền'}: "
            f"{q(led, 'adjustment.products_moved')} sản phẩm bổ sung vào đợt"
        )
        if int(led.value("adjustment.products_already_placed")) > 0:
            text += f", {q(led, 'adjustment.products_already_placed')} sản phẩm đã có trong đợt này"
        out += [Heading(2, "Sản phẩm của các đợt không còn tổ chức", "2."), Paragraph(text + ".")]
    elif len(gone):
        out += [
            Heading(2, "Sản phẩm của các đợt không còn tổ chức", "2."),
            Paragraph(
                f"{_join([_round_name(x) for x in gone.itertuples(index=False)]).capitalize()} không tổ chức; "
                "không có sản phẩm phải chuyển."
            ),
        ]
    if a.load:
        out.append(Heading(2, "Năng lực hội đồng", f"{sum(1 for b in out if isinstance(b, Heading)) + 1}."))
        busiest = f"đợt {a.load['round']} {_level(str(a.load['level']))} (hạn {vnformat.date(a.load['deadline'])})"
        text = (
            f"Hội đồng đông nhất, {busiest}, đánh giá {q(led, 'adjustment.busiest_load')} sản phẩm so với năng lực "
            f"{q(led, 'adjustment.council_capacity')} sản phẩm một đợt ({q(led, 'adjustment.sessions_planned')} phiên, "
            f"{q(led, 'adjustment.products_per_session')} sản phẩm mỗi phiên); cần "
            f"{q(led, 'adjustment.sessions_needed')} phiên họp."
        )
        if int(led.value("adjustment.extra_sessions")) > 0:
            text += (
                f" Phương án lựa chọn: bố trí thêm {q(led, 'adjustment.extra_sessions')} phiên họp của Hội đồng "
                f"{_level(str(a.load['level']))} trong {busiest}; nếu không bố trí được, tổ chức thêm "
                f"{q(led, 'adjustment.extra_rounds')} đợt {_level(str(a.load['level']))} trước thời hạn này."
            )
        else:
            text += " Các đợt nằm trong năng lực hội đồng."
        if a.decision is not None:
            text += (
                " Phương án này thay cho việc giữ lịch như Kế hoạch ban hành, khi các sản phẩm của đợt không còn "
                "tổ chức không có hội đồng đánh giá."
            )
        out.append(Paragraph(text))
    return out


# ----------------------------------------------------------------------------- III. targets
def target_blocks(r: Results, fr: official.Frame, led: Ledger) -> list[Block]:
    """The plan's targets, unchanged: the same ledger figures as the plan quotes."""
    year = r.plan.year
    rows = (
        ("Sản phẩm đánh giá, phân hạng", q(led, "target.total")),
        ("– Đánh giá lần đầu", q(led, "target.new")),
        ("– Đánh giá lại", q(led, "target.reevaluation")),
        ("– Nâng hạng sao", q(led, "target.upgrade")),
        (f"Sản phẩm OCOP đạt từ 3 sao đến cuối năm {year} (lũy kế, tối thiểu)", q(led, "target.stock")),
        ("Tổ chức kinh tế được hỗ trợ quản lý nhãn hiệu, bao bì, tem nhãn", q(led, "target.organisations_branding")),
        ("Kinh phí thực hiện", about(led, "target.budget_total_vnd")),
    )
    return [
        Paragraph(f"Giữ nguyên các chỉ tiêu năm {year} của {_plan_name(r, fr)}:"),
        Table(
            columns=(Column("Chỉ tiêu"), Column("Số lượng", "right")),
            rows=rows,
            caption=f"Chỉ tiêu năm {year} (giữ nguyên)",
            provenance=elements.provenance(r.plan, "targets", computed=False),
        ),
    ]


# ----------------------------------------------------------------------------- the document
def notice(a: Arrangement) -> Notice:
    """What date the document assumes, on its first page."""
    when = vnformat.date(a.on)
    if a.assumed:
        return Notice(
            "info",
            f"Dự thảo lập theo đơn vị hành chính và quy định có hiệu lực ngày {when} (ngày thay đổi gần nhất "
            "trước thời hạn của đợt đầu tiên được điều chỉnh); ngày ký ban hành do văn thư ghi.",
        )
    return Notice("info", f"Kế hoạch điều chỉnh lập theo đơn vị hành chính và quy định có hiệu lực ngày {when}.")


def compose_adjustment(r: Results) -> Document | None:
    """The successor's adjusted plan of ``r``'s plan, or None when no round falls on or after a change
    inside the plan year."""
    a = arrangement(r)
    if a is None:
        return None
    led = ledger_of(r)
    plan = r.plan
    fr = official.frame(plan, a.on.date(), r.official)
    parts: list[tuple[str, list[Block]]] = [
        (PARTS[0], reason_blocks(r, a, fr, led)),
        (PARTS[1], round_blocks(r, a, led)),
        (PARTS[2], target_blocks(r, fr, led)),
        (PARTS[3], official.organisation_blocks(fr)),
    ]
    body: list[Block] = [notice(a)]
    for i, (title, blocks) in enumerate(parts, start=1):
        body += [Heading(1, title, f"{roman(i)}."), *blocks]
    bases, unchecked = list(fr.legal_bases), list(fr.legal_bases_unchecked)
    if not fr.successor and plan.document_number:
        bases.append(
            f"Căn cứ Kế hoạch số {plan.document_number} của {fr.original.short_name} về {_lower_first(fr.summary)}"
        )
        unchecked.append(False)
    summary = fr.summary if fr.successor else f"Điều chỉnh Kế hoạch {_lower_first(fr.summary)}"
    probe = Document(
        header=fr.header(True, plan.status),
        doc_type=official.DOC_TYPE,
        summary=summary,
        legal_bases=(),
        body=tuple(body),
        signature=fr.signature,
        recipients=fr.recipients,
    )
    draft = a.assumed or probe.shows_illustrative()
    return dataclasses.replace(
        probe,
        header=fr.header(draft, plan.status),
        legal_bases=tuple(
            line + (official.UNCHECKED_MARK if draft and flag else "")
            for line, flag in zip(bases, unchecked, strict=True)
        ),
        legal_bases_note=official.UNCHECKED_NOTE if draft and any(unchecked) else "",
        draft=draft,
        date=a.on.date().isoformat(),
    )


__all__ = ["compose_adjustment", "PARTS", "ROUNDS_CAPTION"]

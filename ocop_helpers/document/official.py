"""The official frame of the plan document, chosen by date from dated reference data.

``frame(plan, on_date)`` picks the issuing body (or its successor after a reorganisation), place,
legal bases ("Căn cứ"), lead and member bodies with their duties, funding sources, recipients and
signer's titles that are in force on ``on_date``, all through :func:`ocop_helpers.core.dated.in_force`.
``assemble(...)`` puts the computed sections (targets, rounds and branding, budget, proposals,
appendices) inside that frame and returns a :class:`~ocop_helpers.document.docmodel.Document`.
Nothing here names a province, place or year: they all come from data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import string
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from ocop_helpers.core import vnformat
from ocop_helpers.core.dated import DateLike, day, in_force
from ocop_helpers.core.errors import PlanValidationError, Problem
from ocop_helpers.document.docmodel import Appendix, Block, Document, Header, Heading, Paragraph, Signature, roman
from ocop_helpers.inputs.plan import Plan

PLACEHOLDERS: tuple[str, ...] = ("year", "province_name", "place_name", "predecessor", "lead_body")
DOC_TYPE = "KẾ HOẠCH"
UNCHECKED_MARK = " (*)"
UNCHECKED_NOTE = (
    "(*) Văn bản ghi theo hiểu biết chung, chưa đối chiếu với nguồn: văn thư kiểm tra số, ngày "
    "và trích yếu trước khi trình ký."
)
PARTS: tuple[str, ...] = (
    "MỤC ĐÍCH, YÊU CẦU",
    "MỤC TIÊU, CHỈ TIÊU",
    "NHIỆM VỤ, GIẢI PHÁP",
    "KINH PHÍ THỰC HIỆN",
    "TỔ CHỨC THỰC HIỆN",
)


@dataclass(frozen=True)
class Issuer:
    """One row of issuing_bodies.csv: who issues a province's plans during a period."""

    province_id: str
    parent_body: str
    issuing_body: str
    place_name: str
    short_name: str
    number_suffix: str
    valid_from: pd.Timestamp | None
    valid_to: pd.Timestamp | None
    successor_id: str


@dataclass(frozen=True)
class Frame:
    """The date-dependent parts of the plan document, in force on ``on_date``."""

    on_date: dt.date
    plan_year: int
    issuer: Issuer  # the body that issues the document on on_date (the successor after a merger)
    original: Issuer  # the body that issued (or would issue) the plan for its own province
    successor: bool  # the document is the successor's adjusted plan
    summary: str
    legal_bases: tuple[str, ...]
    legal_bases_unchecked: tuple[bool, ...]  # from memory or uncertain: to be checked by the clerk
    purpose_blocks: tuple[Block, ...]
    task_blocks: tuple[tuple[str, str], ...]  # (title, text) of the planner-editable tasks
    organisation: tuple[tuple[str, str, str], ...]  # (role, body name, duties) in order
    lead_body: str
    funding_sources: pd.DataFrame
    recipients: tuple[str, ...]
    signature: Signature
    document_number: str  # as given in plan.yaml ("" unknown)
    issue_date: dt.date | None

    def prints_number(self, draft: bool, status: str) -> bool:
        """Number and date are printed only on an issued plan whose figures are published."""
        return not draft and not self.successor and status == "issued" and bool(self.document_number)

    def header(self, draft: bool, status: str) -> Header:
        """The header block; a draft (or unnumbered plan) keeps the clerk's blanks."""
        printed = self.prints_number(draft, status)
        number = self.document_number if printed else f"…/{self.issuer.number_suffix}"
        when = self.issue_date if printed else None
        year = self.issue_date.year if (self.issue_date and not self.successor) else self.on_date.year
        return Header(
            parent_body=self.issuer.parent_body.upper(),
            issuing_body=self.issuer.issuing_body.upper(),
            number_line=f"Số: {number}",
            place_date=f"{self.issuer.place_name}, {vnformat.document_date(when, year)}",
        )

    def attached_line(self, draft: bool, status: str) -> str:
        """The line under an appendix title: "(Kèm theo Kế hoạch số … ngày … của …)"."""
        header = self.header(draft, status)
        number = header.number_line.removeprefix("Số: ")
        date_words = header.place_date.split(", ", 1)[1]
        return f"(Kèm theo Kế hoạch số {number} {date_words} của {self.issuer.short_name})"


def _fail(file: str, column: str | None, value: str | None, expected: str) -> PlanValidationError:
    return PlanValidationError([Problem(file, None, column, value, expected)])


def _issuer(row: pd.Series) -> Issuer:
    def ts(v: object) -> pd.Timestamp | None:
        return None if pd.isna(v) else pd.Timestamp(v)

    return Issuer(
        province_id=str(row["province_id"]),
        parent_body=str(row["parent_body"]),
        issuing_body=str(row["issuing_body"]),
        place_name=str(row["place_name"]),
        short_name=str(row["short_name"]),
        number_suffix=str(row["number_suffix"]),
        valid_from=ts(row["valid_from"]),
        valid_to=ts(row["valid_to"]),
        successor_id="" if pd.isna(row["successor_id"]) else str(row["successor_id"]),
    )


def issuer_on(bodies: pd.DataFrame, province_id: str, on_date: DateLike) -> Issuer:
    """The issuing body of ``province_id`` on ``on_date``; after the province ended, its successor's.

    A province with no row in force is followed through ``successor_id`` of its last row that ended
    before ``on_date`` (a merger), as many steps as the data hold.
    """
    when = day(on_date)
    seen: list[str] = []
    current = province_id
    while current not in seen:
        seen.append(current)
        rows = bodies.loc[bodies["province_id"] == current]
        now = in_force(rows, when)
        if len(now) > 1:
            raise _fail(
                "issuing_bodies.csv",
                "province_id",
                current,
                f"hai cơ quan ban hành cùng hiệu lực ngày {vnformat.date(when)}",
            )
        if len(now) == 1:
            return _issuer(now.iloc[0])
        ended = rows.loc[pd.to_datetime(rows["valid_to"]) < when].sort_values("valid_to")
        if ended.empty or pd.isna(ended.iloc[-1]["successor_id"]) or not str(ended.iloc[-1]["successor_id"]):
            break
        current = str(ended.iloc[-1]["successor_id"])
    raise _fail(
        "issuing_bodies.csv",
        "province_id",
        province_id,
        f"không có cơ quan ban hành nào còn hiệu lực ngày {vnformat.date(when)} (thêm một dòng cho tỉnh này)",
    )


def _for_province(table: pd.DataFrame, province_id: str) -> pd.DataFrame:
    """Rows for every province (empty province_id) or for ``province_id``."""
    pid = table["province_id"]
    return table.loc[pid.isna() | (pid == "") | (pid == province_id)]


def _fill(text: str, values: dict[str, str], where: str) -> str:
    """Put the placeholder values into an editable text; an unknown placeholder is a clear error."""
    names = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    unknown = [n for n in names if n not in values]
    if unknown:
        raise _fail(
            where,
            None,
            "{" + unknown[0] + "}",
            "chỗ trống không có; dùng: " + ", ".join("{" + p + "}" for p in PLACEHOLDERS),
        )
    return text.format_map(values)


def legal_basis_text(row: pd.Series) -> str:
    """One "Căn cứ …" line (without the final ";" or ".")."""
    when = vnformat.document_date(row["issued_on"])
    if str(row["kind"]) == "Luật":
        return f"Căn cứ Luật {row['subject']} {when}"
    number = "" if pd.isna(row["number"]) or not str(row["number"]) else f" số {row['number']}"
    return f"Căn cứ {row['kind']}{number} {when} của {row['issuer']} {row['subject']}"


def frame(
    plan: Plan,
    on_date: DateLike | None = None,
    official: tuple[dict[str, pd.DataFrame], dict] | None = None,
) -> Frame:
    """The official frame in force on ``on_date`` (default: the plan's issue date, else ``units_as_of``).

    ``official``: the tables and texts of the frame (default: those loaded with the plan, ``Plan.official``).
    """
    tables, texts = official if official is not None else plan.official
    when = day(on_date if on_date is not None else plan.issued_on)
    bodies = tables["issuing_bodies"]
    issuer = issuer_on(bodies, plan.province_id, when)
    original_date = day(plan.issued_on)
    original = issuer_on(bodies, plan.province_id, min(original_date, when))
    successor = issuer.province_id != plan.province_id and original.province_id != issuer.province_id

    duties = in_force(_for_province(tables["responsibilities"], issuer.province_id), when).sort_values(
        "order", kind="stable"
    )
    leads = duties.loc[duties["role"] == "lead", "body_name"].tolist()
    if len(leads) != 1:
        raise _fail(
            "responsibilities.csv",
            "role",
            "lead",
            f"cần đúng một cơ quan chủ trì hiệu lực ngày {vnformat.date(when)} (có {len(leads)})",
        )
    values = {
        "year": str(plan.year),
        "province_name": plan.province_name,
        "place_name": issuer.place_name,
        "predecessor": original.place_name,
        "lead_body": leads[0],
    }
    where = "tasks.yaml"
    summary = _fill(texts["summary_successor" if successor else "summary"], values, f"{where}, summary")

    bases = in_force(_for_province(tables["legal_bases"], issuer.province_id), when)
    bases = bases.loc[pd.to_datetime(bases["issued_on"]) <= when].sort_values(["order", "issued_on"], kind="stable")
    lines = [legal_basis_text(r) for _, r in bases.iterrows()]
    unchecked = [str(c) in ("memory", "uncertain") for c in bases["certainty"]]
    if successor and plan.document_number:
        lines.append(
            f"Căn cứ Kế hoạch số {plan.document_number} của {original.short_name} "
            f"về {_fill(texts['summary'], values, where).lower()[:1]}{_fill(texts['summary'], values, where)[1:]}"
        )
        unchecked.append(False)

    purpose: list[Block] = [
        Heading(2, "Mục đích", "1."),
        *[Paragraph(_fill(t, values, f"{where}, purpose")) for t in texts["purpose"]],
        Heading(2, "Yêu cầu", "2."),
        *[Paragraph(_fill(t, values, f"{where}, requirements")) for t in texts["requirements"]],
    ]
    tasks = tuple((_fill(t, values, where), _fill(x, values, where)) for t, x in texts["tasks"])
    organisation = tuple(
        (str(r["role"]), str(r["body_name"]), _fill(str(r["duties"]), values, f"responsibilities.csv, {r['body_id']}"))
        for _, r in duties.iterrows()
    )
    funding = in_force(tables["funding_sources"], when).sort_values("order", kind="stable").reset_index(drop=True)
    recipients = in_force(_for_province(tables["recipients"], issuer.province_id), when).sort_values(
        "order", kind="stable"
    )
    signers = in_force(_for_province(tables["signers"], issuer.province_id), when)
    own = signers.loc[signers["province_id"] == issuer.province_id]
    signers = own if not own.empty else signers
    if len(signers) != 1:
        raise _fail(
            "signers.csv",
            "province_id",
            issuer.province_id,
            f"cần đúng một dòng chức danh người ký hiệu lực ngày {vnformat.date(when)}",
        )
    s = signers.iloc[0]
    signature = Signature(
        authority_line=str(s["authority_line"]),
        deputy_line="" if pd.isna(s["deputy_line"]) else str(s["deputy_line"]),
        title_line=str(s["title_line"]),
        name=plan.signer_name if not successor else "",
    )
    return Frame(
        on_date=when.date(),
        plan_year=plan.year,
        issuer=issuer,
        original=original,
        successor=successor,
        summary=summary,
        legal_bases=tuple(lines),
        legal_bases_unchecked=tuple(unchecked),
        purpose_blocks=tuple(purpose),
        task_blocks=tasks,
        organisation=organisation,
        lead_body=leads[0],
        funding_sources=funding,
        recipients=tuple(str(r) for r in recipients["recipient"]),
        signature=signature,
        document_number=plan.document_number,
        issue_date=plan.issue_date,
    )


def organisation_blocks(fr: Frame) -> list[Block]:
    """V. Tổ chức thực hiện: one numbered item per responsible body, then the reporting duty."""
    out: list[Block] = []
    for n, (_role, body, duties) in enumerate(fr.organisation, start=1):
        out += [Heading(2, body, f"{n}."), Paragraph(duties)]
    return out


def editable_task_blocks(fr: Frame, first_number: int) -> list[Block]:
    """The planner-editable tasks as numbered items, continuing the computed ones."""
    out: list[Block] = []
    for i, (title, text) in enumerate(fr.task_blocks):
        out += [Heading(2, title, f"{first_number + i}."), Paragraph(text)]
    return out


def assemble(
    plan: Plan,
    on_date: DateLike | None,
    targets_blocks: Sequence[Block],
    tasks_blocks: Sequence[Block],
    budget_blocks: Sequence[Block],
    proposals_blocks: Sequence[Block] = (),
    appendix_blocks: Sequence[Appendix] = (),
    draft: bool = True,
    official: tuple[dict[str, pd.DataFrame], dict] | None = None,
) -> Document:
    """The whole plan document: the frame in force on ``on_date`` around the computed sections.

    Parts: I. Mục đích, yêu cầu (frame); II. Mục tiêu, chỉ tiêu (``targets_blocks``); III. Nhiệm vụ,
    giải pháp (``tasks_blocks`` — rounds, branding — then the editable tasks, numbered on from the
    level-2 headings given); IV. Kinh phí (``budget_blocks``); V. Tổ chức thực hiện (frame). Proposals
    ("Đề xuất, kiến nghị") and appendices stay outside the body. A document showing any illustrative
    table or chart is a draft whatever ``draft`` says.
    """
    fr = frame(plan, on_date, official)
    computed_items = sum(1 for b in tasks_blocks if isinstance(b, Heading) and b.level == 2)
    parts: list[tuple[str, list[Block]]] = [
        (PARTS[0], list(fr.purpose_blocks)),
        (PARTS[1], list(targets_blocks)),
        (PARTS[2], list(tasks_blocks) + editable_task_blocks(fr, computed_items + 1)),
        (PARTS[3], list(budget_blocks)),
        (PARTS[4], organisation_blocks(fr)),
    ]
    body: list[Block] = []
    for i, (title, blocks) in enumerate(parts, start=1):
        body.append(Heading(1, title, f"{roman(i)}."))
        body += blocks
    probe = Document(
        header=fr.header(True, plan.status),
        doc_type=DOC_TYPE,
        summary=fr.summary,
        legal_bases=(),
        body=tuple(body),
        signature=fr.signature,
        recipients=fr.recipients,
        proposals=tuple(proposals_blocks),
        appendices=tuple(appendix_blocks),
    )
    draft = draft or probe.shows_illustrative()
    bases = tuple(
        line + (UNCHECKED_MARK if draft and flag else "")
        for line, flag in zip(fr.legal_bases, fr.legal_bases_unchecked, strict=True)
    )
    note = UNCHECKED_NOTE if draft and any(fr.legal_bases_unchecked) else ""
    attached = fr.attached_line(draft, plan.status)
    appendices = tuple(
        dataclasses.replace(a, attached_line=attached, numbering=roman(i))
        for i, a in enumerate(appendix_blocks, start=1)
    )
    return dataclasses.replace(
        probe,
        header=fr.header(draft, plan.status),
        legal_bases=bases,
        legal_bases_note=note,
        appendices=appendices,
        draft=draft,
        date=fr.on_date.isoformat(),
    )

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
from pathlib import Path

import pandas as pd

from ocop_helpers.core import vnformat
from ocop_helpers.core.dated import DateLike, day, in_force
from ocop_helpers.core.errors import PlanValidationError, Problem
from ocop_helpers.document.docmodel import Appendix, Block, Document, Header, Heading, Paragraph, Signature, roman
from ocop_helpers.domain import labels
from ocop_helpers.inputs.plan import Plan, TaskSpec, has_product_group

PLACEHOLDERS: tuple[str, ...] = (
    "year",
    "province_name",
    "place_name",
    "predecessor",
    "lead_body",
    "issuer_name",
    "summary_lower",
    "round_report_days",
    "round_report_dates",
    "year_report_date",
)
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

# What the frame uses when the dated tables hold nothing for the plan's province on the date: the
# form of a provincial People's Committee (Nghị định 30/2020/NĐ-CP, Phụ lục I), each use a warning.
DEFAULT_PARENT_BODY = "ỦY BAN NHÂN DÂN"
DEFAULT_NUMBER_SUFFIX = "KH-UBND"
DEFAULT_SIGNER: tuple[str, str, str] = ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")
DEFAULT_RECIPIENTS: tuple[str, ...] = ("Các sở, ban, ngành thuộc Ủy ban nhân dân tỉnh", "Lưu: VT")
DUE_WORDS = "đã đến hạn"


@dataclass(frozen=True)
class Issuer:
    """One row of issuing_bodies.csv: who issues a province's plans during a period.

    ``defaulted``: no row covers the province on the date; built from the plan's province name.
    """

    province_id: str
    parent_body: str
    issuing_body: str
    place_name: str
    short_name: str
    number_suffix: str
    valid_from: pd.Timestamp | None
    valid_to: pd.Timestamp | None
    successor_id: str
    defaulted: bool = False

    @property
    def full_name(self) -> str:
        """'Ủy ban nhân dân tỉnh Bắc Giang': the short name with 'UBND' written out."""
        if self.short_name.startswith("UBND "):
            return "Ủy ban nhân dân " + self.short_name.removeprefix("UBND ")
        return self.short_name


@dataclass(frozen=True)
class Task:
    """One task of "Nhiệm vụ, giải pháp" as the document on the frame's date states it.

    ``lead`` and ``support`` are body names in force on the date; ``deadline`` the words after
    "Thời hạn:"; ``due`` when every date of the deadline is before the document's date (the task is
    written as already due, not as a future one).
    """

    title: str
    text: str
    lead: str
    support: tuple[str, ...]
    deadline: str
    due: bool = False
    id: str = ""


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
    tasks: tuple[Task, ...]  # the planner-editable tasks in force on on_date, in order
    organisation: tuple[tuple[str, str, str], ...]  # (role, body name, duties) in order
    lead_body: str
    funding_sources: pd.DataFrame
    recipients: tuple[str, ...]
    signature: Signature
    document_number: str  # as given in plan.yaml ("" unknown)
    issue_date: dt.date | None
    enacting: str = ""  # "Ủy ban nhân dân tỉnh … ban hành Kế hoạch … như sau:"
    warnings: tuple[Problem, ...] = ()  # defaults used, each naming the file and row that would override it

    @property
    def task_blocks(self) -> tuple[tuple[str, str], ...]:
        """(title, text) of each editable task."""
        return tuple((t.title, t.text) for t in self.tasks)

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


def _file(table: pd.DataFrame, name: str) -> str:
    """The file a frame table was read from (``attrs['file']``, set by the loader)."""
    return str(table.attrs.get("file") or f"reference/{name}.csv")


def _with_lines(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with a ``_line`` column: each row's line as a spreadsheet shows it (kept through filters)."""
    lines = table.attrs.get("lines")
    if lines is None or len(lines) != len(table):
        lines = range(2, len(table) + 2)
    out = table.assign(_line=list(lines))
    out.attrs = dict(table.attrs)
    return out


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


def _find_issuer(bodies: pd.DataFrame, province_id: str, when: pd.Timestamp) -> Issuer | None:
    """The row in force for ``province_id`` (following successors), or None; two rows is an error."""
    seen: list[str] = []
    current = province_id
    table = _with_lines(bodies)
    while current not in seen:
        seen.append(current)
        rows = table.loc[table["province_id"] == current]
        now = in_force(rows, when)
        if len(now) > 1:
            lines = ", ".join(str(n) for n in now["_line"])
            raise PlanValidationError(
                [
                    Problem(
                        _file(bodies, "issuing_bodies"),
                        int(now["_line"].iloc[1]),
                        "province_id",
                        current,
                        f"hai cơ quan ban hành cùng hiệu lực ngày {vnformat.date(when)} (dòng {lines})",
                    )
                ]
            )
        if len(now) == 1:
            return _issuer(now.iloc[0])
        ended = rows.loc[pd.to_datetime(rows["valid_to"]) < when].sort_values("valid_to")
        if ended.empty or pd.isna(ended.iloc[-1]["successor_id"]) or not str(ended.iloc[-1]["successor_id"]):
            break
        current = str(ended.iloc[-1]["successor_id"])
    return None


def issuer_on(bodies: pd.DataFrame, province_id: str, on_date: DateLike) -> Issuer:
    """The issuing body of ``province_id`` on ``on_date``; after the province ended, its successor's.

    A province with no row in force is followed through ``successor_id`` of its last row that ended
    before ``on_date`` (a merger), as many steps as the data hold. No row at all is an error here;
    :func:`frame` uses :func:`default_issuer` instead.
    """
    when = day(on_date)
    found = _find_issuer(bodies, province_id, when)
    if found is None:
        raise _fail(
            _file(bodies, "issuing_bodies"),
            "province_id",
            province_id,
            f"không có cơ quan ban hành nào còn hiệu lực ngày {vnformat.date(when)} (thêm một dòng cho tỉnh này)",
        )
    return found


def default_issuer(plan: Plan) -> Issuer:
    """The People's Committee of the plan's province, from the plan's own name (no row needed)."""
    name = plan.province_name
    return Issuer(
        province_id=plan.province_id,
        parent_body=DEFAULT_PARENT_BODY,
        issuing_body=f"TỈNH {name.upper()}",
        place_name=name,
        short_name=f"UBND tỉnh {name}",
        number_suffix=DEFAULT_NUMBER_SUFFIX,
        valid_from=None,
        valid_to=None,
        successor_id="",
        defaulted=True,
    )


def _issuer_or_default(bodies: pd.DataFrame, plan: Plan, when: pd.Timestamp, warnings: list[Problem]) -> Issuer:
    found = _find_issuer(bodies, plan.province_id, when)
    if found is not None:
        return found
    issuer = default_issuer(plan)
    warnings.append(
        Problem(
            _file(bodies, "issuing_bodies"),
            None,
            "province_id",
            plan.province_id,
            f"không có cơ quan ban hành nào còn hiệu lực ngày {vnformat.date(when)}: dùng mặc định "
            f"«{issuer.full_name}» ({issuer.parent_body} / {issuer.issuing_body}, nơi ban hành "
            f"{issuer.place_name}, số …/{issuer.number_suffix}); để thay, thêm một dòng cho tỉnh này vào "
            "data/reference/issuing_bodies.csv (hoặc issuing_bodies.csv trong thư mục kế hoạch)",
        )
    )
    return issuer


def _for_province(table: pd.DataFrame, province_id: str) -> pd.DataFrame:
    """Rows for every province (empty province_id) or for ``province_id``."""
    pid = table["province_id"]
    return table.loc[pid.isna() | (pid == "") | (pid == province_id)]


def _national(table: pd.DataFrame) -> pd.Series:
    pid = table["province_id"]
    return pid.isna() | (pid == "")


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


def _key(row: pd.Series) -> str:
    key = row.get("body_key")
    return str(key) if isinstance(key, str) and key else str(row["body_id"])


def duties_in_force(plan: Plan, table: pd.DataFrame, province_id: str, when: pd.Timestamp) -> pd.DataFrame:
    """The responsibilities rows in force on ``when`` for ``province_id``, in order, with ``_line``.

    A province's own row replaces the national row of the same ``body_key``; a row with a
    ``product_group`` applies only when the plan's products include that group.
    """
    rows = in_force(_for_province(_with_lines(table), province_id), when)
    if "product_group" in rows.columns:
        keep = [has_product_group(plan.products, g if isinstance(g, str) else "") for g in rows["product_group"]]
        rows = rows.loc[keep]
    keys = rows.apply(_key, axis=1) if len(rows) else pd.Series([], dtype="str")
    own_keys = set(keys[~_national(rows)]) if len(rows) else set()
    rows = rows.loc[~(_national(rows) & keys.isin(own_keys))] if len(rows) else rows
    return rows.sort_values("order", kind="stable").reset_index(drop=True)


def _deadline_dates(spec: str, plan: Plan, reporting: dict) -> list[tuple[str, pd.Timestamp]]:
    """(label, date) of each date a deadline spec stands for; empty for 'continuous'."""
    year = plan.year
    rounds = plan.rounds.sort_values(["deadline", "round"], kind="stable")
    round_labels = [
        (f"đợt {r.round} {labels.LEVEL.get(r.level, r.level).lower()}", day(r.deadline))
        for r in rounds.itertuples(index=False)
    ]
    if spec == "continuous":
        return []
    if spec == "each_round":
        return round_labels
    if spec == "round_reports":
        n = pd.Timedelta(days=int(reporting["round_report_days"]))
        return [(label, when + n) for label, when in round_labels]
    if spec == "year_report":
        spec = reporting["year_report"]
    if "/" in spec:
        d, m = (int(x) for x in spec.split("/"))
        return [("", pd.Timestamp(year, m, d))]
    return [("", pd.Timestamp(spec))]


def _dates_text(dates: list[tuple[str, pd.Timestamp]], when: pd.Timestamp) -> str:
    parts = []
    for label, d in dates:
        due = f" ({DUE_WORDS})" if d < when else ""
        parts.append(f"{label} trước ngày {vnformat.date(d)}{due}" if label else f"{vnformat.date(d)}{due}")
    return "; ".join(parts)


def deadline_words(spec: str, plan: Plan, reporting: dict, when: pd.Timestamp) -> tuple[str, bool]:
    """The words after "Thời hạn:" for a deadline spec on ``when``, and whether it is all past due.

    A date before the document's date is written as already due ("đã đến hạn"), not as a future task.
    """
    dates = _deadline_dates(spec, plan, reporting)
    if not dates:
        return f"thường xuyên trong năm {plan.year}", False
    due = all(d < when for _, d in dates)
    if len(dates) == 1 and not dates[0][0]:
        d = dates[0][1]
        if due:
            return (
                f"{vnformat.date(d)}, {DUE_WORDS} trước ngày của văn bản ({vnformat.date(when)}): "
                "cơ quan chủ trì báo cáo kết quả đã thực hiện",
                True,
            )
        return f"trước ngày {vnformat.date(d)}", False
    lead = {
        "each_round": "cùng thời hạn các đợt đánh giá",
        "round_reports": f"trong {reporting['round_report_days']} ngày kể từ hạn hoàn thành của mỗi đợt",
    }.get(spec, "")
    text = f"{lead}: {_dates_text(dates, when)}"
    if due:
        text = f"{DUE_WORDS} ({text}); cơ quan chủ trì báo cáo kết quả đã thực hiện"
    return text, due


def frame(
    plan: Plan,
    on_date: DateLike | None = None,
    official: tuple[dict[str, pd.DataFrame], dict] | None = None,
) -> Frame:
    """The official frame in force on ``on_date`` (default: the plan's issue date, else ``units_as_of``).

    ``official``: the tables and texts of the frame (default: those loaded with the plan, ``Plan.official``).
    What the tables do not give for the plan's province is defaulted from the plan itself — the
    issuer ("Ủy ban nhân dân tỉnh <tên tỉnh>"), the signer's titles, the recipients — and each
    default is listed in ``Frame.warnings`` with the file to add a row to. What cannot be defaulted
    (two issuers or two lead departments in force, a task whose lead body is not in force, an
    unknown placeholder) raises PlanValidationError naming file, row and column.
    """
    tables, texts = official if official is not None else plan.official
    when = day(on_date if on_date is not None else plan.issued_on)
    warnings: list[Problem] = []
    problems: list[Problem] = []
    bodies = tables["issuing_bodies"]
    issuer = _issuer_or_default(bodies, plan, when, warnings)
    original_date = day(plan.issued_on)
    original = _issuer_or_default(bodies, plan, min(original_date, when), [])
    successor = issuer.province_id != plan.province_id and original.province_id != issuer.province_id

    duties_table = tables["responsibilities"]
    duties_file = _file(duties_table, "responsibilities")
    duties = duties_in_force(plan, duties_table, issuer.province_id, when)
    leads = duties.loc[duties["role"] == "lead"]
    if len(leads) != 1:
        lines = ", ".join(str(n) for n in leads["_line"])
        problems.append(
            Problem(
                duties_file,
                int(leads["_line"].iloc[1]) if len(leads) > 1 else None,
                "role",
                "lead",
                f"cần đúng một cơ quan chủ trì (role lead) hiệu lực ngày {vnformat.date(when)}, có {len(leads)}"
                + (f" (dòng {lines}): sửa valid_from/valid_to để hai dòng không cùng hiệu lực" if lines else ""),
            )
        )
    lead_body = str(leads.iloc[0]["body_name"]) if len(leads) else "…"
    reporting = texts.get("reporting") or {"round_report_days": 0, "year_report": "15/12"}
    report_dates = _deadline_dates("round_reports", plan, reporting)
    summary_values = {
        "year": str(plan.year),
        "province_name": plan.province_name,
        "place_name": issuer.place_name,
        "predecessor": original.place_name,
        "lead_body": lead_body,
        "issuer_name": issuer.full_name,
        "round_report_days": str(reporting["round_report_days"]),
        "round_report_dates": _dates_text(report_dates, when),
        "year_report_date": vnformat.date(_deadline_dates("year_report", plan, reporting)[0][1]),
    }
    where = _texts_file(plan)
    summary_key = "summary_successor" if successor else "summary"
    summary = _fill(texts[summary_key], {**summary_values, "summary_lower": ""}, f"{where}, {summary_key}")
    values = {**summary_values, "summary_lower": summary[:1].lower() + summary[1:]}
    enacting_key = "enacting_successor" if successor else "enacting"
    enacting = _fill(texts.get(enacting_key, ""), values, f"{where}, {enacting_key}")

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
    tasks = _tasks(plan, texts, duties, lead_body, values, reporting, when, duties_file, problems)
    organisation = tuple(
        (str(r["role"]), str(r["body_name"]), _fill(str(r["duties"]), values, f"{duties_file}, {r['body_id']}"))
        for _, r in duties.iterrows()
    )
    funding = in_force(tables["funding_sources"], when).sort_values("order", kind="stable").reset_index(drop=True)
    recipients = _recipients(tables["recipients"], issuer, when, warnings)
    signature = _signature(tables["signers"], plan, issuer, successor, when, warnings, problems)
    if problems:
        raise PlanValidationError(problems)
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
        tasks=tasks,
        organisation=organisation,
        lead_body=lead_body,
        funding_sources=funding,
        recipients=recipients,
        signature=signature,
        document_number=plan.document_number,
        issue_date=plan.issue_date,
        enacting=enacting,
        warnings=tuple(warnings),
    )


def _texts_file(plan: Plan) -> str:
    src = Path(plan.source)
    return f"{src.name}/tasks.yaml" if src.is_dir() and (src / "tasks.yaml").exists() else "reference/tasks.yaml"


def _tasks(
    plan: Plan,
    texts: dict,
    duties: pd.DataFrame,
    lead_body: str,
    values: dict[str, str],
    reporting: dict,
    when: pd.Timestamp,
    duties_file: str,
    problems: list[Problem],
) -> tuple[Task, ...]:
    """The tasks of tasks.yaml that apply on ``when`` to this plan, with their bodies and deadline words."""
    names: dict[str, str] = {}
    for _, row in duties.iterrows():
        names.setdefault(_key(row), str(row["body_name"]))
        names.setdefault(str(row["body_id"]), str(row["body_name"]))
    out: list[Task] = []
    for spec in texts["tasks"]:
        if isinstance(spec, tuple):  # (title, text) given by a caller
            spec = TaskSpec(title=spec[0], text=spec[1])
        if (spec.valid_from is not None and when < spec.valid_from) or (
            spec.valid_to is not None and when > spec.valid_to
        ):
            continue
        if not has_product_group(plan.products, spec.product_group):
            continue
        where = f"{spec.file or 'tasks.yaml'}, {spec.column or 'tasks'}"
        lead = names.get(spec.lead) if spec.lead else lead_body
        if lead is None:
            problems.append(
                Problem(
                    spec.file or "tasks.yaml",
                    spec.line,
                    f"{spec.column}.lead",
                    spec.lead,
                    f"cơ quan chủ trì không có dòng hiệu lực ngày {vnformat.date(when)} trong {duties_file} "
                    f"(đang hiệu lực: {', '.join(sorted(names))}); sửa lead hoặc valid_from/valid_to của nhiệm vụ",
                )
            )
            continue
        support = tuple(dict.fromkeys(names[k] for k in spec.support if k in names and names[k] != lead))
        try:
            deadline, due = deadline_words(spec.deadline, plan, reporting, when)
        except ValueError:
            problems.append(
                Problem(
                    spec.file or "tasks.yaml",
                    spec.line,
                    f"{spec.column}.deadline",
                    spec.deadline,
                    f"không phải một ngày có thật của năm {plan.year}",
                )
            )
            continue
        out.append(
            Task(
                title=_fill(spec.title, values, where),
                text=_fill(spec.text, values, where),
                lead=lead,
                support=support,
                deadline=deadline,
                due=due,
                id=spec.id,
            )
        )
    return tuple(out)


def _recipients(table: pd.DataFrame, issuer: Issuer, when: pd.Timestamp, warnings: list[Problem]) -> tuple[str, ...]:
    rows = in_force(_for_province(table, issuer.province_id), when).sort_values("order", kind="stable")
    file = _file(table, "recipients")
    if rows.empty:
        warnings.append(
            Problem(
                file,
                None,
                "province_id",
                issuer.province_id,
                f"không có nơi nhận nào hiệu lực ngày {vnformat.date(when)}: dùng mặc định "
                f"«{'; '.join(DEFAULT_RECIPIENTS)}»; để thay, thêm các dòng vào data/reference/recipients.csv "
                "(province_id trống cho mọi tỉnh) hoặc recipients.csv trong thư mục kế hoạch",
            )
        )
        return DEFAULT_RECIPIENTS
    if issuer.defaulted and not (rows["province_id"] == issuer.province_id).any():
        warnings.append(
            Problem(
                file,
                None,
                "province_id",
                issuer.province_id,
                f"tỉnh chưa có nơi nhận riêng: dùng {len(rows)} dòng chung cho mọi tỉnh (province_id trống); "
                "để thay, thêm các dòng có province_id của tỉnh vào recipients.csv",
            )
        )
    return tuple(str(r) for r in rows["recipient"])


def _signature(
    table: pd.DataFrame,
    plan: Plan,
    issuer: Issuer,
    successor: bool,
    when: pd.Timestamp,
    warnings: list[Problem],
    problems: list[Problem],
) -> Signature:
    file = _file(table, "signers")
    signers = in_force(_for_province(_with_lines(table), issuer.province_id), when)
    own = signers.loc[signers["province_id"] == issuer.province_id]
    signers = own if not own.empty else signers
    name = plan.signer_name if not successor else ""
    if signers.empty:
        warnings.append(
            Problem(
                file,
                None,
                "province_id",
                issuer.province_id,
                f"không có chức danh người ký hiệu lực ngày {vnformat.date(when)}: dùng mặc định "
                f"«{' / '.join(DEFAULT_SIGNER)}»; để thay, thêm một dòng vào data/reference/signers.csv "
                "(province_id của tỉnh, hoặc trống cho mọi tỉnh) hoặc signers.csv trong thư mục kế hoạch",
            )
        )
        return Signature(*DEFAULT_SIGNER, name=name)
    if len(signers) > 1:
        lines = ", ".join(str(n) for n in signers["_line"])
        problems.append(
            Problem(
                file,
                int(signers["_line"].iloc[1]),
                "province_id",
                issuer.province_id,
                f"cần đúng một dòng chức danh người ký hiệu lực ngày {vnformat.date(when)} (dòng {lines})",
            )
        )
    s = signers.iloc[0]
    if issuer.defaulted and own.empty:
        warnings.append(
            Problem(
                file,
                int(s["_line"]),
                "province_id",
                issuer.province_id,
                f"tỉnh chưa có chức danh người ký riêng: dùng dòng chung cho mọi tỉnh "
                f"«{s['authority_line']} / {'' if pd.isna(s['deputy_line']) else s['deputy_line']} / "
                f"{s['title_line']}»; để thay, thêm một dòng có province_id của tỉnh vào signers.csv",
            )
        )
    return Signature(
        authority_line=str(s["authority_line"]),
        deputy_line="" if pd.isna(s["deputy_line"]) else str(s["deputy_line"]),
        title_line=str(s["title_line"]),
        name=name,
    )


# ----------------------------------------------------------------------------- checked before a build
def frame_dates(plan: Plan, official: tuple[dict[str, pd.DataFrame], dict] | None = None) -> list[pd.Timestamp]:
    """The dates on which the plan's frame may differ: the issue date, 1 January of the plan year and
    every day inside the plan year on which a dated row of the frame's tables or tasks starts or
    stops (the successor's date after a merger), or a round falls due."""
    tables, texts = official if official is not None else plan.official
    first, last = pd.Timestamp(plan.year, 1, 1), pd.Timestamp(plan.year, 12, 31)
    dates = {day(plan.issued_on), first}
    for table in tables.values():
        for column, shift in (("valid_from", 0), ("valid_to", 1), ("issued_on", 0)):
            if column in table.columns:
                values = pd.to_datetime(table[column]).dropna()
                dates |= {day(v) + pd.Timedelta(days=shift) for v in values}
    for spec in texts.get("tasks", ()):
        if isinstance(spec, TaskSpec):
            dates |= {day(spec.valid_from)} if spec.valid_from is not None else set()
            dates |= {day(spec.valid_to) + pd.Timedelta(days=1)} if spec.valid_to is not None else set()
    dates |= {day(d) for d in plan.rounds["deadline"]}
    return sorted(d for d in dates if first <= d <= last or d == day(plan.issued_on))


def frame_problems(
    plan: Plan, official: tuple[dict[str, pd.DataFrame], dict] | None = None
) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) of the frame on every date of :func:`frame_dates`, each listed once."""
    errors: dict[tuple, Problem] = {}
    warnings: dict[tuple, Problem] = {}
    for when in frame_dates(plan, official):
        try:
            fr = frame(plan, when, official)
        except PlanValidationError as exc:
            for p in exc.problems:
                errors.setdefault((p.file, p.row, p.column, p.value), p)
            continue
        for p in fr.warnings:
            warnings.setdefault((p.file, p.row, p.column, p.value), p)
    return list(errors.values()), list(warnings.values())


def check_frame(plan: Plan) -> Plan:
    """Check the document's frame before anything is computed; returns ``plan`` with the frame's
    warnings (defaults used) added to ``Plan.warnings``, or raises PlanValidationError naming file,
    row and column of what cannot be defaulted."""
    errors, warnings = frame_problems(plan)
    if errors:
        raise PlanValidationError(errors)
    known = {(p.file, p.row, p.column, p.value) for p in plan.warnings if isinstance(p, Problem)}
    new = tuple(p for p in warnings if (p.file, p.row, p.column, p.value) not in known)
    return dataclasses.replace(plan, warnings=(*plan.warnings, *new)) if new else plan


# ----------------------------------------------------------------------------- blocks
def task_items(task: Task) -> list[Block]:
    """One task's paragraphs: its text, "Cơ quan chủ trì: …" and "Thời hạn: …"."""
    support = f"; cơ quan phối hợp: {', '.join(task.support)}" if task.support else ""
    return [
        Paragraph(task.text),
        Paragraph(f"Cơ quan chủ trì: {task.lead}{support}."),
        Paragraph(f"Thời hạn: {task.deadline}."),
    ]


def organisation_blocks(fr: Frame, first_task_number: int | None = None) -> list[Block]:
    """V. Tổ chức thực hiện: one numbered item per responsible body — its duties, then the tasks of
    part III it leads (numbered from ``first_task_number`` when given)."""
    out: list[Block] = []
    for n, (_role, body, duties) in enumerate(fr.organisation, start=1):
        out += [Heading(2, body, f"{n}."), Paragraph(duties)]
        led = [
            (f"{first_task_number + i}. " if first_task_number is not None else "") + t.title
            for i, t in enumerate(fr.tasks)
            if t.lead == body
        ]
        if led:
            out.append(Paragraph(f"Chủ trì các nhiệm vụ tại Mục {roman(3)}: {'; '.join(led)}."))
    return out


def editable_task_blocks(fr: Frame, first_number: int) -> list[Block]:
    """The planner-editable tasks as numbered items, continuing the computed ones; each says who
    leads it ("Cơ quan chủ trì") and by when ("Thời hạn")."""
    out: list[Block] = []
    for i, task in enumerate(fr.tasks):
        out += [Heading(2, task.title, f"{first_number + i}."), *task_items(task)]
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

    The body opens with the enacting sentence ("Ủy ban nhân dân tỉnh … ban hành Kế hoạch … như
    sau:", ``Frame.enacting``), then the parts: I. Mục đích, yêu cầu (frame); II. Mục tiêu, chỉ tiêu (``targets_blocks``); III. Nhiệm vụ,
    giải pháp (``tasks_blocks`` — rounds, branding — then the editable tasks, numbered on from the
    level-2 headings given, each with its lead body and deadline); IV. Kinh phí (``budget_blocks``);
    V. Tổ chức thực hiện (frame: each body's duties and the tasks of III it leads); Proposals
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
        (PARTS[4], organisation_blocks(fr, computed_items + 1)),
    ]
    body: list[Block] = [Paragraph(fr.enacting)] if fr.enacting else []
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

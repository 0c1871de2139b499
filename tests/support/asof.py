"""What a document may say on its date, derived from the dated reference tables (never a hand list).

A plan speaks as of its issue date: it names no body, unit or legal text that is not in force on that
date, and no date after it except its own deadlines and reporting dates. The names come from
issuing_bodies.csv, responsibilities.csv, recipients.csv, funding_sources.csv, legal_bases.csv and
the units of the plan's provinces: the names of rows out of force on the date, less the names some
row in force on the date also carries (the old and the new tỉnh Bắc Ninh share a name).
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from ocop_helpers.core.dated import day, in_force
from ocop_helpers.document import docmodel, official
from ocop_helpers.inputs.plan import Plan

DATE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4})(?![\d/])")
DATE_WORDS = re.compile(r"ngày (\d{1,2}) tháng (\d{1,2}) năm (\d{4})")


def related_provinces(plan: Plan) -> set[str]:
    """The plan's province, the provinces it became (successor_id, followed) and those it came from."""
    bodies = plan.official[0]["issuing_bodies"]
    successor = {
        str(p): str(s) for p, s in zip(bodies["province_id"], bodies["successor_id"], strict=True) if pd.notna(s) and s
    }
    out = {plan.province_id} | {p for p, s in successor.items() if s == plan.province_id}
    current = plan.province_id
    while current in successor and successor[current] not in out:
        current = successor[current]
        out.add(current)
    return out


def _names(table: pd.DataFrame, kind: str) -> set[str]:
    out: set[str] = set()
    for _, row in table.iterrows():
        if kind == "issuing_bodies":
            out |= {str(row["short_name"]), str(row["issuing_body"]), f"tỉnh {row['place_name']}"}
        elif kind == "responsibilities":
            out.add(str(row["body_name"]))
        elif kind == "recipients":
            out |= {str(row["recipient"]), str(row["recipient"]).split(" (")[0]}
        elif kind == "funding_sources":
            out.add(str(row["name"]))
        elif kind == "legal_bases":
            out.add(official.legal_basis_text(row).removeprefix("Căn cứ "))
            if str(row["kind"]) != "Luật" and pd.notna(row["number"]) and str(row["number"]):
                out.add(str(row["number"]))
        elif kind == "units":
            out.add(f"{row['unit_kind']} {row['unit_name']}".strip())
    return {n for n in out if n.strip()}


def _tables(plan: Plan) -> dict[str, pd.DataFrame]:
    tables = plan.official[0]
    related = related_provinces(plan)
    units = plan.all_units if plan.all_units is not None else plan.units
    out = {k: tables[k] for k in ("issuing_bodies", "responsibilities", "recipients", "funding_sources", "legal_bases")}
    out["units"] = units[units["province_id"].isin(related)]
    out["issuing_bodies"] = out["issuing_bodies"][out["issuing_bodies"]["province_id"].isin(related)]
    return out


def _in_force(table: pd.DataFrame, kind: str, when: pd.Timestamp) -> pd.DataFrame:
    rows = in_force(table, when)
    if kind == "legal_bases":
        rows = rows[pd.to_datetime(rows["issued_on"]) <= when]
    return rows


def forbidden_names(plan: Plan, on: dt.date | pd.Timestamp, ended_only: bool = False) -> set[str]:
    """Names a document of ``on`` must not use: of rows not in force on ``on`` (``ended_only``: of rows
    that ended before it), less the names of rows in force on ``on``."""
    when = day(on)
    everything = plan.official[0]
    allowed: set[str] = set()
    banned: set[str] = set()
    for kind, table in _tables(plan).items():
        whole = everything.get(kind, table) if kind != "units" else table
        allowed |= _names(_in_force(whole, kind, when), kind)
        ends = pd.to_datetime(table["valid_to"])
        if ended_only:
            out = table[ends.notna() & (ends < when)]
        else:
            out = table[~_mask(table, kind, when)]
        banned |= _names(out, kind)
    return banned - allowed


def _mask(table: pd.DataFrame, kind: str, when: pd.Timestamp) -> pd.Series:
    first, last = pd.to_datetime(table["valid_from"]), pd.to_datetime(table["valid_to"])
    keep = (first.isna() | (first <= when)) & (last.isna() | (last >= when))
    if kind == "legal_bases":
        keep &= pd.to_datetime(table["issued_on"]) <= when
    return keep


def dates_in(text: str) -> set[pd.Timestamp]:
    """Every date written in ``text`` ("15/6/2025" or "ngày 15 tháng 6 năm 2025")."""
    out = set()
    for pattern in (DATE, DATE_WORDS):
        for d, m, y in pattern.findall(text):
            try:
                out.add(pd.Timestamp(int(y), int(m), int(d)))
            except ValueError:
                continue
    return out


def own_dates(plan: Plan) -> set[pd.Timestamp]:
    """The plan's own later dates: its round deadlines, its tasks' deadlines and the reporting dates
    of its frame."""
    deadlines = {day(d) for d in plan.rounds["deadline"]}
    fr = official.frame(plan, plan.issued_on)
    reporting = {d for role, _, duties in fr.organisation if role == "reporting" for d in dates_in(duties)}
    tasks = {d for t in fr.tasks for d in dates_in(t.deadline)}
    return deadlines | reporting | tasks


def document_text(doc: docmodel.Document, proposals: bool = True) -> str:
    """The signable text of ``doc``: header, title, Căn cứ, body, signature, recipients (and the
    proposals that go with it); not the appendices (the planner's analysis)."""
    h = doc.header
    parts = [h.parent_body, h.issuing_body, h.number_line, h.place_date, doc.doc_type, doc.summary]
    parts += list(doc.legal_bases) + [doc.legal_bases_note]
    blocks = list(doc.body) + (list(doc.proposals) if proposals else [])
    for b in blocks:
        if isinstance(b, docmodel.Heading):
            parts.append(b.label)
        elif isinstance(b, docmodel.Paragraph | docmodel.Notice):
            parts.append(b.text)
        elif isinstance(b, docmodel.Table):
            parts += [b.caption, b.note, *(c.header for c in b.columns), *(cell for row in b.rows for cell in row)]
        elif isinstance(b, docmodel.Chart):
            parts += [b.alt, b.caption]
    parts += list(doc.signature.lines) + [doc.signature.name] + list(doc.recipients)
    return docmodel.plain("\n".join(p for p in parts if p))


def page_text(page: str) -> str:
    """The signable part of a rendered plan.html: everything before the first appendix."""
    from tests.support import docfind

    cut = page.find('<section class="appendix"')
    return docfind.visible_text(page[: cut if cut >= 0 else len(page)], blocks=True)


def violations(text: str, plan: Plan, on: dt.date | pd.Timestamp | None = None) -> list[str]:
    """What ``text`` says that is not in force on ``on`` (default: the plan's issue date): names out
    of force, and dates after ``on`` that are not the plan's own deadlines or reporting dates."""
    when = day(on if on is not None else plan.issued_on)
    found = [f"tên: {n}" for n in sorted(forbidden_names(plan, when)) if n in text]
    allowed = own_dates(plan)
    found += [f"ngày: {d:%d/%m/%Y}" for d in sorted(dates_in(text)) if d > when and d not in allowed]
    return found


def successor_violations(text: str, plan: Plan, on: dt.date | pd.Timestamp) -> list[str]:
    """Names of bodies, units and texts that ended before ``on`` in the successor's text, except where it
    cites the original plan: the "Căn cứ Kế hoạch số …" line and "tỉnh <province> (cũ)"."""
    original = official.issuer_on(plan.official[0]["issuing_bodies"], plan.province_id, plan.issued_on)
    lines = [line for line in text.splitlines() if not line.startswith("Căn cứ Kế hoạch số")]
    kept = "\n".join(lines).replace(f"tỉnh {original.place_name} (cũ)", "")
    return [f"tên: {n}" for n in sorted(forbidden_names(plan, on, ended_only=True)) if n in kept]

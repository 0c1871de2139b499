"""Checks on a plan's inputs beyond one column: plan.yaml keys, provenance, norms in force, cross-table consistency."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable

import pandas as pd

from ocop_helpers.core.dated import norms_in_force
from ocop_helpers.core.errors import Problem
from ocop_helpers.inputs import plan as P
from ocop_helpers.inputs.outcome_targets import parse_outcome_targets
from ocop_helpers.inputs.schema import _as_date, _province_id, parse_code, parse_int, parse_money, unknown_names


def check_meta(meta: dict, file: str, warnings: list[Problem] | None = None) -> tuple[dict, list[Problem]]:
    """Validate the plan.yaml mapping; return the typed values and the problems found.

    Dates must be plausible for the plan: ``units_as_of`` and every round deadline fall in the plan's
    year. Unknown keys are ignored and appended to ``warnings`` unless they look like a typo of a
    known key (then they are problems).
    """
    problems: list[Problem] = []
    out: dict = {}
    warnings = [] if warnings is None else warnings

    def names(where: dict, known: list[str], prefix: str = "") -> None:
        typos, extra = unknown_names([str(k) for k in where], known, file, "khóa")
        for found, into in ((typos, problems), (extra, warnings)):
            into += [Problem(p.file, p.row, prefix + (p.column or ""), p.value, p.expected) for p in found]

    def need(key: str, parse: Callable[[object], object], expected: str, where: dict = meta, prefix: str = "") -> None:
        name = prefix + key
        if key not in where or where[key] is None or str(where[key]).strip() == "":
            problems.append(Problem(file, None, name, None, f"thiếu khóa bắt buộc ({expected})"))
            return
        try:
            out[name] = parse(where[key])
        except (ValueError, TypeError):
            problems.append(Problem(file, None, name, str(where[key]), f"cần {expected}"))

    def count(v: object) -> int:
        if isinstance(v, bool):
            raise ValueError
        n = v if isinstance(v, int) else parse_int(str(v))
        if n < 0:
            raise ValueError
        return n

    if not isinstance(meta, dict):
        return {}, [Problem(file, None, None, None, "tệp phải là một bảng khóa: giá trị (YAML mapping)")]
    need("province_id", _province_id, "mã tỉnh viết thường, không dấu, nối bằng dấu '-' (vd. tinh-mau)")
    need("province_name", lambda v: str(v).strip(), "tên tỉnh")
    need("year", lambda v: count(v) if 2000 <= count(v) <= 2100 else int("x"), "năm kế hoạch (bốn chữ số)")
    need("units_as_of", _as_date, "ngày áp dụng danh mục đơn vị hành chính (YYYY-MM-DD)")
    out["plan_document"] = str(meta.get("plan_document") or "")
    targets = meta.get("targets")
    if not isinstance(targets, dict):
        problems.append(Problem(file, None, "targets", None, "thiếu mục chỉ tiêu 'targets'"))
    else:
        counts = ("new", "reevaluation", "upgrade", "total", "organisations_branding", "stock_target")
        for key in counts:
            need(key, count, "một số nguyên không âm", targets, "targets.")
        names(targets, [*counts, "budget_total_vnd"], "targets.")
        need(
            "budget_total_vnd",
            lambda v: count(v) if isinstance(v, int) else parse_money(str(v)),
            "tổng kinh phí, số nguyên đồng (vd. 20900000000)",
            targets,
            "targets.",
        )
        parts = [out.get(f"targets.{k}") for k in ("new", "reevaluation", "upgrade")]
        if all(isinstance(p, int) for p in parts) and isinstance(out.get("targets.total"), int):
            if sum(parts) != out["targets.total"]:
                problems.append(
                    Problem(
                        file,
                        None,
                        "targets.total",
                        str(out["targets.total"]),
                        f"tổng phải bằng new + reevaluation + upgrade = {sum(parts)}",
                    )
                )
    rounds = meta.get("rounds")
    rows: list[dict] = []
    if not isinstance(rounds, list) or not rounds:
        problems.append(Problem(file, None, "rounds", None, "cần danh sách các đợt đánh giá (round, level, deadline)"))
    else:
        for i, r in enumerate(rounds, start=1):
            name = f"rounds[{i}]"
            if not isinstance(r, dict):
                problems.append(Problem(file, None, name, str(r), "cần round, level, deadline"))
                continue
            row: dict = {}
            names(r, ["round", "level", "deadline"], f"{name}.")
            for key, parse, expected in (
                ("round", count, "số thứ tự đợt (1, 2, …)"),
                ("level", lambda v: parse_code(P.LEVELS)(str(v)), "cấp: " + ", ".join(P.LEVELS)),
                ("deadline", _as_date, "ngày hạn hoàn thành (YYYY-MM-DD)"),
            ):
                try:
                    row[key] = parse(r[key])
                except KeyError:
                    problems.append(Problem(file, None, f"{name}.{key}", None, f"thiếu {expected}"))
                except (ValueError, TypeError):
                    problems.append(Problem(file, None, f"{name}.{key}", str(r[key]), f"cần {expected}"))
            rows.append(row)
    out["rounds"] = rows
    year = out.get("year")
    if isinstance(year, int):
        # The plan's dates belong to its year: a deadline in another year is a typing mistake. The
        # unit list may be the one in force when the plan was drafted, late in the year before.
        when = out.get("units_as_of")
        if isinstance(when, pd.Timestamp) and not year - 1 <= when.year <= year:
            problems.append(
                Problem(
                    file,
                    None,
                    "units_as_of",
                    f"{when:%Y-%m-%d}",
                    f"ngày phải thuộc năm kế hoạch {year} (hoặc năm trước đó, khi lập kế hoạch)",
                )
            )
        for i, row in enumerate(rows, start=1):
            deadline = row.get("deadline")
            if isinstance(deadline, pd.Timestamp) and deadline.year != year:
                problems.append(
                    Problem(
                        file,
                        None,
                        f"rounds[{i}].deadline",
                        f"{deadline:%Y-%m-%d}",
                        f"hạn của đợt đánh giá phải thuộc năm kế hoạch {year}",
                    )
                )
    sources = meta.get("sources") or {}
    if not isinstance(sources, dict):
        problems.append(Problem(file, None, "sources", None, "cần một bảng khóa: trích dẫn nguồn"))
    out["sources"] = {str(k): str(v) for k, v in sources.items()} if isinstance(sources, dict) else {}
    out["previous_plan"] = str(meta["previous_plan"]).strip() if meta.get("previous_plan") else ""
    problems += _check_document_keys(meta, out, file)
    problems += _check_provenance(meta, out, file)
    out["outcome_targets"], found = parse_outcome_targets(meta.get("outcome_targets"), file)
    problems += found
    known = {
        "province_id",
        "province_name",
        "year",
        "units_as_of",
        "plan_document",
        "targets",
        "rounds",
        "sources",
        "previous_plan",
        "outcome_targets",
        *DOCUMENT_KEYS,
        *PROVENANCE_KEYS,
    }
    names(meta, sorted(known))
    return out, problems


DOCUMENT_KEYS: tuple[str, ...] = ("issue_date", "document_number", "status", "signer_name", "adjustment_date")


def _check_document_keys(meta: dict, out: dict, file: str) -> list[Problem]:
    """The optional keys of the plan as a document: issue_date, document_number, status, signer_name,
    adjustment_date (the date of the successor's adjusted plan, when a reorganisation falls inside the year)."""
    problems: list[Problem] = []
    out["issue_date"] = None
    value = meta.get("issue_date")
    if value is not None and str(value).strip() != "":
        try:
            out["issue_date"] = _as_date(value)
        except (ValueError, TypeError):
            problems.append(Problem(file, None, "issue_date", str(value), "cần ngày ban hành kế hoạch (YYYY-MM-DD)"))
        year = out.get("year")
        if out["issue_date"] is not None and isinstance(year, int) and out["issue_date"].year not in (year - 1, year):
            problems.append(
                Problem(
                    file,
                    None,
                    "issue_date",
                    str(value),
                    f"ngày ban hành phải thuộc năm {year - 1} hoặc năm kế hoạch {year}",
                )
            )
    number = meta.get("document_number")
    out["document_number"] = "" if number is None else str(number).strip()
    if out["document_number"] and not re.fullmatch(r"\d+/[\w.\-]+", out["document_number"]):
        problems.append(
            Problem(file, None, "document_number", out["document_number"], "cần số/ký hiệu dạng '15/KH-UBND'")
        )
    status = meta.get("status")
    out["status"] = "draft" if status is None or str(status).strip() == "" else str(status).strip()
    if out["status"] not in P.PLAN_STATUSES:
        problems.append(
            Problem(file, None, "status", out["status"], "cần 'draft' (dự thảo) hoặc 'issued' (đã ban hành)")
        )
        out["status"] = "draft"
    elif out["status"] == "issued" and not out["document_number"]:
        problems.append(
            Problem(file, None, "document_number", None, "kế hoạch đã ban hành (status: issued) cần số/ký hiệu")
        )
    signer = meta.get("signer_name")
    out["signer_name"] = "" if signer is None else str(signer).strip()
    out["adjustment_date"] = None
    value = meta.get("adjustment_date")
    if value is not None and str(value).strip() != "":
        year = out.get("year")
        try:
            out["adjustment_date"] = _as_date(value)
        except (ValueError, TypeError):
            problems.append(
                Problem(file, None, "adjustment_date", str(value), "cần ngày của kế hoạch điều chỉnh (YYYY-MM-DD)")
            )
        if out["adjustment_date"] is not None and isinstance(year, int) and out["adjustment_date"].year != year:
            problems.append(
                Problem(file, None, "adjustment_date", str(value), f"ngày điều chỉnh phải thuộc năm kế hoạch {year}")
            )
    return problems


PROVENANCE_KEYS: tuple[str, ...] = ("provenance", "approximate")


# What a plan's figures rest on, dataset by dataset; a dataset the plan does not declare is illustrative.
PROVENANCE_DATASETS: tuple[str, ...] = (
    "targets",
    "rounds",
    "history",
    "norms",
    "budget_lines",
    "products",
    "organisations",
    "requests",
    "results",
)


PROVENANCE_VALUES: tuple[str, ...] = ("published", "illustrative")


def _check_provenance(meta: dict, out: dict, file: str) -> list[Problem]:
    """``provenance``: dataset -> published | illustrative (undeclared = illustrative);
    ``approximate``: target keys the source gives as approximate ("khoảng 20,9 tỷ đồng")."""
    problems: list[Problem] = []
    given = meta.get("provenance") or {}
    out["provenance"] = {name: "illustrative" for name in PROVENANCE_DATASETS}
    if not isinstance(given, dict):
        problems.append(Problem(file, None, "provenance", str(given), "cần bảng tên dữ liệu: published/illustrative"))
        given = {}
    for key, value in given.items():
        if key not in PROVENANCE_DATASETS:
            problems.append(
                Problem(
                    file,
                    None,
                    f"provenance.{key}",
                    None,
                    "tên dữ liệu không có; cần: " + ", ".join(PROVENANCE_DATASETS),
                )
            )
        elif str(value) not in PROVENANCE_VALUES:
            problems.append(
                Problem(
                    file,
                    None,
                    f"provenance.{key}",
                    str(value),
                    "cần 'published' (đã công bố) hoặc 'illustrative' (minh họa)",
                )
            )
        else:
            out["provenance"][key] = str(value)
    approx = meta.get("approximate") or []
    if isinstance(approx, str):  # a workbook's cell: "budget_total_vnd, stock_target"
        approx = [a.strip() for a in approx.split(",") if a.strip()]
    target_keys = [f.name for f in dataclasses.fields(P.Targets)]
    if not isinstance(approx, list) or any(str(a) not in target_keys for a in approx):
        problems.append(
            Problem(file, None, "approximate", str(approx), "cần danh sách khóa chỉ tiêu: " + ", ".join(target_keys))
        )
        approx = []
    out["approximate"] = tuple(str(a) for a in approx)
    return problems


def check_as_of(year: int, as_of: dt.date | None) -> list[str]:
    """The 'as of' date a run looks at the calendar from must fall in the plan's year."""
    if as_of is not None and as_of.year != year:
        return [f"'as_of' = {as_of:%Y-%m-%d}: ngày xem xét phải thuộc năm kế hoạch {year}"]
    return []


def check_norms_in_force(norms: pd.DataFrame, when: pd.Timestamp, file: str) -> list[Problem]:
    """Every support line has a norm in force at the start of the plan year, and none twice."""
    problems: list[Problem] = []
    active = norms_in_force(norms, when)
    for line in P.NORM_LINES:
        if not (active["line"] == line).any():
            problems.append(
                Problem(
                    file,
                    None,
                    "line",
                    line,
                    f"không có định mức '{line}' còn hiệu lực ngày {when.day}/{when.month}/{when.year}",
                )
            )
    key = active[["line", "case", "star"]].astype("str")
    dup = key.duplicated(keep=False)
    file_lines = list(norms.attrs.get("lines") or range(2, len(norms) + 2))
    lines_of: dict[tuple, list[int]] = {}
    for idx, is_dup in zip(active.index, dup, strict=False):
        if is_dup:
            lines_of.setdefault(tuple(key.loc[idx]), []).append(file_lines[norms.index.get_loc(idx)])
    for k, rows in lines_of.items():
        problems.append(
            Problem(
                file,
                rows[-1],
                "valid_from",
                None,
                f"định mức {k[0]} {'' if k[1] == 'nan' else k[1]} {'' if k[2] == '<NA>' else k[2] + ' sao'} "
                f"có hiệu lực hai lần cùng lúc (các dòng {', '.join(map(str, rows))})",
            )
        )
    return problems


def check_consistency(t: dict[str, pd.DataFrame], meta: dict, files: dict[str, str]) -> list[Problem]:
    """Checks across tables: references, stream rules, and counts against the published targets."""
    problems: list[Problem] = []
    products, orgs, reqs = t["products"], t["organisations"], t["requests"]
    units = set(t["units"]["unit_id"].dropna())
    unit_note = (
        f"đơn vị hành chính của tỉnh '{meta.get('province_id')}' tại ngày {meta.get('units_as_of', pd.NaT):%Y-%m-%d}"
        if isinstance(meta.get("units_as_of"), pd.Timestamp)
        else "đơn vị hành chính hợp lệ"
    )
    codes = set(t["product_codes"]["code"].dropna())
    org_ids = set(orgs["organisation_id"].dropna())
    rounds = {r.get("round") for r in meta.get("rounds", [])}
    f = files

    def each(frame: pd.DataFrame):
        lines = frame.attrs.get("lines") or range(2, len(frame) + 2)
        yield from zip(lines, frame.itertuples(index=False), strict=False)

    for line, r in each(products):
        if isinstance(r.organisation_id, str) and r.organisation_id not in org_ids:
            problems.append(
                Problem(
                    f["products"], line, "organisation_id", r.organisation_id, "chủ thể không có trong organisations"
                )
            )
        if isinstance(r.unit_id, str) and r.unit_id not in units:
            problems.append(Problem(f["products"], line, "unit_id", r.unit_id, f"cần một {unit_note}"))
        if isinstance(r.product_code, str) and r.product_code not in codes:
            problems.append(
                Problem(f["products"], line, "product_code", r.product_code, "mã nhóm sản phẩm theo QĐ 148 (vd. I.3.b)")
            )
        if not pd.isna(r.planned_round) and int(r.planned_round) not in rounds:
            problems.append(
                Problem(
                    f["products"],
                    line,
                    "planned_round",
                    str(r.planned_round),
                    "một đợt có trong plan.yaml: "
                    + ", ".join(str(x) for x in sorted(x for x in rounds if x is not None)),
                )
            )
        if not pd.isna(r.target_star) and not 3 <= int(r.target_star) <= 5:
            problems.append(
                Problem(f["products"], line, "target_star", str(r.target_star), "hạng sao mục tiêu từ 3 đến 5")
            )
        if r.stream == "new":
            if not pd.isna(r.current_star):
                problems.append(
                    Problem(
                        f["products"],
                        line,
                        "current_star",
                        str(r.current_star),
                        "để trống với sản phẩm đánh giá lần đầu (new)",
                    )
                )
            if not pd.isna(r.certificate_date):
                problems.append(
                    Problem(
                        f["products"],
                        line,
                        "certificate_date",
                        f"{r.certificate_date:%Y-%m-%d}",
                        "để trống với sản phẩm đánh giá lần đầu (new)",
                    )
                )
        elif isinstance(r.stream, str):
            if pd.isna(r.current_star):
                problems.append(
                    Problem(
                        f["products"], line, "current_star", "", f"cần hạng sao hiện tại với hình thức '{r.stream}'"
                    )
                )
            if pd.isna(r.certificate_date):
                problems.append(
                    Problem(
                        f["products"],
                        line,
                        "certificate_date",
                        "",
                        f"cần ngày cấp giấy chứng nhận với hình thức '{r.stream}'",
                    )
                )
            if (
                r.stream == "upgrade"
                and not pd.isna(r.current_star)
                and not pd.isna(r.target_star)
                and r.target_star <= r.current_star
            ):
                problems.append(
                    Problem(
                        f["products"],
                        line,
                        "target_star",
                        str(r.target_star),
                        f"nâng hạng: hạng mục tiêu phải cao hơn hạng hiện tại ({r.current_star})",
                    )
                )
    for line, r in each(orgs):
        if isinstance(r.unit_id, str) and r.unit_id not in units:
            problems.append(Problem(f["organisations"], line, "unit_id", r.unit_id, f"cần một {unit_note}"))
    owner = dict(zip(products["product_id"], products["organisation_id"], strict=False))
    branding = set(orgs.loc[orgs["requests_branding"], "organisation_id"]) if "requests_branding" in orgs else set()
    for line, r in each(reqs):
        if isinstance(r.organisation_id, str):
            if r.organisation_id not in org_ids:
                problems.append(
                    Problem(
                        f["requests"],
                        line,
                        "organisation_id",
                        r.organisation_id,
                        "chủ thể không có trong organisations",
                    )
                )
            elif r.organisation_id not in branding:
                problems.append(
                    Problem(
                        f["requests"],
                        line,
                        "organisation_id",
                        r.organisation_id,
                        "chủ thể này không được đánh dấu requests_branding = true",
                    )
                )
        if r.item == "packaging":
            if not isinstance(r.product_id, str):
                problems.append(Problem(f["requests"], line, "product_id", "", "cần mã sản phẩm được hỗ trợ bao bì"))
            elif r.product_id not in owner:
                problems.append(
                    Problem(f["requests"], line, "product_id", r.product_id, "sản phẩm không có trong products")
                )
            elif owner[r.product_id] != r.organisation_id:
                problems.append(
                    Problem(
                        f["requests"],
                        line,
                        "product_id",
                        r.product_id,
                        f"sản phẩm thuộc chủ thể {owner[r.product_id]}, không phải {r.organisation_id}",
                    )
                )
    # Counts against the published targets.
    ycount = meta.get
    plan_file = f["plan"]
    for stream in P.STREAMS:
        want = ycount(f"targets.{stream}")
        have = int((products["stream"] == stream).sum())
        if isinstance(want, int) and have != want:
            problems.append(
                Problem(
                    f["products"],
                    None,
                    "stream",
                    stream,
                    f"có {have} sản phẩm '{stream}' nhưng {plan_file} ghi chỉ tiêu {want}",
                )
            )
    want = ycount("targets.organisations_branding")
    have = len(branding)
    if isinstance(want, int) and have != want:
        problems.append(
            Problem(
                f["organisations"],
                None,
                "requests_branding",
                None,
                f"có {have} chủ thể đề nghị hỗ trợ nhưng {plan_file} ghi {want}",
            )
        )
    want = ycount("targets.budget_total_vnd")
    lines = t["budget_lines"]
    have = int(lines["amount_vnd"].sum())
    if isinstance(want, int) and have != want:
        problems.append(
            Problem(
                f["budget_lines"],
                None,
                "amount_vnd",
                str(have),
                f"tổng các dòng kinh phí phải bằng tổng kinh phí trong {plan_file} ({want} đồng)",
            )
        )
    for _line, dup in each(lines[lines["line"].duplicated()]):
        problems.append(Problem(f["budget_lines"], None, "line", dup.line, "mỗi nội dung chi chỉ ghi một dòng"))
    missing_lines = [b for b in P.BUDGET_LINES if b not in set(lines["line"])]
    if missing_lines:
        problems.append(
            Problem(
                f["budget_lines"],
                None,
                "line",
                None,
                "thiếu nội dung chi: " + ", ".join(missing_lines) + " (ghi 0 nếu không bố trí)",
            )
        )
    year = meta.get("year")
    as_of = meta.get("units_as_of")
    if isinstance(as_of, pd.Timestamp):
        # A certificate cannot be dated after the plan was drawn up (units_as_of).
        for line, r in each(products):
            if not pd.isna(r.certificate_date) and r.certificate_date > as_of:
                problems.append(
                    Problem(
                        f["products"],
                        line,
                        "certificate_date",
                        f"{r.certificate_date:%Y-%m-%d}",
                        f"ngày cấp giấy chứng nhận không thể sau ngày lập kế hoạch (units_as_of = {as_of:%Y-%m-%d})",
                    )
                )
    if isinstance(year, int):
        end = pd.Timestamp(year, 12, 31)
        for line, r in each(t["history"]):
            if not pd.isna(r.date) and r.date > end:
                problems.append(
                    Problem(
                        f["history"],
                        line,
                        "date",
                        f"{r.date:%Y-%m-%d}",
                        f"số liệu lịch sử không thể sau năm kế hoạch (sau 31/12/{year})",
                    )
                )
    if isinstance(year, int):
        start = pd.Timestamp(year, 1, 1)
        if not (t["history"]["date"] < start).any():
            problems.append(
                Problem(
                    f["history"],
                    None,
                    "date",
                    None,
                    f"cần ít nhất một dòng trước ngày 1/1/{year}: số sản phẩm OCOP đầu năm kế hoạch",
                )
            )
        problems += check_norms_in_force(t["norms"], start, f["norms"])
    norms = t["norms"]
    for line, r in each(norms):
        if r.line == "reward" and (not isinstance(r.case, str) or pd.isna(r.star)):
            problems.append(
                Problem(
                    f["norms"],
                    line,
                    "case" if not isinstance(r.case, str) else "star",
                    "",
                    "dòng thưởng (reward) cần case và star",
                )
            )
        if r.line == "packaging" and (pd.isna(r.star) or pd.isna(r.share)):
            problems.append(
                Problem(
                    f["norms"],
                    line,
                    "star" if pd.isna(r.star) else "share",
                    "",
                    "định mức bao bì (packaging) cần star và share",
                )
            )
    return problems

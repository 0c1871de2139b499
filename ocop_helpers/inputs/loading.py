"""Loading a plan: the plan folder (or .xlsx), the reference tables, the official frame tables, last year's plans; every problem at once."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import tempfile
from pathlib import Path

import pandas as pd
import yaml

from ocop_helpers.core import atomic, paths
from ocop_helpers.core.dated import in_force
from ocop_helpers.core.errors import PlanValidationError, Problem
from ocop_helpers.inputs import plan as P
from ocop_helpers.inputs import readers
from ocop_helpers.inputs.checks import check_consistency, check_meta
from ocop_helpers.inputs.plan import Plan, Targets
from ocop_helpers.inputs.readers import _nfc, file_kind_problem, read_csv_text, read_text_input, read_xlsx_sheets
from ocop_helpers.inputs.results import load_results
from ocop_helpers.inputs.schema import _as_date, convert_table

PLAN_TABLES: tuple[str, ...] = ("products", "organisations", "requests", "history", "norms", "budget_lines")


REFERENCE_TABLES: tuple[str, ...] = ("product_codes", "star_bands", "authority_rules", "units", "unit_changes")


# Reference tables a plan folder (or workbook) may carry itself, replacing data/reference.
PLAN_OVERRIDABLE: tuple[str, ...] = ("units", "unit_changes")


# Where the full problem list goes when a message shows only part of it (OCOP_LOG_DIR overrides).
LOG_DIR_ENV = "OCOP_LOG_DIR"


def _meta_from_sheets(sheets: dict[str, pd.DataFrame], display: str) -> tuple[dict, list[Problem]]:
    """Rebuild the plan.yaml mapping from a workbook's 'plan', 'rounds' and 'sources' sheets."""
    meta: dict = {}
    problems: list[Problem] = []
    plan = sheets.get("plan")
    if plan is None or not {"key", "value"} <= set(plan.columns):
        problems.append(Problem(f"{display} (sheet plan)", None, None, None, "cần sheet 'plan' với hai cột key, value"))
    else:
        for line, key, value in zip(plan.attrs.get("lines", []), plan["key"], plan["value"], strict=False):
            node = meta
            *parents, leaf = key.strip().split(".")
            for p in parents:
                node = node.setdefault(p, {}) if isinstance(node, dict) else None
            if not isinstance(node, dict) or (leaf in node and isinstance(node[leaf], dict)):
                problems.append(
                    Problem(f"{display} (sheet plan)", line, "key", key, "khóa trùng hoặc lồng sai (vd. 'targets.new')")
                )
                continue
            node[leaf] = value
    if "rounds" in sheets:
        meta["rounds"] = sheets["rounds"].to_dict("records")
    if "sources" in sheets and {"key", "text"} <= set(sheets["sources"].columns):
        meta["sources"] = dict(zip(sheets["sources"]["key"], sheets["sources"]["text"], strict=False))
    return meta, problems


def load_plan(
    source: str | os.PathLike, reference_dir: str | os.PathLike | None = None, last_year: bool = True
) -> Plan:
    """Load and validate a plan folder or .xlsx workbook; raise PlanValidationError with every problem.

    The plan comes with everything the model reads (:func:`with_context`): the official frame's
    tables and texts, the whole units table and, with ``last_year``, last year's plans found in the
    data, so that computing a scenario reads no file.

    Unknown extra columns (and plan.yaml keys) are ignored and listed in ``Plan.warnings``; a name
    close to a known one (a typo) is an error. When the message cannot show every problem, the full
    list is written to a log file (:func:`write_problem_log`) whose path the message gives.
    """
    src = Path(source)
    ref_dir = Path(reference_dir) if reference_dir else paths.REFERENCE_DIR
    try:
        return with_context(_load_plan(src, ref_dir), ref_dir, last_year)
    except PlanValidationError as exc:
        if exc.truncated and exc.log_path is None:
            exc.attach_log(write_problem_log(exc.problems, src))
        raise


def with_context(plan: Plan, ref_dir: Path, last_year: bool = True) -> Plan:
    """``plan`` with the official frame, the whole units table, last year's plans (when asked) and the
    list of every file read."""
    tables, texts = load_official(plan, ref_dir)
    units_table = all_units(plan, ref_dir)
    found: dict[str, Plan] = {}
    searched: dict[str, tuple[str, ...]] = {}
    previous_province = ""
    if last_year:
        named = previous_plan_path(plan)
        if named is not None:
            previous = load_plan(named, ref_dir, last_year=False)
            found[previous.province_id] = previous
            previous_province = previous.province_id
        for pid in last_year_candidates(plan, units_table):
            if pid in found:
                continue
            folders = _previous_candidates(plan, pid)
            searched[pid] = tuple(str(f) for f in folders)
            for folder in folders:
                if (folder / "plan.yaml").exists():
                    found[pid] = load_plan(folder, ref_dir, last_year=False)
                    break
    # The results entered so far. Their problems are kept, not raised here: domain.season.check_loaded
    # reports them together with the payments checked against the norms (every problem at once).
    try:
        season, season_problems = load_results(plan), ()
    except PlanValidationError as exc:
        season, season_problems = None, tuple(exc.problems)
    files = _input_files(plan, ref_dir) + tuple(f for p in found.values() for f in p.input_files)
    if season is not None:
        where = Path(season.source)
        files += tuple(str(f) for f in sorted(where.glob("*")) if f.is_file()) if where.is_dir() else (str(where),)
    return dataclasses.replace(
        plan,
        official_tables=tables,
        official_texts=texts,
        all_units=units_table,
        last_year=found,
        last_year_searched=searched,
        previous_province=previous_province,
        season_results=season,
        season_problems=season_problems,
        input_files=tuple(dict.fromkeys(files)),
    )


def last_year_candidates(plan: Plan, units_table: pd.DataFrame) -> list[str]:
    """Provinces whose plan of last year may feed this plan: this province, and every province with a
    unit valid on 1 January of last year that ``unit_changes`` maps to another unit (the domain picks
    the real predecessors among them, :func:`ocop_helpers.domain.yoy.predecessors`)."""
    start = pd.Timestamp(plan.year - 1, 1, 1)
    old = in_force(units_table, start)
    changed = set(plan.unit_changes["from_unit_id"])
    others = sorted(set(old.loc[old["unit_id"].isin(changed), "province_id"]) - {plan.province_id})
    return [plan.province_id, *others]


def _input_files(plan: Plan, ref_dir: Path) -> tuple[str, ...]:
    """Every file the plan was read from: the plan folder's files (or the workbook) and the reference data."""
    src = Path(plan.source)
    own = sorted(f for f in src.glob("*") if f.is_file()) if src.is_dir() else [src]
    reference = sorted(f for f in ref_dir.glob("*") if f.is_file() and f.suffix in (".csv", ".yaml"))
    return tuple(str(f) for f in [*own, *reference])


def log_dir() -> Path:
    """Where problem logs go: $OCOP_LOG_DIR, else outputs/logs."""
    return Path(os.environ.get(LOG_DIR_ENV) or paths.OUTPUTS_DIR / "logs")


def write_problem_log(problems: list[Problem], source: str | os.PathLike) -> Path | None:
    """Write every problem, one per line, to ``<log_dir>/kiem-tra-<plan>.log``; its path, or None.

    Falls back to the system's temporary folder when the log folder is not writable.
    """
    src = Path(source)
    slug = re.sub(r"[^\w.-]+", "-", f"{src.parent.name}-{src.name}", flags=re.ASCII).strip("-.") or "ke-hoach"
    text = (
        f"Kiểm tra dữ liệu kế hoạch: {src}\n"
        f"Thời điểm: {dt.datetime.now():%Y-%m-%d %H:%M:%S}\n"
        f"Tổng số lỗi: {len(problems)}\n\n" + "\n".join(str(p) for p in problems) + "\n"
    )
    for folder in (log_dir(), Path(tempfile.gettempdir())):
        target = folder / f"kiem-tra-{slug[:80]}.log"
        try:
            atomic.write_atomic(target, lambda tmp, target=target: Path(tmp).write_text(text, encoding="utf-8"))
            return target
        except OSError:
            continue
    return None


def _load_plan(src: Path, ref_dir: Path) -> Plan:
    problems: list[Problem] = []
    warnings: list[Problem] = []
    raw: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    meta_raw: object = {}
    meta_ok = True
    unreadable: set[str] = set()  # plan tables given but not readable (no fallback to the reference)
    if src.is_dir():
        files["plan"] = f"{src.name}/plan.yaml"
        try:
            text = read_text_input(src / "plan.yaml", files["plan"], "tệp plan.yaml (YAML, UTF-8)")
            meta_raw = yaml.safe_load(text)
            meta_raw = {} if meta_raw is None else meta_raw
        except PlanValidationError as exc:
            problems += exc.problems
            meta_ok = False
        except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
            # ValueError: a date-shaped value that is no date (2025-02-30) fails inside the YAML loader.
            mark = getattr(exc, "problem_mark", None)
            what = getattr(exc, "problem", None) or str(exc)
            problems.append(
                Problem(files["plan"], mark.line + 1 if mark else None, None, None, f"YAML không hợp lệ: {what}")
            )
            meta_ok = False
        for name in PLAN_TABLES + PLAN_OVERRIDABLE:
            path = src / f"{name}.csv"
            files[name] = f"{src.name}/{name}.csv"
            if not os.path.lexists(path):
                if name in PLAN_TABLES:
                    problems.append(Problem(files[name], None, None, None, "thiếu tệp bắt buộc"))
                continue
            try:
                raw[name] = read_csv_text(path, files[name])
            except PlanValidationError as exc:
                problems += exc.problems
                unreadable.add(name)
    elif src.suffix.lower() == ".xlsx":
        sheets = read_xlsx_sheets(src, src.name)
        files["plan"] = f"{src.name} (sheet plan)"
        meta_raw, found = _meta_from_sheets(sheets, src.name)
        problems += found
        for name in PLAN_TABLES + PLAN_OVERRIDABLE:
            files[name] = f"{src.name} (sheet {name})"
            if name in sheets:
                raw[name] = sheets[name]
            elif name in PLAN_TABLES:
                problems.append(Problem(files[name], None, None, None, "thiếu sheet bắt buộc"))
    else:
        expected = "một thư mục kế hoạch (plan.yaml và các tệp CSV) hoặc một tệp .xlsx"
        problem = file_kind_problem(src, str(src), expected)
        raise PlanValidationError(
            [problem or Problem(str(src), None, None, None, f"là tệp '{src.suffix or src.name}'; cần {expected}")]
        )

    if meta_ok:
        meta, meta_problems = check_meta(meta_raw, files["plan"], warnings)
        problems += meta_problems
    else:
        meta = {}
    tables: dict[str, pd.DataFrame] = {}
    for name in REFERENCE_TABLES:
        if name not in raw and name not in unreadable:
            files[name] = f"reference/{name}.csv"
            try:
                raw[name] = read_csv_text(ref_dir / f"{name}.csv", files[name])
            except PlanValidationError as exc:
                problems += exc.problems
    for name, frame in raw.items():
        tables[name], found = convert_table(frame, name, files[name], warnings)
        problems += found
    structural = any(p.row is None and p.column is not None and "cột" in p.expected for p in problems)
    structural = structural or any(p.column is None and p.row is None for p in problems)  # an unreadable file
    complete = all(name in tables for name in PLAN_TABLES + REFERENCE_TABLES)
    if complete and "units_as_of" in meta and "province_id" in meta and not structural:
        # Cross-table checks run on the rows that parsed, so every problem is reported at once.
        when = meta["units_as_of"]
        units = tables["units"]
        tables["units"] = in_force(units[units["province_id"] == meta["province_id"]], when)
        if tables["units"].empty:
            problems.append(
                Problem(
                    files["units"],
                    None,
                    "province_id",
                    meta["province_id"],
                    f"không có đơn vị hành chính nào của tỉnh này tại ngày {when:%Y-%m-%d}",
                )
            )
        problems += check_consistency(tables, meta, files)
    if problems:
        raise PlanValidationError(problems)
    when = meta["units_as_of"]
    rounds = pd.DataFrame(meta["rounds"]).astype({"round": "int64", "level": "str"})
    rounds["deadline"] = pd.to_datetime(rounds["deadline"]).astype("datetime64[us]")
    rounds = rounds.sort_values(["deadline", "round"], kind="stable").reset_index(drop=True)
    targets = Targets(**{k.split(".", 1)[1]: v for k, v in meta.items() if k.startswith("targets.")})
    return Plan(
        source=str(src),
        province_id=meta["province_id"],
        province_name=meta["province_name"],
        year=meta["year"],
        units_as_of=when.date(),
        plan_document=meta["plan_document"],
        targets=targets,
        rounds=rounds,
        products=tables["products"],
        organisations=tables["organisations"],
        requests=tables["requests"],
        history=tables["history"].sort_values("date").reset_index(drop=True),
        norms=tables["norms"],
        budget_lines=tables["budget_lines"],
        units=tables["units"],
        unit_changes=tables["unit_changes"],
        product_codes=tables["product_codes"],
        authority_rules=tables["authority_rules"],
        star_bands=tables["star_bands"],
        sources=meta["sources"],
        previous_plan=meta["previous_plan"],
        issue_date=meta["issue_date"].date() if meta["issue_date"] is not None else None,
        document_number=meta["document_number"],
        status=meta["status"],
        signer_name=meta["signer_name"],
        adjustment_date=meta["adjustment_date"].date() if meta["adjustment_date"] is not None else None,
        provenance=meta["provenance"],
        approximate=meta["approximate"],
        outcome_targets=meta.get("outcome_targets", ()),
        warnings=tuple(warnings),
    )


def previous_plan_path(plan: Plan) -> Path | None:
    """The plan of the year before, if the data hold one.

    ``previous_plan`` in plan.yaml (a path relative to the plan folder) names it explicitly — e.g. the
    plan of a province merged into this one; otherwise ``<province>/<year - 1>`` next to this plan.
    """
    src = Path(plan.source)
    if plan.previous_plan:
        named = Path(plan.previous_plan)
        candidate = named if named.is_absolute() else (src.parent if src.is_file() else src) / named
        return candidate.resolve() if candidate.exists() else None
    if src.is_dir():
        sibling = src.parent / str(plan.year - 1)
        return sibling if (sibling / "plan.yaml").exists() else None
    return None


def load_previous_plan(plan: Plan) -> Plan | None:
    """The previous year's plan (validated like any plan), or None when the data hold none."""
    path = previous_plan_path(plan)
    return load_plan(path) if path is not None else None


OFFICIAL_TABLES: tuple[str, ...] = (
    "issuing_bodies",
    "legal_bases",
    "responsibilities",
    "funding_sources",
    "recipients",
    "signers",
    "line_sources",
    "certificate_rules",
)


TEXTS_FILE = "tasks.yaml"


TEXT_LIST_KEYS: tuple[str, ...] = ("purpose", "requirements")


TEXT_LINE_KEYS: tuple[str, ...] = ("summary", "summary_successor", "enacting", "enacting_successor")


TEXT_KEYS: tuple[str, ...] = (*TEXT_LINE_KEYS, *TEXT_LIST_KEYS, "tasks", "reporting")


TASK_KEYS: tuple[str, ...] = (
    "id",
    "title",
    "text",
    "lead",
    "support",
    "deadline",
    "valid_from",
    "valid_to",
    "product_group",
)


REPORTING_KEYS: tuple[str, ...] = ("round_report_days", "year_report")


def _plan_folder(plan: Plan) -> Path | None:
    src = Path(plan.source)
    return src if src.is_dir() else None


def load_official(plan: Plan, reference_dir: str | os.PathLike | None = None) -> tuple[dict[str, pd.DataFrame], dict]:
    """The dated tables and texts of the official document frame, validated.

    Each of :data:`OFFICIAL_TABLES` comes from ``data/reference/<name>.csv`` unless the plan folder
    holds its own ``<name>.csv`` (a fictional or not-yet-listed province); each table's
    ``attrs['file']`` names the file it came from. The texts come from the plan folder's
    ``tasks.yaml``, key by key, falling back to ``data/reference/tasks.yaml``; ``texts['tasks']`` is a
    tuple of :class:`~ocop_helpers.inputs.plan.TaskSpec`, ``texts['reporting']`` the reporting terms.
    Checked across files: every body a task names exists in responsibilities.csv, every product
    group named (tasks.yaml, responsibilities.csv) is one of product_codes.csv, a task's full date
    falls in the plan's year. Raises PlanValidationError naming file, row, column and what was expected.
    """
    ref_dir = Path(reference_dir) if reference_dir else paths.REFERENCE_DIR
    folder = _plan_folder(plan)
    problems: list[Problem] = []
    tables: dict[str, pd.DataFrame] = {}
    for name in OFFICIAL_TABLES:
        own = folder / f"{name}.csv" if folder else None
        path, label = (
            (own, f"{folder.name}/{name}.csv")
            if own and own.exists()
            else (ref_dir / f"{name}.csv", f"reference/{name}.csv")
        )
        try:
            frame, found = convert_table(read_csv_text(path), name, label)
        except PlanValidationError as exc:
            problems += [Problem(label, p.row, p.column, p.value, p.expected) for p in exc.problems]
            continue
        problems += found
        frame.attrs["file"] = label
        tables[name] = frame
    texts: dict = {}
    sources = [(ref_dir / TEXTS_FILE, f"reference/{TEXTS_FILE}")]
    if folder and (folder / TEXTS_FILE).exists():
        sources.append((folder / TEXTS_FILE, f"{folder.name}/{TEXTS_FILE}"))
    for path, label in sources:
        found_texts, found = _read_texts(path, label)
        texts.update(found_texts)
        problems += found
    missing = [k for k in TEXT_KEYS if k not in texts]
    problems += [Problem(f"reference/{TEXTS_FILE}", None, k, None, "thiếu khóa bắt buộc") for k in missing]
    if "responsibilities" in tables and "tasks" in texts:
        problems += _check_official_references(plan, tables["responsibilities"], texts["tasks"])
    if problems:
        raise PlanValidationError(problems)
    return tables, texts


def _product_groups(plan: Plan) -> set[str]:
    """Every QĐ 148 group a condition may name: sectors (I … VI), groups (III.1) and leaf codes."""
    codes = plan.product_codes
    out = set(codes["sector"].dropna().astype(str))
    for code in codes["code"].dropna().astype(str):
        parts = code.split(".")
        out |= {".".join(parts[:n]) for n in range(1, len(parts) + 1)}
    return out


def _check_official_references(plan: Plan, duties: pd.DataFrame, tasks: tuple[P.TaskSpec, ...]) -> list[Problem]:
    """Bodies named by tasks exist; product groups named exist; full dates fall in the plan's year."""
    problems: list[Problem] = []
    file = duties.attrs.get("file", "responsibilities.csv")
    lines = list(duties.attrs.get("lines") or range(2, len(duties) + 2))
    keys = {str(k) for k in duties["body_id"].dropna()} | {str(k) for k in duties["body_key"].dropna() if str(k)}
    groups = _product_groups(plan)
    shown = ", ".join(sorted(g for g in groups if "." not in g))
    for line, group in zip(lines, duties["product_group"], strict=False):
        if isinstance(group, str) and group and group not in groups:
            problems.append(
                Problem(file, line, "product_group", group, f"nhóm sản phẩm không có trong product_codes.csv ({shown})")
            )
    known = ", ".join(sorted(keys))
    for t in tasks:
        for column, value in [("lead", t.lead)] + [("support", v) for v in t.support]:
            if value and value not in keys:
                problems.append(
                    Problem(
                        t.file,
                        t.line,
                        f"{t.column}.{column}",
                        value,
                        f"cơ quan không có trong {file} (body_key hoặc body_id: {known})",
                    )
                )
        if t.product_group and t.product_group not in groups:
            problems.append(
                Problem(
                    t.file,
                    t.line,
                    f"{t.column}.product_group",
                    t.product_group,
                    f"nhóm sản phẩm không có trong product_codes.csv ({shown})",
                )
            )
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", t.deadline) and int(t.deadline[:4]) != plan.year:
            problems.append(
                Problem(
                    t.file, t.line, f"{t.column}.deadline", t.deadline, f"thời hạn phải thuộc năm kế hoạch {plan.year}"
                )
            )
    return problems


def _node_lines(text: str, key: str) -> list[int | None]:
    """The line of each item of the top-level list ``key`` of a YAML text (for problem locations)."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return []
    if not isinstance(root, yaml.MappingNode):
        return []
    for k, v in root.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key and isinstance(v, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in v.value]
    return []


def _day_month(value: object) -> str:
    """A deadline: a kind of :data:`~ocop_helpers.inputs.plan.DEADLINE_KINDS`, a day and month
    ('15/12', kept as '15/12') or a full date (kept as 'YYYY-MM-DD'); ValueError otherwise."""
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    text = str(value).strip()
    if text in P.DEADLINE_KINDS:
        return text
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})", text)
    if m:
        d, mo = int(m.group(1)), int(m.group(2))
        dt.date(2000, mo, d)  # a real day of a leap year (29/2 is checked again against the plan year)
        return f"{d}/{mo}"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        dt.date.fromisoformat(text)
        return text
    raise ValueError(text)


def _task(item: object, label: str, index: int, line: int | None) -> tuple[P.TaskSpec | None, list[Problem]]:
    column = f"tasks[{index}]"
    if not isinstance(item, dict):
        return None, [Problem(label, line, column, str(item)[:60], "cần 'title' và 'text' (chuỗi)")]
    problems: list[Problem] = []
    for key in item:
        if key not in TASK_KEYS:
            problems.append(
                Problem(label, line, f"{column}.{key}", None, "khóa không được dùng; các khóa: " + ", ".join(TASK_KEYS))
            )
    values: dict = {}
    for key in ("title", "text"):
        v = item.get(key)
        if isinstance(v, str) and v.strip():
            values[key] = v.strip()
        else:
            problems.append(
                Problem(
                    label, line, f"{column}.{key}", None if v is None else str(v)[:60], "cần 'title' và 'text' (chuỗi)"
                )
            )
    for key in ("id", "lead", "product_group"):
        v = item.get(key)
        if v is None or v == "":
            continue
        if isinstance(v, str | int) and not isinstance(v, bool) and str(v).strip():
            values[key] = str(v).strip()
        else:
            problems.append(Problem(label, line, f"{column}.{key}", str(v)[:60], "cần một mã (chuỗi)"))
    support = item.get("support")
    if support is not None:
        items = support if isinstance(support, list) else [support]
        if all(isinstance(v, str) and v.strip() for v in items):
            values["support"] = tuple(v.strip() for v in items)
        else:
            problems.append(Problem(label, line, f"{column}.support", str(support)[:60], "cần danh sách mã cơ quan"))
    if item.get("deadline") not in (None, ""):
        try:
            values["deadline"] = _day_month(item["deadline"])
        except (ValueError, TypeError):
            problems.append(
                Problem(
                    label,
                    line,
                    f"{column}.deadline",
                    str(item["deadline"])[:60],
                    "cần ngày/tháng (vd. 15/12), một ngày YYYY-MM-DD hoặc một trong: " + ", ".join(P.DEADLINE_KINDS),
                )
            )
    for key in ("valid_from", "valid_to"):
        v = item.get(key)
        if v in (None, ""):
            continue
        try:
            values[key] = _as_date(v)
        except (ValueError, TypeError):
            problems.append(Problem(label, line, f"{column}.{key}", str(v)[:60], "cần một ngày (YYYY-MM-DD)"))
    start, end = values.get("valid_from"), values.get("valid_to")
    if start is not None and end is not None and end < start:
        problems.append(
            Problem(
                label,
                line,
                f"{column}.valid_to",
                f"{end:%Y-%m-%d}",
                f"ngày hết hiệu lực phải sau ngày bắt đầu ({start:%Y-%m-%d})",
            )
        )
    if problems:
        return None, problems
    return P.TaskSpec(**values, file=label, line=line, column=column), []


def _reporting(value: object, label: str) -> tuple[dict, list[Problem]]:
    if not isinstance(value, dict):
        return {}, [Problem(label, None, "reporting", str(value)[:60], "cần round_report_days và year_report")]
    problems: list[Problem] = []
    out: dict = {}
    for key in value:
        if key not in REPORTING_KEYS:
            problems.append(
                Problem(
                    label,
                    None,
                    f"reporting.{key}",
                    None,
                    "khóa không được dùng; các khóa: " + ", ".join(REPORTING_KEYS),
                )
            )
    days = value.get("round_report_days")
    if isinstance(days, int) and not isinstance(days, bool) and 0 <= days <= 180:
        out["round_report_days"] = days
    else:
        problems.append(
            Problem(
                label,
                None,
                "reporting.round_report_days",
                None if days is None else str(days),
                "cần số ngày từ 0 đến 180",
            )
        )
    try:
        year_report = _day_month(value.get("year_report"))
        if year_report in P.DEADLINE_KINDS or "-" in year_report:
            raise ValueError(year_report)
        out["year_report"] = year_report
    except (ValueError, TypeError):
        problems.append(
            Problem(label, None, "reporting.year_report", str(value.get("year_report")), "cần ngày/tháng (vd. 15/12)")
        )
    return out, problems


def _read_texts(path: Path, label: str) -> tuple[dict, list[Problem]]:
    """Read and check one tasks.yaml: strings, lists of strings, tasks (:class:`TaskSpec`), reporting terms."""
    try:
        raw = _nfc(path.read_text(encoding="utf-8-sig"))
        data = yaml.safe_load(raw) or {}
    except (yaml.YAMLError, ValueError) as exc:
        mark = getattr(exc, "problem_mark", None)
        return {}, [Problem(label, mark.line + 1 if mark else None, None, None, "YAML không hợp lệ")]
    if not isinstance(data, dict):
        return {}, [Problem(label, None, None, None, "cần một bảng khóa: giá trị (YAML mapping)")]
    problems: list[Problem] = []
    out: dict = {}
    for key, value in data.items():
        if key not in TEXT_KEYS:
            problems.append(
                Problem(label, None, str(key), None, "khóa không được dùng; các khóa: " + ", ".join(TEXT_KEYS))
            )
        elif key in TEXT_LINE_KEYS:
            if isinstance(value, str) and value.strip():
                out[key] = value.strip()
            else:
                problems.append(Problem(label, None, key, str(value), "cần một dòng chữ"))
        elif key in TEXT_LIST_KEYS:
            if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
                out[key] = tuple(v.strip() for v in value)
            else:
                problems.append(Problem(label, None, key, str(value)[:60], "cần danh sách các đoạn văn (chuỗi)"))
        elif key == "reporting":
            out[key], found = _reporting(value, label)
            problems += found
        else:
            if not isinstance(value, list):
                problems.append(
                    Problem(label, None, "tasks", str(value)[:60], "cần danh sách nhiệm vụ (title, text, …)")
                )
                out[key] = ()
                continue
            lines = _node_lines(raw, "tasks")
            items = []
            for i, item in enumerate(value, start=1):
                task, found = _task(item, label, i, lines[i - 1] if i <= len(lines) else None)
                problems += found
                if task is not None:
                    items.append(task)
            ids = [t.id for t in items if t.id]
            for t in items:
                if t.id and ids.count(t.id) > 1:
                    problems.append(Problem(label, t.line, f"{t.column}.id", t.id, "mã nhiệm vụ bị trùng"))
            out[key] = tuple(items)
    return out, problems


# ----------------------------------------------------------------------------- predecessors
def all_units(plan: Plan, ref_dir: Path | None = None) -> pd.DataFrame:
    """The whole units table (every province), from the plan folder when it carries one."""
    src = Path(plan.source)
    own = src / "units.csv" if src.is_dir() else None
    path = own if own is not None and own.exists() else (ref_dir or paths.REFERENCE_DIR) / "units.csv"
    table, problems = convert_table(readers.read_csv_text(path), "units", path.name)
    if problems:
        raise PlanValidationError(problems)
    return table


def _previous_candidates(plan: Plan, province_id: str) -> list[Path]:
    src = Path(plan.source)
    root = (src.parent if src.is_file() else src).parent.parent
    return [root / province_id / str(plan.year - 1)]

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
from ocop_helpers.inputs import readers
from ocop_helpers.inputs.checks import check_consistency, check_meta
from ocop_helpers.inputs.plan import Plan, Targets
from ocop_helpers.inputs.readers import _nfc, file_kind_problem, read_csv_text, read_text_input, read_xlsx_sheets
from ocop_helpers.inputs.schema import convert_table

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
    files = _input_files(plan, ref_dir) + tuple(f for p in found.values() for f in p.input_files)
    return dataclasses.replace(
        plan,
        official_tables=tables,
        official_texts=texts,
        all_units=units_table,
        last_year=found,
        last_year_searched=searched,
        previous_province=previous_province,
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


TEXT_KEYS: tuple[str, ...] = ("summary", "summary_successor", *TEXT_LIST_KEYS, "tasks")


def _plan_folder(plan: Plan) -> Path | None:
    src = Path(plan.source)
    return src if src.is_dir() else None


def load_official(plan: Plan, reference_dir: str | os.PathLike | None = None) -> tuple[dict[str, pd.DataFrame], dict]:
    """The dated tables and texts of the official document frame, validated.

    Each of :data:`OFFICIAL_TABLES` comes from ``data/reference/<name>.csv`` unless the plan folder
    holds its own ``<name>.csv`` (a fictional or not-yet-listed province). The texts come from the
    plan folder's ``tasks.yaml``, key by key, falling back to ``data/reference/tasks.yaml``.
    Raises PlanValidationError naming file, row, column and what was expected.
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
    if problems:
        raise PlanValidationError(problems)
    return tables, texts


def _read_texts(path: Path, label: str) -> tuple[dict, list[Problem]]:
    """Read and check one tasks.yaml: strings, lists of strings, tasks as {title, text}."""
    try:
        data = yaml.safe_load(_nfc(path.read_text(encoding="utf-8-sig"))) or {}
    except yaml.YAMLError as exc:
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
        elif key in ("summary", "summary_successor"):
            if isinstance(value, str) and value.strip():
                out[key] = value.strip()
            else:
                problems.append(Problem(label, None, key, str(value), "cần một dòng chữ"))
        elif key in TEXT_LIST_KEYS:
            if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
                out[key] = tuple(v.strip() for v in value)
            else:
                problems.append(Problem(label, None, key, str(value)[:60], "cần danh sách các đoạn văn (chuỗi)"))
        else:
            items = []
            ok = isinstance(value, list)
            for i, item in enumerate(value if ok else [], start=1):
                if (
                    isinstance(item, dict)
                    and set(item) == {"title", "text"}
                    and all(isinstance(item[k], str) and item[k].strip() for k in ("title", "text"))
                ):
                    items.append((item["title"].strip(), item["text"].strip()))
                else:
                    problems.append(
                        Problem(label, None, f"tasks[{i}]", str(item)[:60], "cần 'title' và 'text' (chuỗi)")
                    )
            if not ok:
                problems.append(Problem(label, None, "tasks", str(value)[:60], "cần danh sách nhiệm vụ (title, text)"))
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

"""Reading and writing files. The only module that touches the file system for plan data.

``load_plan`` accepts a plan folder (plan.yaml + CSV files) or one .xlsx workbook with the same
sheets and returns the same validated :class:`~ocop_helpers.plan.Plan`. Input files are only read.
"""

from __future__ import annotations

import csv
import datetime as dt
import io as _io
import os
import tempfile
import unicodedata
from pathlib import Path

import pandas as pd
import yaml

from . import paths
from .plan import Plan, Targets
from .validation import PlanValidationError, Problem, check_consistency, check_meta, convert_table

PLAN_TABLES: tuple[str, ...] = ("products", "organisations", "requests", "history", "norms", "budget_lines")
REFERENCE_TABLES: tuple[str, ...] = ("product_codes", "star_bands", "authority_rules", "units", "unit_changes")
# Reference tables a plan folder (or workbook) may carry itself, replacing data/reference.
PLAN_OVERRIDABLE: tuple[str, ...] = ("units", "unit_changes")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def read_csv_text(path: Path) -> pd.DataFrame:
    """Read a CSV as all-text cells: UTF-8 with or without BOM, ',' or ';' separated, NFC text."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlanValidationError(
            [
                Problem(
                    path.name,
                    None,
                    None,
                    None,
                    f"tệp phải mã hóa UTF-8 (lưu bằng 'CSV UTF-8' trong Excel); byte lỗi ở vị trí {exc.start}",
                )
            ]
        ) from None
    text = _nfc(text)
    first = text.split("\n", 1)[0]
    sep = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(_io.StringIO(text, newline=""), delimiter=sep)
    rows: list[list[str]] = []
    lines: list[int] = []  # the line a spreadsheet shows for each kept row
    start = 1
    for record in reader:
        if any(cell.strip() for cell in record):
            rows.append(record)
            lines.append(start)
        start = reader.line_num + 1
    if not rows:
        raise PlanValidationError([Problem(path.name, None, None, None, "tệp rỗng: cần dòng tiêu đề và dữ liệu")])
    header = [h.strip() for h in rows[0]]
    width = len(header)
    problems = [
        Problem(path.name, line, None, None, f"dòng có {len(r)} ô nhưng tiêu đề có {width} cột")
        for r, line in zip(rows[1:], lines[1:], strict=False)
        if len(r) != width
    ]
    if problems:
        raise PlanValidationError(problems)
    frame = pd.DataFrame(rows[1:], columns=header, dtype="str")
    frame.attrs["lines"] = lines[1:]
    return frame


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _nfc(str(value))


def read_xlsx_sheets(path: Path) -> dict[str, pd.DataFrame]:
    """Every sheet of a workbook as an all-text frame (header in row 1)."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sheets: dict[str, pd.DataFrame] = {}
    for ws in book.worksheets:
        numbered = [(i, [_cell_text(v) for v in row]) for i, row in enumerate(ws.iter_rows(values_only=True), start=1)]
        numbered = [(i, r) for i, r in numbered if any(c.strip() for c in r)]
        if not numbered:
            continue
        header = [h.strip() for h in numbered[0][1]]
        while header and header[-1] == "":
            header.pop()
        body = [r[: len(header)] + [""] * (len(header) - len(r)) for _, r in numbered[1:]]
        frame = pd.DataFrame(body, columns=header, dtype="str")
        frame.attrs["lines"] = [i for i, _ in numbered[1:]]
        sheets[ws.title] = frame
    book.close()
    return sheets


def _meta_from_sheets(sheets: dict[str, pd.DataFrame]) -> dict:
    """Rebuild the plan.yaml mapping from a workbook's 'plan', 'rounds' and 'sources' sheets."""
    meta: dict = {}
    plan = sheets.get("plan")
    if plan is not None and {"key", "value"} <= set(plan.columns):
        for key, value in zip(plan["key"], plan["value"], strict=False):
            node = meta
            *parents, leaf = key.strip().split(".")
            for p in parents:
                node = node.setdefault(p, {})
            node[leaf] = value
    if "rounds" in sheets:
        meta["rounds"] = sheets["rounds"].to_dict("records")
    if "sources" in sheets and {"key", "text"} <= set(sheets["sources"].columns):
        meta["sources"] = dict(zip(sheets["sources"]["key"], sheets["sources"]["text"], strict=False))
    return meta


def _filter_dated(
    frame: pd.DataFrame, when: pd.Timestamp, start: str = "valid_from", end: str = "valid_to"
) -> pd.DataFrame:
    keep = (frame[start] <= when) & (frame[end].isna() | (frame[end] >= when))
    return frame[keep].reset_index(drop=True)


def load_plan(source: str | os.PathLike, reference_dir: str | os.PathLike | None = None) -> Plan:
    """Load and validate a plan folder or .xlsx workbook; raise PlanValidationError with every problem."""
    src = Path(source)
    ref_dir = Path(reference_dir) if reference_dir else paths.REFERENCE_DIR
    problems: list[Problem] = []
    raw: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    if src.is_dir():
        plan_file = src / "plan.yaml"
        files["plan"] = f"{src.name}/plan.yaml"
        if not plan_file.exists():
            raise PlanValidationError([Problem(str(src), None, None, None, "thư mục kế hoạch cần tệp plan.yaml")])
        try:
            meta_raw = yaml.safe_load(_nfc(plan_file.read_text(encoding="utf-8-sig"))) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise PlanValidationError(
                [
                    Problem(
                        files["plan"],
                        mark.line + 1 if mark else None,
                        None,
                        None,
                        f"YAML không hợp lệ: {getattr(exc, 'problem', exc)}",
                    )
                ]
            ) from None
        for name in PLAN_TABLES + PLAN_OVERRIDABLE:
            path = src / f"{name}.csv"
            if path.exists():
                files[name] = f"{src.name}/{name}.csv"
                try:
                    raw[name] = read_csv_text(path)
                except PlanValidationError as exc:
                    problems += [Problem(files[name], p.row, p.column, p.value, p.expected) for p in exc.problems]
            elif name in PLAN_TABLES:
                problems.append(Problem(f"{src.name}/{name}.csv", None, None, None, "thiếu tệp bắt buộc"))
    elif src.suffix.lower() == ".xlsx" and src.exists():
        sheets = read_xlsx_sheets(src)
        meta_raw = _meta_from_sheets(sheets)
        files["plan"] = f"{src.name} (sheet plan)"
        for name in PLAN_TABLES + PLAN_OVERRIDABLE:
            files[name] = f"{src.name} (sheet {name})"
            if name in sheets:
                raw[name] = sheets[name]
            elif name in PLAN_TABLES:
                problems.append(Problem(files[name], None, None, None, "thiếu sheet bắt buộc"))
    else:
        raise PlanValidationError(
            [Problem(str(src), None, None, None, "cần một thư mục kế hoạch hoặc một tệp .xlsx có thật")]
        )

    meta, meta_problems = check_meta(meta_raw, files["plan"])
    problems += meta_problems
    tables: dict[str, pd.DataFrame] = {}
    for name in REFERENCE_TABLES:
        if name not in raw:
            files[name] = f"reference/{name}.csv"
            raw[name] = read_csv_text(ref_dir / f"{name}.csv")
    for name, frame in raw.items():
        tables[name], found = convert_table(frame, name, files[name])
        problems += found
    structural = any(p.row is None and p.column is not None and "cột" in p.expected for p in problems)
    complete = all(name in tables for name in PLAN_TABLES + REFERENCE_TABLES)
    if complete and "units_as_of" in meta and "province_id" in meta and not structural:
        # Cross-table checks run on the rows that parsed, so every problem is reported at once.
        when = meta["units_as_of"]
        units = tables["units"]
        tables["units"] = _filter_dated(units[units["province_id"] == meta["province_id"]], when)
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


def plan_to_xlsx(plan_dir: str | os.PathLike, target: str | os.PathLike) -> Path:
    """Write a plan folder as one Excel workbook (the template planners edit); text cells stay text."""
    import openpyxl

    src = Path(plan_dir)
    if not (src / "plan.yaml").exists():
        raise PlanValidationError([Problem(str(src), None, None, None, "thư mục kế hoạch cần tệp plan.yaml")])
    meta = yaml.safe_load((src / "plan.yaml").read_text(encoding="utf-8"))
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "plan"
    ws.append(["key", "value"])
    for key in ("province_id", "province_name", "year", "units_as_of", "plan_document"):
        if key in meta:
            ws.append([key, str(meta[key])])
    for key, value in meta.get("targets", {}).items():
        ws.append([f"targets.{key}", value])
    rounds = book.create_sheet("rounds")
    rounds.append(["round", "level", "deadline"])
    for r in meta.get("rounds", []):
        rounds.append([r["round"], r["level"], str(r["deadline"])])
    sources = book.create_sheet("sources")
    sources.append(["key", "text"])
    for key, text in (meta.get("sources") or {}).items():
        sources.append([key, text])
    for name in PLAN_TABLES + PLAN_OVERRIDABLE:
        path = src / f"{name}.csv"
        if not path.exists():
            continue
        frame = read_csv_text(path)
        sheet = book.create_sheet(name)
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            sheet.append([str(v) for v in row])
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.data_type = "s"
    out = Path(target)
    write_atomic(out, lambda tmp: book.save(tmp))
    return out


def write_atomic(target: Path, write) -> None:
    """Write through a temporary file in the same folder, then rename over ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_yaml(target: str | os.PathLike, mapping: dict, overwrite: bool = False) -> Path:
    """Write a params/scenario YAML file; refuse to overwrite an existing file unless asked."""
    path = Path(target)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} đã tồn tại: chọn tên khác hoặc cho phép ghi đè")
    text = yaml.safe_dump(mapping, allow_unicode=True, sort_keys=True)
    write_atomic(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    return path


def read_yaml(source: str | os.PathLike) -> dict:
    """Read a YAML mapping (params files); an empty file is an empty mapping."""
    from .params import ParamError

    path = Path(source)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
    except OSError as exc:
        raise ParamError([f"{path}: không đọc được tệp tham số ({exc.strerror or exc})"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", dòng {mark.line + 1}" if mark else ""
        raise ParamError([f"{path}{where}: YAML không hợp lệ ({getattr(exc, 'problem', exc)})"]) from None
    if not isinstance(data, dict):
        raise ParamError([f"{path}: cần một bảng khóa: giá trị (YAML mapping), ví dụ 'pass_rate_new: 0.5'"])
    return data


_XLSX_FORMATS = {
    "money": "#,##0",
    "int": "#,##0",
    "share": "0.0%",
    "float": "#,##0.0",
    "date": "dd/mm/yyyy",
}


def write_annex(target: str | os.PathLike, sheets: list) -> Path:
    """Write the annex workbook: one sheet per ``annex.Sheet`` with Vietnamese headers, number
    formats, a frozen bold header row, an auto-filter and column widths. Text from the data is always
    written as text, so a value starting with '=', '+', '-' or '@' never becomes a formula.

    Streams rows in openpyxl's write-only mode, one reusable styled cell per column: time and memory
    grow linearly with the rows (no per-row lookup of the sheet's last row)."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook(write_only=True)
    header_fill = PatternFill("solid", fgColor="E4EEE4")
    header_font = Font(bold=True)
    header_alignment = Alignment(wrap_text=True, vertical="top")
    for sheet in sheets:
        ws = book.create_sheet(sheet.name[:31])
        cols = list(sheet.headers)
        frame = sheet.frame[cols]
        # Widths, frozen header and filter are written with the sheet's head or tail: set them first.
        for j, col in enumerate(cols, start=1):
            longest = max([len(str(sheet.headers[col]))] + [len(str(v)) for v in frame[col].head(200)])
            ws.column_dimensions[get_column_letter(j)].width = min(max(10, longest + 2), 60)
        ws.freeze_panes = "A2"
        last = get_column_letter(max(len(cols), 1))
        ws.auto_filter.ref = f"A1:{last}{len(frame) + 1}"
        header = []
        for col in cols:
            cell = WriteOnlyCell(ws, value=str(sheet.headers[col]))
            cell.data_type = "s"
            cell.font, cell.fill, cell.alignment = header_font, header_fill, header_alignment
            header.append(cell)
        ws.append(header)
        kinds = [sheet.formats.get(col, "") for col in cols]
        # One cell object per column, restyled once and refilled for every row: openpyxl writes each
        # cell as soon as the row is appended, so reusing it is safe and keeps the style lookup out of
        # the row loop.
        templates = []
        for kind in kinds:
            cell = WriteOnlyCell(ws)
            fmt = _XLSX_FORMATS.get(kind)
            if fmt:
                cell.number_format = fmt
            templates.append(cell)
        for row in frame.itertuples(index=False, name=None):
            values = []
            for kind, cell, v in zip(kinds, templates, row, strict=True):
                if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v):
                    values.append(None)
                    continue
                if kind == "date":
                    v = pd.Timestamp(v).to_pydatetime().date()
                elif hasattr(v, "item") and not isinstance(v, str):
                    v = v.item()
                cell.value = v
                if isinstance(v, str):
                    cell.data_type = "s"  # never a formula, whatever the text starts with
                values.append(cell)
            ws.append(values)
    out = Path(target)
    write_atomic(out, lambda tmp: book.save(tmp))
    return out

"""Reading and writing files. The only module that touches the file system for plan data.

``load_plan`` accepts a plan folder (plan.yaml + CSV files) or one .xlsx workbook with the same
sheets and returns the same validated :class:`~ocop_helpers.plan.Plan`. Input files are only read.
"""

from __future__ import annotations

import csv
import datetime as dt
import errno
import io as _io
import os
import re
import shutil
import stat
import tempfile
import unicodedata
from pathlib import Path

import pandas as pd
import yaml

from . import paths
from .dated import in_force
from .plan import Plan, Targets
from .validation import DOCUMENT_KEYS, PlanValidationError, Problem, check_consistency, check_meta, convert_table

PLAN_TABLES: tuple[str, ...] = ("products", "organisations", "requests", "history", "norms", "budget_lines")
REFERENCE_TABLES: tuple[str, ...] = ("product_codes", "star_bands", "authority_rules", "units", "unit_changes")
# Reference tables a plan folder (or workbook) may carry itself, replacing data/reference.
PLAN_OVERRIDABLE: tuple[str, ...] = ("units", "unit_changes")


# Inputs larger than this are refused before reading (a plan's largest CSV is well under 1 MB).
MAX_INPUT_BYTES = 20 * 1024 * 1024
# A header wider than this is not one of the plan's tables (wrong separator, a file on one line...).
MAX_COLUMNS = 100
# Where the full problem list goes when a message shows only part of it (OCOP_LOG_DIR overrides).
LOG_DIR_ENV = "OCOP_LOG_DIR"

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "một tệp nén ZIP (có thể là tệp Excel .xlsx đổi đuôi)"),
    (b"\xd0\xcf\x11\xe0", "một tệp Excel cũ (.xls) hoặc Word (.doc)"),
    (b"%PDF", "một tệp PDF"),
    (b"\x89PNG", "một ảnh PNG"),
    (b"\xff\xd8\xff", "một ảnh JPEG"),
    (b"\x1f\x8b", "một tệp nén gzip"),
)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _size_text(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB".replace(".", ",")


def file_kind_problem(path: Path, display: str, expected: str, allow_empty: bool = False) -> Problem | None:
    """Why ``path`` cannot be read as ``expected`` (checked before parsing), or None when it can.

    Names in Vietnamese what is there instead: nothing, a broken or looping symbolic link, a folder,
    a device or pipe, an empty file, a file too large for a plan table.
    """
    try:
        info = path.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            what = "là một liên kết tượng trưng (symlink) lặp vòng, không trỏ tới tệp nào"
        elif exc.errno == errno.ENAMETOOLONG:
            what = "có tên quá dài"
        elif path.is_symlink():
            what = f"là một liên kết tượng trưng (symlink) trỏ tới '{os.readlink(path)}', không tồn tại"
        elif exc.errno in (errno.ENOENT, errno.ENOTDIR):
            what = "không tồn tại (thiếu tệp)"
        elif exc.errno == errno.EACCES:
            what = "không có quyền đọc"
        else:
            what = f"không đọc được (lỗi hệ thống số {exc.errno})"
        return Problem(display, None, None, None, f"{what}; cần {expected}")
    if stat.S_ISDIR(info.st_mode):
        return Problem(display, None, None, None, f"là một thư mục; cần {expected}")
    if not stat.S_ISREG(info.st_mode):
        return Problem(
            display, None, None, None, f"không phải tệp thông thường (thiết bị, FIFO, socket); cần {expected}"
        )
    if info.st_size == 0 and not allow_empty:
        return Problem(display, None, None, None, f"tệp rỗng (0 byte); cần {expected}")
    if info.st_size > MAX_INPUT_BYTES:
        return Problem(
            display,
            None,
            None,
            None,
            f"tệp quá lớn ({_size_text(info.st_size)}, tối đa {_size_text(MAX_INPUT_BYTES)}); cần {expected}",
        )
    return None


def _read_bytes(path: Path, display: str, expected: str, allow_empty: bool = False) -> bytes:
    problem = file_kind_problem(path, display, expected, allow_empty)
    if problem:
        raise PlanValidationError([problem])
    try:
        with path.open("rb") as f:
            return f.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        reason = "không có quyền đọc" if exc.errno == errno.EACCES else f"không đọc được (lỗi hệ thống số {exc.errno})"
        raise PlanValidationError([Problem(display, None, None, None, f"{reason}; cần {expected}")]) from None


def read_text_input(
    path: Path, display: str | None = None, expected: str = "một tệp văn bản UTF-8", allow_empty: bool = False
) -> str:
    """The text of an input file, NFC-normalised, after checking what kind of file it is.

    Refused with a Vietnamese message naming the file: a folder, a broken or looping link, an empty
    or huge file, a binary file (Excel, ZIP, PDF, image), UTF-16 text, text not in UTF-8 (with the
    line of the first bad byte). A UTF-8 byte-order mark is accepted.
    """
    display = display or path.name
    raw = _read_bytes(path, display, expected, allow_empty)
    for magic, what in _SIGNATURES:
        if raw.startswith(magic):
            return _refuse(display, f"là {what}, không phải văn bản; cần {expected}")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _refuse(display, f"mã hóa UTF-16 (Excel 'Unicode Text'); cần {expected} (lưu bằng 'CSV UTF-8')")
    if b"\x00" in raw[:65536]:
        return _refuse(display, f"là tệp nhị phân (có byte 0), không phải văn bản; cần {expected}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return _refuse(
            display,
            f"không phải mã hóa UTF-8 (byte lỗi ở dòng {line}, vị trí {exc.start}; có thể là Windows-1258 "
            f"hoặc TCVN3); cần {expected}: trong Excel chọn 'Lưu thành' > 'CSV UTF-8'",
            row=line,
        )
    if not text.strip() and not allow_empty:
        return _refuse(display, f"tệp chỉ có khoảng trắng; cần {expected}")
    return _nfc(text)


def _refuse(display: str, expected: str, row: int | None = None) -> str:
    raise PlanValidationError([Problem(display, row, None, None, expected)])


def _clean_header(cell: object) -> str:
    return _nfc(str(cell)).replace("\ufeff", "").replace("\u200b", "").strip()


def _frame_from_rows(rows: list[list[str]], lines: list[int], display: str) -> pd.DataFrame:
    """An all-text frame from the kept rows (header first); header problems raise PlanValidationError.

    Columns with no name and no data (trailing separators) are dropped; a nameless column with data
    is named '(cột N)' so it is reported like any unknown column; a name used twice is an error.
    """
    header = [_clean_header(h) for h in rows[0]]
    if len(header) > MAX_COLUMNS:
        raise PlanValidationError(
            [
                Problem(
                    display,
                    lines[0],
                    None,
                    None,
                    f"dòng tiêu đề có {len(header)} cột (tối đa {MAX_COLUMNS}): kiểm tra dấu phân cách "
                    "(',' hoặc ';') và xuống dòng",
                )
            ]
        )
    body = rows[1:]
    keep: list[int] = []
    names: list[str] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for j, name in enumerate(header):
        if name == "":
            if not any(j < len(r) and str(r[j]).strip() for r in body):
                continue
            name = f"(cột {j + 1})"
        if name in seen:
            problems.append(
                Problem(display, lines[0], name, None, f"tên cột bị trùng (cột thứ {seen[name] + 1} và {j + 1})")
            )
            continue
        seen[name] = j
        keep.append(j)
        names.append(name)
    if problems:
        raise PlanValidationError(problems)
    data = [[r[j] if j < len(r) else "" for j in keep] for r in body]
    frame = pd.DataFrame(data, columns=names, dtype="str")
    frame.attrs["lines"] = lines[1:]
    return frame


def read_csv_text(path: Path, display: str | None = None) -> pd.DataFrame:
    """Read a CSV as all-text cells: UTF-8 with or without BOM, ',' ';' or tab separated, NFC text.

    The file kind is checked first (see :func:`read_text_input`); every problem names ``display``
    (default: the file name), the line a spreadsheet shows and the column.
    """
    display = display or path.name
    text = read_text_input(path, display, "một tệp CSV (UTF-8) có dòng tiêu đề")
    first = text.split("\n", 1)[0]
    counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
    sep = max(counts, key=lambda k: (counts[k], k == ","))
    reader = csv.reader(_io.StringIO(text, newline=""), delimiter=sep)
    rows: list[list[str]] = []
    lines: list[int] = []  # the line a spreadsheet shows for each kept row
    start = 1
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                rows.append(record)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise PlanValidationError(
            [
                Problem(
                    display,
                    start,
                    None,
                    None,
                    f"không đọc được dòng CSV ({exc}): một ô quá dài hoặc thiếu dấu ngoặc kép đóng",
                )
            ]
        ) from None
    if not rows:
        raise PlanValidationError([Problem(display, None, None, None, "tệp rỗng: cần dòng tiêu đề và dữ liệu")])
    width = len(rows[0])
    problems = [
        Problem(display, line, None, None, f"dòng có {len(r)} ô nhưng tiêu đề có {width} cột")
        for r, line in zip(rows[1:], lines[1:], strict=False)
        if len(r) != width
    ]
    if problems:
        raise PlanValidationError(problems)
    return _frame_from_rows(rows, lines, display)


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


def read_xlsx_sheets(path: Path, display: str | None = None) -> dict[str, pd.DataFrame]:
    """Every sheet of a workbook as an all-text frame (header in row 1).

    The file kind is checked first; a file that is not a readable .xlsx (an old .xls, a CSV renamed,
    a damaged ZIP) is refused with a Vietnamese message instead of openpyxl's exception.
    """
    import openpyxl

    display = display or path.name
    expected = "một tệp Excel .xlsx (các sheet plan, rounds, sources, products, …)"
    raw = _read_bytes(path, display, expected)
    if not raw.startswith(b"PK\x03\x04"):
        kind = next((what for magic, what in _SIGNATURES if raw.startswith(magic)), "không phải tệp .xlsx")
        raise PlanValidationError([Problem(display, None, None, None, f"tệp này là {kind}; cần {expected}")])
    sheets: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    try:
        book = openpyxl.load_workbook(_io.BytesIO(raw), read_only=True, data_only=True)
        for ws in book.worksheets:
            where = f"{display} (sheet {ws.title})"
            numbered = [
                (i, [_cell_text(v) for v in row]) for i, row in enumerate(ws.iter_rows(values_only=True), start=1)
            ]
            numbered = [(i, r) for i, r in numbered if any(c.strip() for c in r)]
            if not numbered:
                continue
            try:
                sheets[ws.title] = _frame_from_rows([r for _, r in numbered], [i for i, _ in numbered], where)
            except PlanValidationError as exc:
                problems += exc.problems
        book.close()
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook; none may reach the user
        raise PlanValidationError(
            [
                Problem(
                    display,
                    None,
                    None,
                    None,
                    f"tệp .xlsx bị hỏng, không mở được ({type(exc).__name__}); cần {expected}",
                )
            ]
        ) from None
    if problems:
        raise PlanValidationError(problems)
    return sheets


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


def load_plan(source: str | os.PathLike, reference_dir: str | os.PathLike | None = None) -> Plan:
    """Load and validate a plan folder or .xlsx workbook; raise PlanValidationError with every problem.

    Unknown extra columns (and plan.yaml keys) are ignored and listed in ``Plan.warnings``; a name
    close to a known one (a typo) is an error. When the message cannot show every problem, the full
    list is written to a log file (:func:`write_problem_log`) whose path the message gives.
    """
    src = Path(source)
    try:
        return _load_plan(src, Path(reference_dir) if reference_dir else paths.REFERENCE_DIR)
    except PlanValidationError as exc:
        if exc.truncated and exc.log_path is None:
            exc.attach_log(write_problem_log(exc.problems, src))
        raise


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
            write_atomic(target, lambda tmp, target=target: Path(tmp).write_text(text, encoding="utf-8"))
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


def plan_to_xlsx(plan_dir: str | os.PathLike, target: str | os.PathLike) -> Path:
    """Write a plan folder as one Excel workbook (the template planners edit); text cells stay text."""
    import openpyxl

    src = Path(plan_dir)
    display = f"{src.name}/plan.yaml"
    text = read_text_input(src / "plan.yaml", display, "tệp plan.yaml (YAML, UTF-8) trong thư mục kế hoạch")
    try:
        meta = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        mark = getattr(exc, "problem_mark", None)
        what = getattr(exc, "problem", None) or str(exc)
        raise PlanValidationError(
            [Problem(display, mark.line + 1 if mark else None, None, None, f"YAML không hợp lệ: {what}")]
        ) from None
    if not isinstance(meta, dict):
        raise PlanValidationError([Problem(display, None, None, None, "tệp phải là một bảng khóa: giá trị")])
    meta = {
        **meta,
        "targets": meta.get("targets") if isinstance(meta.get("targets"), dict) else {},
        "rounds": [r for r in meta.get("rounds") or [] if isinstance(r, dict)]
        if isinstance(meta.get("rounds"), list)
        else [],
        "sources": meta.get("sources") if isinstance(meta.get("sources"), dict) else {},
    }
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "plan"
    ws.append(["key", "value"])
    for key in ("province_id", "province_name", "year", "units_as_of", "plan_document", *DOCUMENT_KEYS):
        if key in meta:
            ws.append([key, str(meta[key])])
    for key, value in (meta.get("provenance") or {}).items():
        ws.append([f"provenance.{key}", str(value)])
    if meta.get("approximate"):
        ws.append(["approximate", ", ".join(str(a) for a in meta["approximate"])])
    for key, value in meta.get("targets", {}).items():
        ws.append([f"targets.{key}", value if isinstance(value, (int, float, str)) else str(value)])
    rounds = book.create_sheet("rounds")
    rounds.append(["round", "level", "deadline"])
    for r in meta.get("rounds", []):
        rounds.append([str(r.get("round", "")), str(r.get("level", "")), str(r.get("deadline", ""))])
    sources = book.create_sheet("sources")
    sources.append(["key", "text"])
    for key, text in (meta.get("sources") or {}).items():
        sources.append([str(key), str(text)])
    for name in PLAN_TABLES + PLAN_OVERRIDABLE:
        path = src / f"{name}.csv"
        if not path.exists():
            continue
        frame = read_csv_text(path, f"{src.name}/{name}.csv")
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


def write_bytes(target: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``target`` atomically (a reader never sees half a file)."""
    target = Path(target)
    write_atomic(target, lambda tmp: Path(tmp).write_bytes(data))
    return target


_RENAME_EXCHANGE = 2  # linux/fs.h
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0


def staging_dir(target: Path) -> Path:
    """A fresh, empty folder next to ``target`` (same file system) where a build writes before it is
    swapped in with :func:`replace_dir`; a leftover of a killed build of this process id is removed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.building-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    return tmp


def remove_file(path: Path) -> None:
    """Delete a file if it exists."""
    Path(path).unlink(missing_ok=True)


def remove_dir(folder: Path) -> None:
    """Delete a folder and everything in it, if it exists."""
    shutil.rmtree(folder, ignore_errors=True)


def keep_failed(staging: Path, target: Path) -> Path:
    """Keep a failed build's staging folder as ``.<name>.failed`` next to ``target`` (replacing an
    older one) for inspection; the published folder is not touched. Returns the kept folder."""
    failed = failed_dir(target)
    shutil.rmtree(failed, ignore_errors=True)
    staging.rename(failed)
    return failed


def failed_dir(target: Path) -> Path:
    """Where a failed build of ``target`` is kept."""
    return target.parent / f".{target.name}.failed"


def replace_dir(new: Path, target: Path) -> None:
    """Put the finished folder ``new`` at ``target``, replacing what was there, then delete the old one.

    Where the file system allows, the two folders are exchanged in one atomic step, so a process
    killed at any moment leaves either the old complete folder or the new one at ``target``, never
    none. Elsewhere: two renames (a kill between them leaves the old folder as ``.<name>.old-<pid>``).
    """
    if not target.exists():
        new.rename(target)
        return
    if _exchange(new, target):
        shutil.rmtree(new, ignore_errors=True)  # ``new`` now holds the previous content
        return
    old = target.parent / f".{target.name}.old-{os.getpid()}"
    target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


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
        text = read_text_input(path, str(path), "một tệp tham số YAML (UTF-8), ví dụ 'pass_rate_new: 0.5'", True)
    except PlanValidationError as exc:
        raise ParamError([str(p) for p in exc.problems]) from None
    try:
        data = yaml.safe_load(text) or {}
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        # ValueError: a date-shaped value that is no date (2025-02-30) fails inside the YAML loader.
        mark = getattr(exc, "problem_mark", None)
        where = f", dòng {mark.line + 1}" if mark else ""
        raise ParamError([f"{path}{where}: YAML không hợp lệ ({getattr(exc, 'problem', None) or exc})"]) from None
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


def fixed_zip(data: bytes, when: dt.datetime) -> bytes:
    """An Office file (zip) rewritten with one fixed time on every entry and in its core properties
    (docProps/core.xml created/modified), so the same content gives the same bytes."""
    import zipfile

    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = _io.BytesIO()
    with zipfile.ZipFile(_io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = body.decode("utf-8")
                text = re.sub(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rf"\g<1>{stamp}\g<2>", text)
                body = text.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, body)
    return out.getvalue()


def write_annex(target: str | os.PathLike, sheets: list, when: dt.date | None = None) -> Path:
    """Write the annex workbook: one sheet per ``annex.Sheet`` with Vietnamese headers, number
    formats, a frozen bold header row, an auto-filter and column widths. Text from the data is always
    written as text, so a value starting with '=', '+', '-' or '@' never becomes a formula.

    Streams rows in openpyxl's write-only mode, one reusable styled cell per column: time and memory
    grow linearly with the rows (no per-row lookup of the sheet's last row). Columns with no value
    are left out; a sheet's total row is bold; every sheet prints landscape, fit to the page width,
    with the header row repeated, and an illustrative sheet says so in its printed header. ``when``
    (the plan's date) is the file's creation date: the same sheets give the same bytes."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook(write_only=True)
    header_fill = PatternFill("solid", fgColor="E4EEE4")
    header_font = Font(bold=True)
    header_alignment = Alignment(wrap_text=True, vertical="top")
    total_font = Font(bold=True)
    for sheet in sheets:
        ws = book.create_sheet(sheet.name[:31])
        cols = [c for c in sheet.headers if sheet.frame[c].notna().any() or sheet.frame.empty]
        frame = sheet.frame[cols]
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = "9"  # A4
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = "1:1"
        if getattr(sheet, "provenance", "") == "illustrative":
            ws.oddHeader.center.text = "Số liệu minh họa"
        ws.oddFooter.center.text = "Trang &P / &N"
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
        last_row = len(frame) - 1 if getattr(sheet, "total_row", False) else -1
        for i, row in enumerate(frame.itertuples(index=False, name=None)):
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
                if i == last_row:  # the last row: the templates are not used again
                    cell.font = total_font
                values.append(cell)
            ws.append(values)
    stamp = dt.datetime.combine(when or dt.date(2000, 1, 1), dt.time())
    book.properties.created = stamp
    buffer = _io.BytesIO()
    book.save(buffer)
    return write_bytes(target, fixed_zip(buffer.getvalue(), stamp))


# ----------------------------------------------------------------------------- computed results
RESULTS_FILE = "results.pickle"


def write_results(target: str | os.PathLike, results: object) -> Path:
    """Write one scenario's computed results for the build's notebooks (atomically; pickle, which
    only this build reads back: it never leaves the build's own folder)."""
    import pickle

    target = Path(target)
    write_atomic(target, lambda tmp: Path(tmp).write_bytes(pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL)))
    return target


def read_results(source: str | os.PathLike) -> object:
    """The results written by :func:`write_results`."""
    import pickle

    return pickle.loads(Path(source).read_bytes())


# ---------------------------------------------------------------- the plan as an official document

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


DOCUMENT_FILES: dict[str, str] = {"html": "plan.html", "docx": "plan.docx", "pdf": "plan.pdf"}


def write_documents(
    doc, folder: str | os.PathLike, formats: tuple[str, ...] = ("html", "docx", "pdf")
) -> dict[str, Path]:
    """Render ``doc`` (a docmodel.Document) in each format, then write plan.html / plan.docx / plan.pdf.

    Every format is rendered before any file is written, and each file goes through a temporary file,
    so a renderer that fails leaves the previous documents untouched. Returns format -> path.
    """
    from .render_docx import render_docx
    from .render_html import render_html
    from .render_pdf import render_pdf

    renderers = {"html": lambda d: render_html(d).encode("utf-8"), "docx": render_docx, "pdf": render_pdf}
    unknown = [f for f in formats if f not in renderers]
    if unknown:
        raise ValueError(f"định dạng không có: {', '.join(unknown)}; dùng: {', '.join(renderers)}")
    payloads = {f: renderers[f](doc) for f in formats}
    out = Path(folder)
    written: dict[str, Path] = {}
    for fmt, data in payloads.items():
        target = out / DOCUMENT_FILES[fmt]
        write_atomic(target, lambda tmp, data=data: Path(tmp).write_bytes(data))
        written[fmt] = target
    return written


def write_grid(target: str | os.PathLike, sheets: list[tuple[str, list[str], list[list], list[list]]]) -> Path:
    """Write a workbook of plain grids, atomically. Each sheet is ``(name, header, rows, formats)``
    where ``formats`` gives each cell's display format ('money', 'int', 'share', 'float', 'date' or
    None) row by row, so one column can hold money in one row and a share in the next (a comparison
    with one column per scenario). Text is always written as text, never as a formula."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook()
    book.remove(book.active)
    header_fill = PatternFill("solid", fgColor="E4EEE4")
    for name, header, rows, formats in sheets:
        ws = book.create_sheet(name[:31])
        ws.append([str(h) for h in header])
        for cell in ws[1]:
            cell.data_type = "s"
            cell.font = Font(bold=True)
            cell.fill = header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for values, fmts in zip(rows, formats, strict=True):
            clean = [
                None
                if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v)
                else (v.item() if hasattr(v, "item") and not isinstance(v, str) else v)
                for v in values
            ]
            ws.append(clean)
            for cell, fmt in zip(ws[ws.max_row], fmts, strict=False):
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula, whatever the text starts with
                elif fmt in _XLSX_FORMATS:
                    cell.number_format = _XLSX_FORMATS[fmt]
        for j in range(1, len(header) + 1):
            column = [header[j - 1]] + [r[j - 1] for r in rows[:200] if j - 1 < len(r)]
            longest = max(len(str(v)) for v in column)
            ws.column_dimensions[get_column_letter(j)].width = min(max(10, longest + 2), 60)
        ws.freeze_panes = "B2"
    out = Path(target)
    write_atomic(out, lambda tmp: book.save(tmp))
    return out

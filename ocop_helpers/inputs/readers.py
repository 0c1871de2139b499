"""Reading input files: file kinds checked first, CSV and XLSX tables as text, YAML."""

from __future__ import annotations

import csv
import datetime as dt
import errno
import io as _io
import os
import stat
import unicodedata
from pathlib import Path

import openpyxl
import pandas as pd
import yaml

from ocop_helpers.core import atomic
from ocop_helpers.core.errors import ParamError, PlanValidationError, Problem, RowNumbers

# Inputs larger than this are refused before reading (a plan's largest CSV is well under 1 MB).
MAX_INPUT_BYTES = 20 * 1024 * 1024


# A header wider than this is not one of the plan's tables (wrong separator, a file on one line...).
MAX_COLUMNS = 100


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
    frame.attrs["lines"] = RowNumbers(lines[1:])
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


def write_yaml(target: str | os.PathLike, mapping: dict, overwrite: bool = False) -> Path:
    """Write a params/scenario YAML file; refuse to overwrite an existing file unless asked."""
    path = Path(target)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} đã tồn tại: chọn tên khác hoặc cho phép ghi đè")
    text = yaml.safe_dump(mapping, allow_unicode=True, sort_keys=True)
    atomic.write_atomic(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    return path


def read_yaml(source: str | os.PathLike) -> dict:
    """Read a YAML mapping (params files); an empty file is an empty mapping."""
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

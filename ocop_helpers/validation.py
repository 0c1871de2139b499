"""Checks of a plan's raw tables: every problem is collected and reported at once.

Raw tables arrive as all-text frames (what a planner typed, NFC-normalised). Each check names the
file (and sheet), the row as a spreadsheet shows it (header = row 1), the column, the value and
what was expected. ``convert_table`` turns a raw table into typed columns while collecting problems.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import plan as P

# A message shows at most this many problems (grouped by kind); the full list goes to a log file.
MAX_SHOWN = 50
# Column names this close (difflib ratio) to a known column are taken as typos, not as extra columns.
TYPO_CUTOFF = 0.8
# Integers and money larger than this are not plausible plan figures (and would overflow int64 sums).
MAX_NUMBER = 10**15
# Dates outside these years are typing mistakes (e.g. 0205-06-15), not plan data.
DATE_YEARS = (1900, 2200)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the input, located precisely."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", dòng {self.row}"
        if self.column is not None:
            kind = "khóa" if self.file.endswith("plan.yaml") or "(sheet plan)" in self.file else "cột"
            where += f", {kind} '{self.column}'"
        value = self.value
        if value is not None and len(value) > 80:
            value = value[:77] + "…"
        got = "" if value is None else f": giá trị '{value}'"
        return f"{where}{got} — {self.expected}"

    @property
    def kind(self) -> tuple[str, str]:
        """What kind of problem this is: the file and the expectation with its numbers blanked."""
        return self.file, re.sub(r"\d+", "#", self.expected)


def format_problems(problems: list[Problem], limit: int = MAX_SHOWN) -> tuple[str, bool]:
    """At most ``limit`` problems as text lines grouped by kind; returns (text, whether some were left out).

    Every kind gets at least one line while the budget lasts (round robin), so one problem repeated
    587 216 times does not hide a different one; each group ends with "và N lỗi khác cùng loại".
    """
    groups: dict[tuple[str, str], list[Problem]] = {}
    for p in problems:
        groups.setdefault(p.kind, []).append(p)
    shown = dict.fromkeys(groups, 0)
    budget = limit
    while budget > 0:
        progressed = False
        for k, items in groups.items():
            if budget > 0 and shown[k] < len(items):
                shown[k] += 1
                budget -= 1
                progressed = True
        if not progressed:
            break
    lines: list[str] = []
    hidden_kinds = hidden_total = 0
    for k, items in groups.items():
        if shown[k] == 0:
            hidden_kinds += 1
            hidden_total += len(items)
            continue
        lines += [f"  - {p}" for p in items[: shown[k]]]
        if len(items) > shown[k]:
            lines.append(f"    và {len(items) - shown[k]} lỗi khác cùng loại")
    if hidden_total:
        lines.append(f"  - và {hidden_total} lỗi khác thuộc {hidden_kinds} loại khác")
    return "\n".join(lines), sum(shown.values()) < len(problems)


class PlanValidationError(ValueError):
    """Raised with every problem found in a plan's inputs.

    The message shows the first :data:`MAX_SHOWN` problems grouped by kind; ``problems`` holds them
    all, and ``log_path`` (set by the loader when the list was cut) names the file with the full list.
    """

    def __init__(self, problems: list[Problem], log_path: str | Path | None = None):
        self.problems = list(problems)
        self.log_path = log_path
        super().__init__(self._message())

    @property
    def truncated(self) -> bool:
        """Whether the message leaves some problems out."""
        return format_problems(self.problems)[1]

    def attach_log(self, path: str | Path | None) -> PlanValidationError:
        """Name the log file holding the full list in the message; returns self."""
        self.log_path = path
        self.args = (self._message(),)
        return self

    def _message(self) -> str:
        text, cut = format_problems(self.problems)
        head = f"Dữ liệu kế hoạch có {len(self.problems)} lỗi"
        if cut:
            head += f" (hiện {MAX_SHOWN} lỗi đầu, theo loại)"
        out = f"{head}:\n{text}"
        if cut and self.log_path:
            out += f"\nDanh sách đầy đủ: {self.log_path}"
        elif cut:
            out += "\n(không ghi được tệp nhật ký với danh sách đầy đủ)"
        return out

    def __str__(self) -> str:
        return self._message()


# ---------------------------------------------------------------- value parsers
# Each parser takes the cell text and returns the typed value or raises ValueError(expected).

_THOUSANDS = re.compile(r"^[0-9]{1,3}([.\s ][0-9]{3})+$")


def parse_int(text: str) -> int:
    """An integer; Vietnamese thousands separators ('20.900.000.000') and '123.0' from Excel accepted."""
    t = text.strip().replace("\u00a0", " ")
    if re.fullmatch(r"[+-]?[0-9]+", t):
        value = int(t)
    elif _THOUSANDS.fullmatch(t):
        value = int(re.sub(r"[.\s ]", "", t))
    elif re.fullmatch(r"[0-9]+\.0+", t):  # a whole number written by Excel as float
        value = int(t.split(".")[0])
    else:
        raise ValueError("một số nguyên")
    if abs(value) > MAX_NUMBER:
        raise ValueError(f"một số nguyên không quá {MAX_NUMBER:,}".replace(",", "."))
    return value


def parse_money(text: str) -> int:
    """Whole đồng, not negative."""
    try:
        value = parse_int(text)
    except ValueError:
        raise ValueError(
            "số tiền nguyên (đồng), không âm, không quá 10^15, ví dụ 20900000000 hoặc 20.900.000.000"
        ) from None
    if value < 0:
        raise ValueError("số tiền không âm (đồng)")
    return value


def parse_date(text: str) -> pd.Timestamp:
    """ISO '2025-06-15' or Vietnamese '15/6/2025'."""
    t = text.strip()
    m = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[ T]00:00:00)?", t)
    if m:
        y, mo, d = (int(x) for x in m.groups())
    else:
        m = re.fullmatch(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})", t)
        if not m:
            raise ValueError("một ngày dạng năm-tháng-ngày (YYYY-MM-DD) hoặc ngày/tháng/năm")
        d, mo, y = (int(x) for x in m.groups())
    try:
        day = dt.date(y, mo, d)
    except ValueError:
        raise ValueError("một ngày có thật (ngày/tháng/năm)") from None
    if not DATE_YEARS[0] <= y <= DATE_YEARS[1]:
        raise ValueError(f"một ngày hợp lý (năm từ {DATE_YEARS[0]} đến {DATE_YEARS[1]})")
    return pd.Timestamp(day)


def parse_share(text: str) -> float:
    """A share between 0 and 1 ('0.5', '0,5' or '50%')."""
    from .vnformat import parse_share as share_of

    try:
        return share_of(text)
    except ValueError:
        raise ValueError("một tỷ lệ từ 0 đến 1 (ví dụ 0.5, 0,5 hoặc 50%)") from None


def parse_bool(text: str) -> bool:
    """true/false, có/không, x/empty, 1/0."""
    t = text.strip().lower()
    if t in {"true", "1", "có", "co", "x", "yes"}:
        return True
    if t in {"false", "0", "không", "khong", "", "no"}:
        return False
    raise ValueError("true hoặc false (có/không)")


def parse_star(text: str) -> int:
    """A star rank 1–5."""
    try:
        v = parse_int(text)
    except ValueError:
        v = -1
    if not 1 <= v <= 5:
        raise ValueError("hạng sao là số nguyên từ 1 đến 5")
    return v


def parse_code(allowed: tuple[str, ...]) -> Callable[[str], str]:
    """A parser accepting one of ``allowed``."""

    def parse(text: str) -> str:
        t = text.strip()
        if t not in allowed:
            raise ValueError("một trong: " + ", ".join(allowed))
        return t

    return parse


def parse_text(text: str) -> str:
    """Non-empty text, stripped."""
    return text.strip()


@dataclass(frozen=True)
class Column:
    """One column of an input table: its parser, whether it may be empty, the pandas dtype."""

    name: str
    parse: Callable[[str], object]
    dtype: str
    optional: bool = False
    column_required: bool = True


def _c(
    name: str, parse: Callable[[str], object], dtype: str, optional: bool = False, column_required: bool = True
) -> Column:
    return Column(name, parse, dtype, optional, column_required)


SCHEMAS: dict[str, list[Column]] = {
    "products": [
        _c("product_id", parse_text, "str"),
        _c("product_name", parse_text, "str"),
        _c("organisation_id", parse_text, "str"),
        _c("unit_id", parse_text, "str"),
        _c("product_code", parse_text, "str"),
        _c("stream", parse_code(P.STREAMS), "str"),
        _c("current_star", parse_star, "Int64", optional=True),
        _c("target_star", parse_star, "Int64"),
        _c("certificate_date", parse_date, "datetime64[us]", optional=True),
        _c("planned_round", parse_int, "Int64"),
    ],
    "organisations": [
        _c("organisation_id", parse_text, "str"),
        _c("organisation_name", parse_text, "str"),
        _c("unit_id", parse_text, "str"),
        _c("organisation_type", parse_code(P.ORGANISATION_TYPES), "str"),
        _c("requests_branding", parse_bool, "bool", optional=True),
    ],
    "requests": [
        _c("request_id", parse_text, "str"),
        _c("organisation_id", parse_text, "str"),
        _c("item", parse_code(P.BRANDING_ITEMS), "str"),
        _c("product_id", parse_text, "str", optional=True),
        _c("cost_vnd", parse_money, "int64"),
    ],
    "history": [
        _c("date", parse_date, "datetime64[us]"),
        _c("total", parse_int, "Int64"),
        _c("star3", parse_int, "Int64", optional=True),
        _c("star4", parse_int, "Int64", optional=True),
        _c("star5", parse_int, "Int64", optional=True),
        _c("source", parse_text, "str", optional=True),
    ],
    "norms": [
        _c("policy", parse_text, "str"),
        _c("line", parse_code(P.NORM_LINES), "str"),
        _c("case", parse_code(P.REWARD_CASES), "str", optional=True),
        _c("star", parse_star, "Int64", optional=True),
        _c("amount_vnd", parse_money, "int64"),
        _c("share", parse_share, "Float64", optional=True),
        _c("valid_from", parse_date, "datetime64[us]"),
        _c("valid_to", parse_date, "datetime64[us]", optional=True),
        _c("source", parse_text, "str"),
    ],
    "budget_lines": [
        _c("line", parse_code(P.BUDGET_LINES), "str"),
        _c("amount_vnd", parse_money, "int64"),
        _c("source", parse_text, "str", optional=True),
    ],
    "units": [
        _c("province_id", parse_text, "str"),
        _c("unit_id", parse_text, "str"),
        _c("unit_name", parse_text, "str"),
        _c("unit_kind", parse_text, "str"),
        _c("level", parse_code(("district", "commune")), "str"),
        _c("valid_from", parse_date, "datetime64[us]"),
        _c("valid_to", parse_date, "datetime64[us]", optional=True),
        _c("official_code", parse_text, "str", optional=True, column_required=False),
        _c("note", parse_text, "str", optional=True, column_required=False),
    ],
    "unit_changes": [
        _c("from_unit_id", parse_text, "str"),
        _c("to_unit_id", parse_text, "str"),
        _c("effective_date", parse_date, "datetime64[us]"),
        _c("kind", parse_text, "str"),
        _c("note", parse_text, "str", optional=True),
    ],
    "authority_rules": [
        _c("valid_from", parse_date, "datetime64[us]"),
        _c("valid_to", parse_date, "datetime64[us]", optional=True),
        _c("star", parse_star, "Int64"),
        _c("evaluating_level", parse_code(P.LEVELS), "str"),
        _c("recognising_level", parse_code(P.LEVELS), "str"),
        _c("pre_assessing_level", parse_code(P.LEVELS), "str", optional=True),
        _c("source", parse_text, "str"),
    ],
    "star_bands": [
        _c("star", parse_star, "Int64"),
        _c("min_score", parse_int, "Int64"),
        _c("max_score_exclusive", parse_int, "Int64"),
        _c("valid_from", parse_date, "datetime64[us]"),
        _c("valid_to", parse_date, "datetime64[us]", optional=True),
        _c("source", parse_text, "str"),
    ],
    "product_codes": [
        _c("code", parse_text, "str"),
        _c("sector", parse_text, "str"),
        _c("sector_name", parse_text, "str"),
        _c("group_name", parse_text, "str"),
        _c("subgroup_name", parse_text, "str", optional=True),
        _c("lead_ministry", parse_text, "str"),
    ],
}

# Reference tables of the plan as an administrative document (ocop_helpers.official); all dated.
_CERTAINTY = ("published", "memory", "uncertain", "assumption")
_VALID = [
    _c("valid_from", parse_date, "datetime64[us]", optional=True),
    _c("valid_to", parse_date, "datetime64[us]", optional=True),
]
SCHEMAS.update(
    {
        "issuing_bodies": [
            _c("province_id", parse_text, "str"),
            *_VALID,
            _c("parent_body", parse_text, "str"),
            _c("issuing_body", parse_text, "str"),
            _c("place_name", parse_text, "str"),
            _c("short_name", parse_text, "str"),
            _c("number_suffix", parse_text, "str"),
            _c("successor_id", parse_text, "str", optional=True),
            _c("certainty", parse_code(_CERTAINTY), "str"),
            _c("source", parse_text, "str"),
        ],
        "signers": [
            _c("province_id", parse_text, "str", optional=True),
            *_VALID,
            _c("authority_line", parse_text, "str"),
            _c("deputy_line", parse_text, "str", optional=True),
            _c("title_line", parse_text, "str"),
            _c("certainty", parse_code(_CERTAINTY), "str"),
            _c("source", parse_text, "str"),
        ],
        "legal_bases": [
            _c("basis_id", parse_text, "str"),
            _c("province_id", parse_text, "str", optional=True),
            _c("order", parse_int, "Int64"),
            _c("kind", parse_text, "str"),
            _c("number", parse_text, "str", optional=True),
            _c("issuer", parse_text, "str"),
            _c("issued_on", parse_date, "datetime64[us]"),
            _c("subject", parse_text, "str"),
            *_VALID,
            _c("certainty", parse_code(_CERTAINTY), "str"),
            _c("source", parse_text, "str"),
        ],
        "responsibilities": [
            _c("body_id", parse_text, "str"),
            _c("province_id", parse_text, "str", optional=True),
            _c("order", parse_int, "Int64"),
            _c("level", parse_code(P.LEVELS), "str"),
            _c("role", parse_code(("lead", "member", "local", "reporting")), "str"),
            _c("body_name", parse_text, "str"),
            *_VALID,
            _c("duties", parse_text, "str"),
            _c("certainty", parse_code(_CERTAINTY), "str"),
            _c("source", parse_text, "str"),
        ],
        "funding_sources": [
            _c("source_id", parse_text, "str"),
            _c("order", parse_int, "Int64"),
            _c("level", parse_code((*P.LEVELS, "organisation", "other")), "str"),
            _c("name", parse_text, "str"),
            *_VALID,
            _c("certainty", parse_code(_CERTAINTY), "str"),
            _c("note", parse_text, "str", optional=True),
            _c("source", parse_text, "str"),
        ],
        "certificate_rules": [
            *_VALID,
            _c("validity_months", parse_int, "int64"),
            _c("notice_days", parse_int, "int64"),
            _c("certainty", parse_code(_CERTAINTY), "str"),
            _c("source", parse_text, "str"),
        ],
        "line_sources": [
            _c("line", parse_code(P.BUDGET_LINES), "str"),
            _c("source_id", parse_text, "str"),
            _c("share", parse_share, "float64"),
            *_VALID,
            _c("certainty", parse_code(_CERTAINTY), "str"),
            _c("note", parse_text, "str", optional=True),
            _c("source", parse_text, "str"),
        ],
        "recipients": [
            _c("province_id", parse_text, "str", optional=True),
            _c("order", parse_int, "Int64"),
            _c("recipient", parse_text, "str"),
            *_VALID,
            _c("certainty", parse_code(_CERTAINTY), "str"),
            _c("source", parse_text, "str"),
        ],
    }
)

# Columns that hold ids and must be unique within their table.
UNIQUE_KEYS: dict[str, str] = {
    "products": "product_id",
    "organisations": "organisation_id",
    "requests": "request_id",
    "product_codes": "code",
}


def _fold(name: str) -> str:
    """A name compared loosely: lower case, no accents, spaces and dashes as '_'."""
    text = unicodedata.normalize("NFD", name.strip().lower()).replace("đ", "d")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[\s\-]+", "_", text)


def unknown_names(
    names: list[str], known: list[str], file: str, what: str, row: int | None = None
) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) for names not in ``known``.

    A name close to a known one (same letters in another case or with accents, or a difflib ratio
    of at least :data:`TYPO_CUTOFF`, e.g. 'valid_too') is a typo and an error; any other unknown name
    (a planner's 'ghi_chu') is ignored with a warning that names it.
    """
    errors: list[Problem] = []
    warnings: list[Problem] = []
    folded = {_fold(k): k for k in known}
    for name in names:
        if name in known:
            continue
        label = str(name)
        close = [folded[_fold(label)]] if _fold(label) in folded else []
        close = close or difflib.get_close_matches(_fold(label), list(folded), n=1, cutoff=TYPO_CUTOFF)
        if close:
            right = folded.get(close[0], close[0])
            errors.append(Problem(file, row, label, None, f"{what} sai tên? gần giống '{right}': sửa thành '{right}'"))
        else:
            warnings.append(
                Problem(
                    file, row, label, None, f"{what} không có trong mẫu: bỏ qua (các {what} dùng: {', '.join(known)})"
                )
            )
    return errors, warnings


def convert_table(
    raw: pd.DataFrame, table: str, file: str, warnings: list[Problem] | None = None
) -> tuple[pd.DataFrame, list[Problem]]:
    """Check columns and parse every cell of ``raw`` (all text) by the table's schema.

    Returns the typed frame (invalid cells left missing) and the problems found: missing required
    columns, misspelt column names, cells that do not parse, duplicate ids, a validity period that
    ends before it starts. Other extra columns are ignored and appended to ``warnings``.
    """
    schema = SCHEMAS[table]
    problems: list[Problem] = []
    expected_names = [c.name for c in schema]
    missing = [c.name for c in schema if c.column_required and c.name not in raw.columns]
    for name in missing:
        problems.append(
            Problem(file, None, name, None, "thiếu cột bắt buộc; các cột cần có: " + ", ".join(expected_names))
        )
    typos, extra = unknown_names([str(n) for n in raw.columns], expected_names, file, "cột")
    problems += typos
    if warnings is not None:
        warnings += extra
    out: dict[str, pd.Series] = {}
    lines = list(raw.attrs.get("lines") or range(2, len(raw) + 2))
    for col in schema:
        if col.name not in raw.columns:
            if not col.column_required:
                out[col.name] = _series([None] * len(raw), col.dtype)
            continue
        values: list[object] = []
        for i, text in enumerate(raw[col.name].tolist()):
            text = "" if text is None else str(text)
            if text.strip() == "":
                if not col.optional:
                    problems.append(Problem(file, lines[i], col.name, "", "không được để trống"))
                values.append(None)
                continue
            try:
                values.append(col.parse(text))
            except ValueError as exc:
                problems.append(Problem(file, lines[i], col.name, text, f"cần {exc}"))
                values.append(None)
        out[col.name] = _series(values, col.dtype)
    frame = pd.DataFrame(out, index=pd.RangeIndex(len(raw)))
    frame.attrs["lines"] = lines
    if {"valid_from", "valid_to"} <= set(frame.columns):
        for i, (start, end) in enumerate(zip(frame["valid_from"], frame["valid_to"], strict=False)):
            if not pd.isna(start) and not pd.isna(end) and end < start:
                problems.append(
                    Problem(
                        file,
                        lines[i],
                        "valid_to",
                        f"{end:%Y-%m-%d}",
                        f"ngày hết hiệu lực phải sau ngày bắt đầu ({start:%Y-%m-%d})",
                    )
                )
    key = UNIQUE_KEYS.get(table)
    if key and key in frame.columns:
        seen: dict[str, int] = {}
        for i, v in enumerate(frame[key].tolist()):
            if isinstance(v, str):
                if v in seen:
                    problems.append(Problem(file, lines[i], key, v, f"mã bị trùng (đã có ở dòng {seen[v]})"))
                else:
                    seen[v] = lines[i]
    return frame, problems


def _series(values: list[object], dtype: str) -> pd.Series:
    if dtype.startswith("datetime64"):
        return pd.Series(pd.to_datetime(pd.Series(values, dtype="object")), dtype=dtype)
    if dtype == "int64":
        return pd.Series([0 if v is None else v for v in values], dtype="int64")
    if dtype == "bool":
        return pd.Series([bool(v) for v in values], dtype="bool")
    if dtype == "str":
        return pd.Series(values, dtype="str")
    return pd.Series(values, dtype=dtype)


# ---------------------------------------------------------------- plan.yaml


def _as_date(value: object) -> pd.Timestamp:
    if isinstance(value, (dt.date, dt.datetime)):
        return pd.Timestamp(value)
    return parse_date(str(value))


def _province_id(value: object) -> str:
    text = str(value).strip()
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", text):
        raise ValueError(text)
    return text


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
        *DOCUMENT_KEYS,
        *PROVENANCE_KEYS,
    }
    names(meta, sorted(known))
    return out, problems


DOCUMENT_KEYS: tuple[str, ...] = ("issue_date", "document_number", "status", "signer_name")


def _check_document_keys(meta: dict, out: dict, file: str) -> list[Problem]:
    """The optional keys of the plan as a document: issue_date, document_number, status, signer_name."""
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


# ---------------------------------------------------------------- cross-table checks


def norms_in_force(norms: pd.DataFrame, when: pd.Timestamp) -> pd.DataFrame:
    """The norm rows valid on ``when`` (valid_from ≤ when ≤ valid_to, open end allowed)."""
    from .dated import in_force

    return in_force(norms, when)


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

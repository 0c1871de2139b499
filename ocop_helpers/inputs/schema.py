"""Input schemas: the columns of every table, their parsers, and the conversion of text tables to typed frames."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from ocop_helpers.core.errors import Problem, RowNumbers
from ocop_helpers.core.vnformat import parse_money as money_of
from ocop_helpers.core.vnformat import parse_share as share_of
from ocop_helpers.inputs import plan as P

# Column names this close (difflib ratio) to a known column are taken as typos, not as extra columns.
TYPO_CUTOFF = 0.8


# Integers and money larger than this are not plausible plan figures (and would overflow int64 sums).
MAX_NUMBER = 10**15


# Dates outside these years are typing mistakes (e.g. 0205-06-15), not plan data.
DATE_YEARS = (1900, 2200)


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
    """Whole đồng, not negative: the one money parser (:func:`vnformat.parse_money`) as data files hold
    money, digits in đồng without unit words."""
    expected = "số tiền nguyên (đồng), không âm, không quá 10^15, ví dụ 20900000000 hoặc 20.900.000.000"
    try:
        value = money_of(text, words=False)
    except ValueError:
        raise ValueError(expected) from None
    if value < 0:
        raise ValueError("số tiền không âm (đồng)")
    if value > MAX_NUMBER:
        raise ValueError(expected)
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


# Reference tables of the plan as an administrative document (ocop_helpers.document.official); all dated.
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
            # The body's function, the same across periods (so-nnptnt and so-nnmt are both
            # 'nong-nghiep'): tasks.yaml names a lead by it; empty = body_id.
            _c("body_key", parse_text, "str", optional=True, column_required=False),
            # The row applies only when the plan's products include this QĐ 148 group (e.g. III).
            _c("product_group", parse_text, "str", optional=True, column_required=False),
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


def parse_score(text: str) -> float:
    """A council score from 0 to 100, decimals allowed ('90.75' or '90,75')."""
    t = text.strip().replace(",", ".")
    try:
        value = float(t)
    except ValueError:
        value = -1.0
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", t) or not 0 <= value <= 100:
        raise ValueError("điểm từ 0 đến 100 (vd. 72 hoặc 72,5)")
    return value


def parse_awarded_star(text: str) -> int:
    """A star awarded with a certificate: 3, 4 or 5 (empty = not recognised)."""
    try:
        v = parse_int(text)
    except ValueError:
        v = -1
    if v not in (3, 4, 5):
        raise ValueError("hạng sao được công nhận là 3, 4 hoặc 5 (để trống nếu không đạt)")
    return v


# Season results (a plan folder's results/ or results.xlsx, ocop_helpers.inputs.results): entered as
# the rounds are held; every file optional, partial files normal.
RESULT_LEVELS: tuple[str, ...] = ("district", "province", "central")

SCHEMAS.update(
    {
        "evaluations": [
            _c("product_id", parse_text, "str"),
            _c("round", parse_int, "Int64"),
            _c("level", parse_code(RESULT_LEVELS), "str"),
            _c("score", parse_score, "float64"),
            _c("star", parse_awarded_star, "Int64", optional=True),
            _c("decision_number", parse_text, "str", optional=True),
            _c("decision_date", parse_date, "datetime64[us]"),
        ],
        "support": [
            _c("organisation_id", parse_text, "str"),
            _c("item", parse_code(P.BRANDING_ITEMS), "str"),
            _c("paid_vnd", parse_money, "int64"),
            _c("paid_date", parse_date, "datetime64[us]"),
        ],
        "spending": [
            _c("line", parse_code(P.BUDGET_LINES), "str"),
            _c("spent_vnd", parse_money, "int64"),
            _c("as_of", parse_date, "datetime64[us]"),
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
    frame.attrs["lines"] = RowNumbers(lines)
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


def _as_date(value: object) -> pd.Timestamp:
    if isinstance(value, (dt.date, dt.datetime)):
        return pd.Timestamp(value)
    return parse_date(str(value))


def _province_id(value: object) -> str:
    text = str(value).strip()
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", text):
        raise ValueError(text)
    return text

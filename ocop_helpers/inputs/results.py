"""Season results entered as the rounds are held: evaluations, support paid, spending per budget line.

A plan folder may hold a ``results/`` subfolder with ``evaluations.csv``, ``support.csv`` and
``spending.csv``, or instead one ``results.xlsx`` with three sheets of those names. Every file is
optional (a missing one means no results of that kind yet) and partial files are normal.

:func:`load_results` checks everything the inputs layer knows: columns and cells (the schema
registry, :data:`ocop_helpers.inputs.schema.SCHEMAS`), ids against the plan's tables, rounds of
plan.yaml, the council level that could award a star on the decision date (authority_rules.csv and
the district-level units in force), the score band of the star (star_bands.csv), dates inside the
plan year. Checks that need the domain's rules (support paid against the item norms and the grant
requested, :func:`ocop_helpers.domain.season.check_support`) are passed in as ``checks`` by the
caller, so every problem is still reported at once.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pandas as pd

from ocop_helpers.core.dated import day, in_force
from ocop_helpers.core.errors import PlanValidationError, Problem, RowNumbers
from ocop_helpers.inputs.plan import Plan
from ocop_helpers.inputs.readers import read_csv_text, read_xlsx_sheets
from ocop_helpers.inputs.schema import SCHEMAS, TYPO_CUTOFF, convert_table

T = TypeVar("T")

RESULT_TABLES: tuple[str, ...] = ("evaluations", "support", "spending")
RESULTS_DIR = "results"
RESULTS_WORKBOOK = "results.xlsx"

# The date column of each results table (through() keeps rows dated on or before a day).
DATE_COLUMN: dict[str, str] = {"evaluations": "decision_date", "support": "paid_date", "spending": "as_of"}

LEVEL_NAMES: dict[str, str] = {"district": "cấp huyện", "province": "cấp tỉnh", "central": "cấp trung ương"}


@dataclass(frozen=True)
class SeasonResults:
    """What has happened in the plan year so far: one frame per results file (typed, validated).

    ``evaluations``: product_id, round (Int64), level, score (float), star (Int64, missing = not
    recognised), decision_number, decision_date. ``support``: organisation_id, item, paid_vnd
    (int64 đồng), paid_date. ``spending``: line, spent_vnd (int64 đồng, cumulative), as_of. Each
    frame's ``attrs`` hold ``file`` (as the planner sees it) and ``lines`` (file row of each row).
    ``warnings``: problems that did not stop loading (spending above the planned line, extra columns).
    """

    evaluations: pd.DataFrame
    support: pd.DataFrame
    spending: pd.DataFrame
    source: str
    warnings: tuple[Problem, ...] = field(default=())

    def through(self, as_of: dt.date) -> SeasonResults:
        """The results known on ``as_of``: rows dated on or before it; spending: the latest row per
        line on or before it."""
        when = day(as_of)
        frames = {}
        for name in RESULT_TABLES:
            frame = getattr(self, name)
            keep = (frame[DATE_COLUMN[name]] <= when).to_numpy()
            frames[name] = _subset(frame, keep)
        spending = frames["spending"]
        if len(spending):
            order = spending.sort_values(["line", "as_of"], kind="stable").index
            latest = spending.loc[order].drop_duplicates("line", keep="last").index
            mask = spending.index.isin(latest)
            frames["spending"] = _subset(spending, mask)
        return SeasonResults(**frames, source=self.source, warnings=self.warnings)

    @property
    def empty(self) -> bool:
        """Whether no result of any kind has been entered."""
        return all(getattr(self, name).empty for name in RESULT_TABLES)


def _subset(frame: pd.DataFrame, keep: Sequence[bool]) -> pd.DataFrame:
    """Rows of ``frame`` where ``keep``, with its ``file`` and ``lines`` attrs following the rows."""
    lines = list(frame.attrs.get("lines") or range(2, len(frame) + 2))
    out = frame.loc[list(keep)].reset_index(drop=True)
    out.attrs = {**frame.attrs, "lines": RowNumbers(n for n, k in zip(lines, keep, strict=True) if k)}
    return out


# A check run on the parsed results after the inputs' own checks: returns the problems it finds.
ResultsCheck = Callable[[Plan, SeasonResults], list[Problem]]


def results_location(plan: Plan) -> Path | None:
    """The results/ folder or results.xlsx of a plan folder, or None when it has neither (or the plan
    is a workbook, whose folder is not a plan folder)."""
    src = Path(plan.source)
    if not src.is_dir():
        return None
    folder, book = src / RESULTS_DIR, src / RESULTS_WORKBOOK
    if folder.exists():
        return folder
    return book if book.exists() else None


def empty_table(name: str) -> pd.DataFrame:
    """A results table with no rows and its typed columns (a file not entered yet)."""
    raw = pd.DataFrame({c.name: pd.Series([], dtype="str") for c in SCHEMAS[name]})
    frame, _ = convert_table(raw, name, name)
    frame.attrs = {"file": name, "lines": RowNumbers()}
    return frame


def load_results(plan: Plan, checks: Sequence[ResultsCheck] = ()) -> SeasonResults | None:
    """The season's results of ``plan`` (None when its folder has neither results/ nor results.xlsx).

    Raises PlanValidationError listing every problem (file, row as the file shows it, column, value,
    what was expected): columns, cells, unknown products/organisations/budget lines, rounds not in
    plan.yaml, a product evaluated twice in a round, a star the level could not award on the date, a
    score outside the star's band, dates outside the plan year, and whatever ``checks`` find (run
    when the files' columns are right). Spending above a line's planned amount is a warning.
    """
    where = results_location(plan)
    if where is None:
        return None
    src = Path(plan.source)
    problems: list[Problem] = []
    warnings: list[Problem] = []
    raw: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    if (src / RESULTS_DIR).exists() and (src / RESULTS_WORKBOOK).exists():
        problems.append(
            Problem(
                f"{src.name}/{RESULTS_WORKBOOK}",
                None,
                None,
                None,
                f"chỉ dùng một nơi nhập kết quả: thư mục {RESULTS_DIR}/ hoặc tệp {RESULTS_WORKBOOK}, không cả hai",
            )
        )
    if where.is_dir():
        found, notes = _unknown_files(where, f"{src.name}/{RESULTS_DIR}")
        problems += found
        warnings += notes
        for name in RESULT_TABLES:
            path = where / f"{name}.csv"
            files[name] = f"{src.name}/{RESULTS_DIR}/{name}.csv"
            if not path.exists() and not path.is_symlink():
                continue
            try:
                raw[name] = read_csv_text(path, files[name])
            except PlanValidationError as exc:
                problems += exc.problems
    elif where.name != RESULTS_WORKBOOK:
        expected = f"là một tệp; cần thư mục {RESULTS_DIR}/ chứa " + ", ".join(f"{n}.csv" for n in RESULT_TABLES)
        raise PlanValidationError([Problem(f"{src.name}/{RESULTS_DIR}", None, None, None, expected)])
    else:
        display = f"{src.name}/{RESULTS_WORKBOOK}"
        try:
            sheets = read_xlsx_sheets(where, display)
        except PlanValidationError as exc:
            raise PlanValidationError(exc.problems + problems) from None
        for name in RESULT_TABLES:
            files[name] = f"{display} (sheet {name})"
            if name in sheets:
                raw[name] = sheets[name]
        for extra in sorted(set(sheets) - set(RESULT_TABLES)):
            warnings.append(
                Problem(
                    f"{display} (sheet {extra})",
                    None,
                    None,
                    None,
                    "sheet không dùng: bỏ qua (các sheet dùng: " + ", ".join(RESULT_TABLES) + ")",
                )
            )
    tables: dict[str, pd.DataFrame] = {}
    structural = False
    for name in RESULT_TABLES:
        if name not in raw:
            tables[name] = empty_table(name)
            tables[name].attrs["file"] = files.get(name, name)
            continue
        frame, found = convert_table(raw[name], name, files[name], warnings)
        structural = structural or any(p.row is None for p in found)
        frame.attrs["file"] = files[name]
        tables[name] = frame
        problems += found
    results = SeasonResults(**tables, source=str(where), warnings=tuple(warnings))
    if not structural:
        problems += check_evaluations(plan, results.evaluations)
        problems += check_support_rows(plan, results.support)
        spending_problems, spending_warnings = check_spending(plan, results.spending)
        problems += spending_problems
        warnings += spending_warnings
        for check in checks:
            problems += check(plan, results)
    if problems:
        raise PlanValidationError(problems)
    return SeasonResults(**tables, source=str(where), warnings=tuple(warnings))


def _unknown_files(folder: Path, display: str) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) for files of results/ that are none of the three: a name close to one
    (``evaluation.csv``) is an error, since its rows would be silently missed; others a warning."""
    known = [f"{n}.csv" for n in RESULT_TABLES]
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for path in sorted(folder.iterdir()):
        if path.name in known or path.name.startswith("."):
            continue
        close = difflib.get_close_matches(path.name.lower(), known, n=1, cutoff=TYPO_CUTOFF)
        if close:
            errors.append(
                Problem(f"{display}/{path.name}", None, None, None, f"tên tệp sai? gần giống '{close[0]}': đổi tên")
            )
        else:
            warnings.append(
                Problem(
                    f"{display}/{path.name}",
                    None,
                    None,
                    None,
                    "tệp không dùng: bỏ qua (các tệp dùng: " + ", ".join(known) + ")",
                )
            )
    return errors, warnings


def _rows(frame: pd.DataFrame) -> list[tuple[int, dict]]:
    """(file row, record) of each row of a results frame."""
    lines = list(frame.attrs.get("lines") or range(2, len(frame) + 2))
    return list(zip(lines, frame.to_dict("records"), strict=True))


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (not isinstance(value, str) and pd.isna(value))


def _in_year(plan: Plan, file: str, line: int, column: str, value: object) -> list[Problem]:
    if _missing(value) or pd.Timestamp(value).year == plan.year:
        return []
    return [Problem(file, line, column, f"{value:%Y-%m-%d}", f"ngày phải thuộc năm kế hoạch {plan.year}")]


def _district_units(plan: Plan) -> pd.DataFrame:
    """The plan province's district-level units, every period (to tell when the district level existed)."""
    units = plan.all_units if plan.all_units is not None else plan.units
    return units[(units["province_id"] == plan.province_id) & (units["level"] == "district")]


def _by_day(compute: Callable[[pd.Timestamp], T]) -> Callable[[pd.Timestamp], T]:
    """``compute`` remembered per day (a results file has few decision dates, many rows)."""
    memo: dict[pd.Timestamp, T] = {}

    def on(when: pd.Timestamp) -> T:
        key = pd.Timestamp(when)
        if key not in memo:
            memo[key] = compute(key)
        return memo[key]

    return on


def check_evaluations(plan: Plan, frame: pd.DataFrame) -> list[Problem]:
    """Products, rounds, one evaluation per product and round, the level's authority for the star on
    the decision date, the score inside the star's band, a decision number for a star, the year."""
    file = frame.attrs.get("file", "evaluations.csv")
    problems: list[Problem] = []
    products = set(plan.products["product_id"])
    rounds = sorted({int(r) for r in plan.rounds["round"]})
    districts = _district_units(plan)
    sits = _by_day(lambda when: not in_force(districts, when).empty)
    rules_on = _by_day(lambda when: in_force(plan.authority_rules, when))
    bands_on = _by_day(lambda when: in_force(plan.star_bands, when))
    seen: dict[tuple[str, int], int] = {}
    for line, r in _rows(frame):
        pid, rnd, level, score, star, when = (
            r["product_id"],
            r["round"],
            r["level"],
            r["score"],
            r["star"],
            r["decision_date"],
        )
        if isinstance(pid, str) and pid not in products:
            problems.append(Problem(file, line, "product_id", pid, "mã sản phẩm không có trong products.csv"))
        if not _missing(rnd) and int(rnd) not in rounds:
            problems.append(
                Problem(
                    file,
                    line,
                    "round",
                    str(rnd),
                    "đợt đánh giá không có trong plan.yaml (rounds): " + ", ".join(map(str, rounds)),
                )
            )
        if isinstance(pid, str) and not _missing(rnd):
            key = (pid, int(rnd))
            if key in seen:
                problems.append(
                    Problem(
                        file,
                        line,
                        "product_id",
                        pid,
                        f"sản phẩm đã được đánh giá trong đợt {int(rnd)} (dòng {seen[key]}): mỗi đợt một dòng",
                    )
                )
            else:
                seen[key] = line
        problems += _in_year(plan, file, line, "decision_date", when)
        if not _missing(star) and not isinstance(r["decision_number"], str):
            problems.append(Problem(file, line, "decision_number", "", "cần số quyết định công nhận khi có hạng sao"))
        if _missing(when) or not isinstance(level, str):
            continue
        if level == "district" and not sits(when):
            problems.append(
                Problem(
                    file,
                    line,
                    "level",
                    level,
                    f"ngày {when:%d/%m/%Y} không còn cấp huyện ở tỉnh {plan.province_name}: "
                    "quyết định phải của cấp tỉnh (3 sao, 4 sao) hoặc trung ương (5 sao)",
                )
            )
            continue
        rules = rules_on(when)
        if _missing(star):
            levels = set(rules["evaluating_level"]) | set(rules["recognising_level"])
            if level not in levels:
                problems.append(
                    Problem(
                        file,
                        line,
                        "level",
                        level,
                        f"ngày {when:%d/%m/%Y} {LEVEL_NAMES[level]} không đánh giá sản phẩm OCOP (authority_rules.csv)",
                    )
                )
        else:
            rule = rules[rules["star"] == int(star)]
            allowed = set(rule["recognising_level"])
            if level not in allowed:
                who = ", ".join(LEVEL_NAMES.get(v, v) for v in sorted(allowed)) or "không cấp nào"
                problems.append(
                    Problem(
                        file,
                        line,
                        "star",
                        str(int(star)),
                        f"{LEVEL_NAMES[level]} không được công nhận {int(star)} sao vào ngày {when:%d/%m/%Y}: "
                        f"{int(star)} sao do {who} công nhận (authority_rules.csv)",
                    )
                )
            problems += _band(bands_on(when), file, line, int(star), score, when)
    return problems


def _band(bands: pd.DataFrame, file: str, line: int, star: int, score: object, when: pd.Timestamp) -> list[Problem]:
    """The score inside the band of ``star`` in ``bands`` (star_bands.csv in force on ``when``, half-open)."""
    if _missing(score):
        return []
    band = bands[bands["star"] == star]
    if band.empty:
        return [Problem(file, line, "star", str(star), f"không có khung điểm cho {star} sao ngày {when:%d/%m/%Y}")]
    low, high = int(band["min_score"].iloc[0]), int(band["max_score_exclusive"].iloc[0])
    if low <= float(score) < high:
        return []
    upper = "100" if high > 100 else f"dưới {high}"
    return [
        Problem(
            file,
            line,
            "score",
            f"{float(score):g}",
            f"điểm của hạng {star} sao phải từ {low} đến {upper} (star_bands.csv); "
            "sản phẩm không đạt thì để trống cột star",
        )
    ]


def check_support_rows(plan: Plan, frame: pd.DataFrame) -> list[Problem]:
    """Organisations known, payment dates inside the plan year (amounts against norms and grants:
    :func:`ocop_helpers.domain.season.check_support`)."""
    file = frame.attrs.get("file", "support.csv")
    problems: list[Problem] = []
    organisations = set(plan.organisations["organisation_id"])
    for line, r in _rows(frame):
        org = r["organisation_id"]
        if isinstance(org, str) and org not in organisations:
            problems.append(Problem(file, line, "organisation_id", org, "mã chủ thể không có trong organisations.csv"))
        problems += _in_year(plan, file, line, "paid_date", r["paid_date"])
    return problems


def check_spending(plan: Plan, frame: pd.DataFrame) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings): budget lines of budget_lines.csv, one row per line and date, dates inside
    the plan year; cumulative spending above the line's planned amount is a warning."""
    file = frame.attrs.get("file", "spending.csv")
    problems: list[Problem] = []
    warnings: list[Problem] = []
    planned = dict(zip(plan.budget_lines["line"], plan.budget_lines["amount_vnd"], strict=True))
    seen: dict[tuple[str, pd.Timestamp], int] = {}
    for line, r in _rows(frame):
        code, spent, when = r["line"], r["spent_vnd"], r["as_of"]
        problems += _in_year(plan, file, line, "as_of", when)
        if not isinstance(code, str):
            continue
        if code not in planned:
            problems.append(
                Problem(file, line, "line", code, "dòng chi không có trong budget_lines.csv: " + ", ".join(planned))
            )
            continue
        if not _missing(when):
            key = (code, pd.Timestamp(when))
            if key in seen:
                problems.append(
                    Problem(
                        file, line, "as_of", f"{when:%Y-%m-%d}", f"dòng chi đã có số liệu ngày này (dòng {seen[key]})"
                    )
                )
            else:
                seen[key] = line
        if int(spent) > int(planned[code]):
            warnings.append(
                Problem(
                    file,
                    line,
                    "spent_vnd",
                    str(int(spent)),
                    f"chi lũy kế vượt dự toán của dòng chi ({int(planned[code]):,} đồng)".replace(",", "."),
                )
            )
    return problems, warnings

"""This year's plan against last year's plans of its predecessors (units mapped through a reorganisation)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from ocop_helpers.core import paths, vnformat
from ocop_helpers.core.dated import in_force
from ocop_helpers.domain import authority, budget, labels, stock, units
from ocop_helpers.inputs.plan import STREAMS, Plan, Predecessor

CERTIFIED_STARS = (3, 4, 5)


@dataclass(frozen=True)
class YearOverYear:
    """Every comparison table of this plan against last year's, and the sentences that explain it."""

    plan: Plan
    previous_year: int
    predecessors: tuple[Predecessor, ...]
    targets: pd.DataFrame  # indicator, previous, current, change (published targets)
    streams_stars: pd.DataFrame  # stream, target_star, previous, current, change (products in the data)
    stock: pd.DataFrame  # indicator, previous, current, change
    budget: pd.DataFrame  # line, label, previous, current, change, source_previous, source_current
    sources: pd.DataFrame  # source_id, name, previous, current, change, certainty (budget by funding source)
    norms: pd.DataFrame  # case, star, previous, current, change (reward per product)
    rounds: pd.DataFrame  # year, round, level, deadline, products
    authority: pd.DataFrame  # star, previous, current (who evaluates and recognises)
    units: pd.DataFrame  # predecessor, from_unit_id, old_name, new_units, new_names, previous, current, shared
    reasons: tuple[str, ...] = field(default_factory=tuple)
    missing_notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def available(self) -> list[Predecessor]:
        return [p for p in self.predecessors if p.plan is not None]

    @property
    def missing(self) -> list[Predecessor]:
        return [p for p in self.predecessors if p.plan is None]


# ----------------------------------------------------------------------------- tables
def predecessors(plan: Plan) -> list[Predecessor]:
    """The provinces whose last-year units became this plan's units, with last year's plan when the
    data hold it (loaded with the plan: ``Plan.last_year``)."""
    start = dt.date(plan.year - 1, 1, 1)
    table = plan.all_units if plan.all_units is not None else plan.units
    old = in_force(table, start)
    mapping = units.unit_mapping(plan.unit_changes, old["unit_id"], start, plan.units_as_of)
    feeding = set(mapping.loc[mapping["to_unit_id"].isin(set(plan.units["unit_id"])), "from_unit_id"])
    old = old.loc[old["unit_id"].isin(feeding)]
    first = [plan.previous_province] if plan.previous_province else []
    order = list(dict.fromkeys(first + sorted(old["province_id"])))
    out = []
    for pid in order:
        rows = old.loc[old["province_id"] == pid]
        if rows.empty:
            continue
        out.append(
            Predecessor(
                province_id=pid,
                unit_ids=tuple(rows["unit_id"]),
                unit_names=tuple(f"{k} {n}".strip() for k, n in zip(rows["unit_kind"], rows["unit_name"], strict=True)),
                plan=plan.last_year.get(pid),
                searched=plan.last_year_searched.get(pid, ()),
            )
        )
    return out


def _change_frame(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    for c in ("previous", "current"):
        frame[c] = frame[c].astype("Int64")
    frame["change"] = frame["current"] - frame["previous"]
    return frame


def _sum(plans: list[Plan], get) -> int | None:
    values = [get(p) for p in plans]
    return None if not plans or any(v is None for v in values) else int(sum(values))


def _start_stock(p: Plan) -> int | None:
    try:
        return stock.start_stock(p.history, p.year)[1]
    except LookupError:
        return None


def certificate_terms(p: Plan) -> dict[str, int]:
    """The certificates' validity and notice in force on 1 January of the plan year (certificate_rules.csv)."""
    return stock.certificate_terms(p.official_tables["certificate_rules"], dt.date(p.year, 1, 1))


def expiry_due(p: Plan) -> int:
    """Certificates due for re-evaluation in the plan year (the list of the plan; expired before
    the year counted in it), from the plan's products and rounds."""
    terms = certificate_terms(p)
    pipe = stock.expiry_pipeline(
        p.products, p.rounds, p.year, rules=p.authority_rules, units=p.units, province_id=p.province_id, **terms
    )
    by_year = stock.expiry_by_year(pipe, p.year, years=1, validity_months=terms["validity_months"])
    return int(by_year["due"].iloc[0])


def targets_table(plan: Plan, before: list[Plan]) -> pd.DataFrame:
    """Published targets by stream, total, organisations and budget: last year (summed) against this year."""
    rows = [
        (
            f"Sản phẩm {labels.STREAM[s].lower()}",
            "sản phẩm",
            _sum(before, lambda p, s=s: p.targets.by_stream()[s]),
            plan.targets.by_stream()[s],
        )
        for s in STREAMS
    ]
    rows.append(
        (
            "Tổng số sản phẩm đánh giá, phân hạng",
            "sản phẩm",
            _sum(before, lambda p: p.targets.total),
            plan.targets.total,
        )
    )
    rows.append(
        (
            "Chủ thể đề nghị hỗ trợ nhãn hiệu, bao bì",
            "chủ thể",
            _sum(before, lambda p: p.targets.organisations_branding),
            plan.targets.organisations_branding,
        )
    )
    rows.append(
        ("Tổng kinh phí", "đồng", _sum(before, lambda p: p.targets.budget_total_vnd), plan.targets.budget_total_vnd)
    )
    return _change_frame(rows, ["indicator", "unit", "previous", "current"])


def streams_stars_table(plan: Plan, before: list[Plan]) -> pd.DataFrame:
    """Products in the data by stream and target star, last year (summed) against this year."""

    def counts(p: Plan) -> pd.Series:
        return p.products.groupby(["stream", "target_star"]).size()

    now = counts(plan)
    prev = pd.concat([counts(p) for p in before]).groupby(level=[0, 1]).sum() if before else None
    keys = sorted(
        set(now.index) | (set(prev.index) if prev is not None else set()), key=lambda k: (STREAMS.index(k[0]), k[1])
    )
    rows = [
        (s, int(star), None if prev is None else int(prev.get((s, star), 0)), int(now.get((s, star), 0)))
        for s, star in keys
    ]
    return _change_frame(rows, ["stream", "target_star", "previous", "current"])


def _stock_rows(plan: Plan, before: list[Plan]) -> list[tuple[str, int | None, int | None]]:
    """Certified stock at the start of the year and the year-end target: (indicator, previous, current)."""
    return [
        ("Số sản phẩm OCOP đầu năm", _sum(before, _start_stock), _start_stock(plan)),
        (
            "Mục tiêu số sản phẩm OCOP cuối năm",
            _sum(before, lambda p: p.targets.stock_target),
            plan.targets.stock_target,
        ),
    ]


def headline_table(plan: Plan, before: list[Plan]) -> pd.DataFrame:
    """The published targets and the stock at the start and the end of the year, last year against this
    year: what the plan shows when last year's plan is known but none of its units became this plan's
    (no detailed comparison)."""
    stock_rows = [
        (indicator, "sản phẩm", previous, current) for indicator, previous, current in _stock_rows(plan, before)
    ]
    headline = targets_table(plan, before)[["indicator", "unit", "previous", "current"]]
    return _change_frame([*headline.itertuples(index=False, name=None), *stock_rows], list(headline.columns))


def stock_table(plan: Plan, before: list[Plan], current_due: int | None = None) -> pd.DataFrame:
    """Certified stock at the start of the year, the year-end target, the net increase that needs,
    and the certificates due for re-evaluation during the year."""
    due_now = expiry_due(plan) if current_due is None else current_due
    start, target = _stock_rows(plan, before)
    (_, start_prev, start_now), (_, target_prev, target_now) = start, target
    rows = [
        start,
        target,
        (
            "Tăng ròng cần đạt trong năm",
            None if start_prev is None or target_prev is None else target_prev - start_prev,
            None if start_now is None else target_now - start_now,
        ),
        ("Giấy chứng nhận đến hạn đánh giá lại trong năm", _sum(before, expiry_due), due_now),
    ]
    return _change_frame(rows, ["indicator", "previous", "current"])


def budget_table(plan: Plan, before: list[Plan]) -> pd.DataFrame:
    """Budget by line with each year's source note (what the amount rests on)."""
    now = plan.budget_lines.set_index("line")
    prev_lines = [p.budget_lines.set_index("line") for p in before]
    lines = list(dict.fromkeys(list(now.index) + [line for f in prev_lines for line in f.index]))
    rows = []
    for line in lines:
        prev = None if not before else int(sum(int(f["amount_vnd"].get(line, 0)) for f in prev_lines))
        rows.append(
            (
                line,
                labels.BUDGET_LINE.get(line, line),
                prev,
                int(now["amount_vnd"].get(line, 0)),
                " | ".join(str(f["source"].get(line, "")) for f in prev_lines if line in f.index),
                str(now["source"].get(line, "")) if line in now.index else "",
            )
        )
    frame = pd.DataFrame(rows, columns=["line", "label", "previous", "current", "source_previous", "source_current"])
    for c in ("previous", "current"):
        frame[c] = frame[c].astype("Int64")
    frame["change"] = frame["current"] - frame["previous"]
    return frame


def sources_table(plan: Plan, before: list[Plan]) -> pd.DataFrame:
    """Budget by funding source (the dated shares of each line in force on each plan's issue date),
    of the plans as issued (default parameters), last year (summed) against this year."""

    def by_source(p: Plan) -> tuple[pd.DataFrame, pd.DataFrame]:
        lines = budget.plan_lines(p.budget_lines, p.targets.budget_total_vnd)
        issued = p.issued_on
        return budget.by_source(lines, p.official_tables["line_sources"], issued), p.official_tables["funding_sources"]

    now, funding = by_source(plan)
    names = dict(zip(funding["source_id"], funding["name"], strict=False))
    prev: dict[str, int] = {}
    for p in before:
        frame, f = by_source(p)
        names = {**dict(zip(f["source_id"], f["name"], strict=False)), **names}
        for r in frame.itertuples(index=False):
            prev[r.source_id] = prev.get(r.source_id, 0) + int(r.amount_vnd)
    current = {r.source_id: int(r.amount_vnd) for r in now.itertuples(index=False)}
    certainty = dict(zip(now["source_id"], now["certainty"], strict=False))
    ids = list(dict.fromkeys([*current, *prev]))
    frame = pd.DataFrame(
        {
            "source_id": ids,
            "name": [names.get(i, i) for i in ids],
            "previous": pd.array([prev.get(i, 0) if before else None for i in ids], dtype="Int64"),
            "current": pd.array([current.get(i, 0) for i in ids], dtype="Int64"),
            "certainty": [certainty.get(i, "") for i in ids],
        }
    )
    frame["change"] = frame["current"] - frame["previous"]
    return frame


def norms_table(plan: Plan, before: list[Plan]) -> pd.DataFrame:
    """Reward per product by case and star under each year's norms (several predecessors: the
    first one's, which is named)."""

    def rewards(p: Plan) -> pd.Series:
        n = p.norms_in_force()
        n = n.loc[n["line"] == "reward"]
        return n.groupby(["case", "star"])["amount_vnd"].max()

    now = rewards(plan)
    prev = rewards(before[0]) if before else pd.Series(dtype="int64")
    keys = sorted(
        set(now.index) | set(prev.index),
        key=lambda k: (list(labels.REWARD_CASE).index(k[0]) if k[0] in labels.REWARD_CASE else 9, k[1]),
    )
    rows = [
        (
            case,
            int(star),
            int(prev[(case, star)]) if (case, star) in prev.index else None,
            int(now[(case, star)]) if (case, star) in now.index else None,
        )
        for case, star in keys
    ]
    return _change_frame(rows, ["case", "star", "previous", "current"])


def rounds_table(plan: Plan, before: list[Plan]) -> pd.DataFrame:
    """Both years' rounds: level, deadline, and products planned for the round (by round number)."""
    rows = []
    for p in [*before, plan]:
        planned = p.products.groupby("planned_round").size()
        for r in p.rounds.itertuples():
            rows.append((p.year, p.province_name, int(r.round), r.level, r.deadline, int(planned.get(r.round, 0))))
    return pd.DataFrame(rows, columns=["year", "province_name", "round", "level", "deadline", "products"])


def authority_frame(plan: Plan, previous_year: int) -> pd.DataFrame:
    """Who evaluates and recognises each star on 1 January of last year and of this year."""
    rules = plan.authority_rules
    rows = []
    for star in CERTIFIED_STARS:
        texts = []
        for day in (dt.date(previous_year, 1, 1), dt.date(plan.year, 1, 1)):
            try:
                rule = authority.rule_at(rules, day, star)
                texts.append(
                    f"{labels.LEVEL.get(rule.evaluating_level, rule.evaluating_level)} đánh giá, "
                    f"{labels.LEVEL.get(rule.recognising_level, rule.recognising_level).lower()} công nhận"
                )
            except authority.AuthorityRuleError:
                texts.append("–")
        rows.append((star, texts[0], texts[1], texts[0] != texts[1]))
    return pd.DataFrame(rows, columns=["star", "previous", "current", "changed"])


def authority_changes(plan: Plan, previous_year: int) -> list[tuple[pd.Timestamp, str]]:
    """Dated rule changes between 1 January of last year and 1 January of this year: (date, source)."""
    rules = plan.authority_rules
    start = pd.Timestamp(previous_year, 1, 1)
    end = pd.Timestamp(plan.year, 1, 1)
    starts = pd.to_datetime(rules["valid_from"])
    changed = rules.loc[(starts > start) & (starts <= end)]
    out = []
    for when, group in changed.groupby(pd.to_datetime(changed["valid_from"])):
        out.append((pd.Timestamp(when), str(group["source"].iloc[0]).split(":")[0].split(" (")[0].strip()))
    return out


def units_table(plan: Plan, preds: list[Predecessor]) -> pd.DataFrame:
    """Each predecessor unit: the new units it became, its products last year and this year's
    products in those new units (a new unit formed from several old units is counted once, under
    the first, and flagged ``shared``)."""
    start = dt.date(plan.year - 1, 1, 1)
    old_ids = [u for p in preds for u in p.unit_ids]
    if not old_ids:
        return pd.DataFrame(
            columns=[
                "predecessor",
                "from_unit_id",
                "old_name",
                "new_units",
                "new_names",
                "previous",
                "current",
                "shared",
            ]
        )
    mapping = units.unit_mapping(plan.unit_changes, old_ids, start, plan.units_as_of)
    mapping = mapping.loc[mapping["to_unit_id"].isin(set(plan.units["unit_id"]))]
    names_now = {r.unit_id: f"{r.unit_kind} {r.unit_name}".strip() for r in plan.units.itertuples()}
    now_counts = plan.products.groupby("unit_id").size()
    counted: set[str] = set()
    rows = []
    for p in preds:
        prev_counts = p.plan.products.groupby("unit_id").size() if p.plan is not None else None
        for uid, uname in zip(p.unit_ids, p.unit_names, strict=True):
            targets = list(mapping.loc[mapping["from_unit_id"] == uid, "to_unit_id"])
            fresh = [t for t in targets if t not in counted]
            counted.update(targets)
            shared = bool((mapping.loc[mapping["to_unit_id"].isin(targets), "sources"] > 1).any())
            shown = ", ".join(names_now.get(t, t) for t in targets[:6]) + ("…" if len(targets) > 6 else "")
            rows.append(
                (
                    p.short_name,
                    uid,
                    uname,
                    len(targets),
                    shown,
                    None if prev_counts is None else int(prev_counts.get(uid, 0)),
                    int(sum(int(now_counts.get(t, 0)) for t in fresh)),
                    shared,
                )
            )
    frame = pd.DataFrame(
        rows,
        columns=["predecessor", "from_unit_id", "old_name", "new_units", "new_names", "previous", "current", "shared"],
    )
    frame["previous"] = frame["previous"].astype("Int64")
    return frame


# ----------------------------------------------------------------------------- the explanation
def _signed(value: int, money: bool = False) -> str:
    text = vnformat.money(abs(value)) if money else vnformat.number(abs(value))
    return ("tăng " if value > 0 else "giảm ") + text if value else "không đổi"


def reasons(y: YearOverYear) -> list[str]:
    """Sentences stating what changed and why, each read from the tables above."""
    plan, prev_year = y.plan, y.previous_year
    out: list[str] = []
    if len(y.predecessors) > 1 or (y.predecessors and y.predecessors[0].province_id != plan.province_id):
        have = ", ".join(p.name for p in y.available) or "không tỉnh nào"
        out.append(
            f"Địa bàn tỉnh {plan.province_name} năm {plan.year} gồm đơn vị hành chính của {len(y.predecessors)} tỉnh "
            f"năm {prev_year}: {', '.join(p.name for p in y.predecessors)}. Dữ liệu có kế hoạch năm {prev_year} của: {have}; "
            f"số liệu năm {prev_year} dưới đây là tổng của các kế hoạch đó."
        )
    for p in y.available:
        part = y.units.loc[y.units["predecessor"] == p.short_name]
        if len(y.predecessors) > 1 and part["previous"].notna().all():
            before, now = int(part["previous"].sum()), int(part["current"].sum())
            out.append(
                f"Trên địa bàn cũ của {p.name}: {vnformat.number(before)} sản phẩm năm {prev_year}, "
                f"{vnformat.number(now)} sản phẩm năm {plan.year} ({_signed(now - before)})."
            )
    t = y.targets.set_index("indicator")
    changes = [
        f"{labels.STREAM[s].lower()} {_signed(int(t.loc[f'Sản phẩm {labels.STREAM[s].lower()}', 'change']))} "
        f"({vnformat.number(int(t.loc[f'Sản phẩm {labels.STREAM[s].lower()}', 'previous']))} → "
        f"{vnformat.number(int(t.loc[f'Sản phẩm {labels.STREAM[s].lower()}', 'current']))})"
        for s in STREAMS
        if not pd.isna(t.loc[f"Sản phẩm {labels.STREAM[s].lower()}", "change"])
    ]
    if changes:
        out.append("Chỉ tiêu đánh giá, phân hạng: " + "; ".join(changes) + ".")
    s = y.stock.set_index("indicator")
    due = s.loc["Giấy chứng nhận đến hạn đánh giá lại trong năm"]
    if not pd.isna(due["change"]):
        out.append(
            f"Giấy chứng nhận đến hạn đánh giá lại trong năm {_signed(int(due['change']))} "
            f"({vnformat.number(int(due['previous']))} → {vnformat.number(int(due['current']))}): "
            "số sản phẩm đánh giá lại theo kế hoạch thay đổi theo số giấy chứng nhận hết hạn "
            f"({vnformat.number(certificate_terms(plan)['validity_months'])} tháng)."
        )
    for when, source in authority_changes(plan, prev_year):
        moved = y.authority.loc[y.authority["changed"]]
        stars = ", ".join(f"{int(r.star)} sao" for r in moved.itertuples())
        out.append(
            f"Từ {vnformat.date(when)} phân cấp đánh giá thay đổi ({source})"
            + (f": {stars} nay do {moved['current'].iloc[0].lower()}" if len(moved) else "")
            + "."
        )
    levels_before = set(y.rounds.loc[y.rounds["year"] == prev_year, "level"])
    levels_now = set(y.rounds.loc[y.rounds["year"] == plan.year, "level"])
    gone = levels_before - levels_now
    if gone:
        n_before = int((y.rounds["year"] == prev_year).sum())
        n_now = int((y.rounds["year"] == plan.year).sum())
        out.append(
            f"Các đợt đánh giá: {vnformat.number(n_before)} đợt năm {prev_year}, {vnformat.number(n_now)} đợt năm {plan.year}; "
            f"không còn đợt {', '.join(labels.LEVEL.get(v, v).lower() for v in sorted(gone))}"
            + (
                f" vì cấp này không còn tồn tại từ {vnformat.date(_level_end(plan, sorted(gone)[0]))}."
                if _level_end(plan, sorted(gone)[0]) is not None
                else "."
            )
        )
    b = y.budget.dropna(subset=["change"])
    b = b.loc[b["change"] != 0].sort_values("change", key=lambda c: c.abs(), ascending=False)
    for r in b.head(3).itertuples():
        out.append(
            f"{r.label}: {_signed(int(r.change), money=True)} ({vnformat.money(int(r.previous))} → "
            f"{vnformat.money(int(r.current))}); căn cứ năm {plan.year}: {r.source_current}"
        )
    n = y.norms.dropna(subset=["change"])
    n = n.loc[n["change"] != 0]
    if len(n):
        first = n.iloc[0]
        out.append(
            f"Định mức thưởng thay đổi ở {vnformat.number(len(n))} mức; ví dụ {labels.REWARD_CASE.get(first['case'], first['case']).lower()} "
            f"{int(first['star'])} sao: {vnformat.money(int(first['previous']))} → {vnformat.money(int(first['current']))} mỗi sản phẩm."
        )
    return out


def missing_notes(y: YearOverYear) -> list[str]:
    """One sentence per predecessor whose plan of last year the data do not hold."""
    plan, prev_year = y.plan, y.previous_year
    out: list[str] = []
    for p in y.missing:
        in_units = y.units.loc[y.units["predecessor"] == p.short_name, "current"].sum()
        out.append(
            f"Thiếu kế hoạch năm {prev_year} của {p.name} (không có thư mục {', '.join(paths.shown(s) for s in p.searched) or 'kế hoạch'}): "
            f"{vnformat.number(int(in_units))} sản phẩm năm {plan.year} ở các đơn vị hình thành từ tỉnh này không có số "
            "năm trước để so sánh; mức thay đổi của toàn tỉnh vì thế gồm cả phần địa bàn mới."
        )
    return out


def _level_end(plan: Plan, level: str) -> pd.Timestamp | None:
    """The day after the last day any unit of ``level`` was valid (the level's abolition)."""
    table = plan.all_units if plan.all_units is not None else plan.units
    rows = table.loc[table["level"] == level]
    if rows.empty or rows["valid_to"].isna().any():
        return None
    return pd.Timestamp(rows["valid_to"].max()) + pd.Timedelta(days=1)


def compare_years(plan: Plan, current_due: int | None = None) -> YearOverYear | None:
    """The whole year-over-year comparison, or None when the data hold no plan of last year for any
    predecessor of this plan's units (nothing to compare with)."""
    preds = predecessors(plan)
    before = [p.plan for p in preds if p.plan is not None]
    if not before:
        return None
    prev_year = plan.year - 1
    y = YearOverYear(
        plan=plan,
        previous_year=prev_year,
        predecessors=tuple(preds),
        targets=targets_table(plan, before),
        streams_stars=streams_stars_table(plan, before),
        stock=stock_table(plan, before, current_due),
        budget=budget_table(plan, before),
        sources=sources_table(plan, before),
        norms=norms_table(plan, before),
        rounds=rounds_table(plan, before),
        authority=authority_frame(plan, prev_year),
        units=units_table(plan, preds),
    )
    return YearOverYear(**{**y.__dict__, "reasons": tuple(reasons(y)), "missing_notes": tuple(missing_notes(y))})


def nothing_to_compare(plan: Plan) -> str:
    """Why there is no year-over-year comparison, and what would make one: the plans of last year the
    data lack, with the folders searched for each predecessor."""
    preds = predecessors(plan)
    names = "; ".join(
        f"{p.name} (không có thư mục {', '.join(paths.shown(s) for s in p.searched) or 'kế hoạch'})" for p in preds
    )
    text = f"Dữ liệu chưa có kế hoạch năm {plan.year - 1} để so sánh" + (
        f": thiếu kế hoạch của {names}." if names else "."
    )
    return text + f" Thêm thư mục kế hoạch năm {plan.year - 1} (plan.yaml và các bảng) rồi chạy lại để có phần so sánh."

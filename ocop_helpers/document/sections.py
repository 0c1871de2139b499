"""The workbook's sections: render-only functions ``Results -> display items``.

Each function reads one :class:`~ocop_helpers.model.compute.Results` and returns what a notebook shows
(paragraphs, notices, tables, charts), in the order shown. They compute nothing that the model
already computed and format every figure through :mod:`ocop_helpers.core.vnformat`; the same functions
fill the JupyterLab panels, the executed notebooks of the build and the plan document. Each is
declared, with its title and the Results fields it reads, in :mod:`ocop_helpers.document.registry`.
"""

from __future__ import annotations

import pandas as pd

from ocop_helpers.core import vnformat
from ocop_helpers.document import charts, elements, narrative
from ocop_helpers.domain import labels, summary
from ocop_helpers.domain.allocation import registry as rule_registry
from ocop_helpers.model.compute import Results, unit_display_names
from ocop_helpers.model.figures import plan as plan_figures
from ocop_helpers.model.figures import season as season_figures
from ocop_helpers.model.ledger import Ledger, chance_words
from ocop_helpers.model.season import season_of

_PCT = vnformat.percent
MAX_UNITS_IN_CHART = 25


def top_units(frame: pd.DataFrame, column: str, n: int = MAX_UNITS_IN_CHART) -> tuple[pd.DataFrame, str]:
    """The ``n`` units with the largest ``column`` when there are many more (e.g. 99 communes), and a
    caption saying so; the whole list goes to the annex."""
    if len(frame) <= n + 5:
        return frame, ""
    return frame.nlargest(
        n, column, keep="first"
    ), f"{n} đơn vị cao nhất trên tổng số {len(frame)} (đầy đủ trong phụ lục)"


def overview(r: Results) -> list:
    """Summary sentences, published key figures against the data, and the streams chart."""
    prov = elements.provenance(r.plan, "targets", "products", "organisations", "budget_lines")
    plan = r.plan
    figures = r.key_figures

    def shown(value: int, unit: str) -> str:
        return vnformat.money(value) if unit == "đồng" else vnformat.number(value)

    table = figures.assign(
        **{
            col + "_text": [shown(v, u) for v, u in zip(figures[col], figures["unit"], strict=False)]
            for col in ("target", "data", "difference")
        }
    )
    table["unit"] = table["unit"].where(table["unit"] != "đồng", "")
    return [
        *elements.paragraphs(summary.overview_text(plan)),
        elements.table(
            table,
            {
                "indicator": "Chỉ tiêu",
                "unit": "Đơn vị tính",
                "target_text": labels.COLUMN["target"],
                "data_text": labels.COLUMN["actual"],
                "difference_text": labels.COLUMN["difference"],
            },
            caption="Chỉ tiêu công bố và dữ liệu chi tiết",
            right={"target_text", "data_text", "difference_text"},
            provenance=prov,
        ),
        charts.targets_vs_data_chart(r.stream_comparison),
    ]


def sources(r: Results) -> list:
    """Where the plan's published numbers come from."""
    prov = "published"
    plan = r.plan
    return [
        elements.table(
            summary.sources_table(plan),
            {"key": "Nội dung", "text": "Nguồn"},
            caption="Ký hiệu [S…] là số hiệu nguồn trong danh mục nguồn kèm theo bộ dữ liệu của sổ kế hoạch",
            provenance=prov,
        )
    ]


# ------------------------------------------------------------------ 10-product-targets


def streams(r: Results) -> list:
    """Targets by stream against the data, with shares and a narrative sentence."""
    prov = elements.provenance(r.plan, "targets", "products")
    plan = r.plan
    table = r.streams
    shown = table.assign(stream_label=table["stream"].map(labels.STREAM | {"total": "Tổng số"}))
    return [
        elements.paragraph(narrative.evaluation_paragraph(table, plan.year)),
        elements.table(
            shown,
            {
                "stream_label": labels.COLUMN["stream"],
                "target": labels.COLUMN["target"],
                "actual": labels.COLUMN["actual"],
                "difference": labels.COLUMN["difference"],
                "target_share": labels.PLANNING_COLUMN["target_share"],
            },
            formats={"target_share": _PCT},
            total_row=True,
            provenance=prov,
        ),
    ]


def breakdowns(r: Results) -> list:
    """Load by unit (all units, zeros included), by sector, by target star and organisation type."""
    prov = elements.provenance(r.plan, "products", "organisations")
    scope, unit_table, concentration = r.scope_name, r.unit_load, r.concentration
    sectors, thin, stars, types = r.sectors, r.thin_sectors, r.stars, r.organisation_types
    types = types.assign(type_label=types["organisation_type"].map(labels.ORGANISATION_TYPE))
    stream_cols = {s: labels.STREAM[s] for s in ("new", "reevaluation", "upgrade")}
    shown_units, note = top_units(unit_table, "total")
    items: list = [
        elements.paragraph(narrative.unit_paragraph(unit_table, concentration)),
        charts.unit_stream_chart(shown_units),
        elements.table(
            shown_units,
            {
                "unit_name": labels.COLUMN["unit_name"],
                **stream_cols,
                "total": labels.PLANNING_COLUMN["total"],
                "share": labels.COLUMN["share"],
            },
            formats={"share": _PCT},
            caption="Số sản phẩm theo đơn vị hành chính và hình thức đánh giá" + (f" — {note}" if note else ""),
            provenance=prov,
        ),
        elements.heading(f"Cơ cấu theo bộ sản phẩm, hạng sao và loại hình tổ chức ({scope})"),
        elements.paragraph(narrative.sector_paragraph(sectors, thin)),
        elements.table(
            sectors,
            {
                "sector": labels.PLANNING_COLUMN["sector"],
                "sector_name": labels.PLANNING_COLUMN["sector_name"],
                **stream_cols,
                "total": labels.PLANNING_COLUMN["total"],
                "share": labels.COLUMN["share"],
            },
            formats={"share": _PCT},
            caption="Theo bộ sản phẩm (QĐ 148/QĐ-TTg)",
            provenance=prov,
        ),
        elements.table(
            stars.assign(star_label=stars["target_star"].map(labels.star_label)),
            {
                "star_label": labels.COLUMN["target_star"],
                **stream_cols,
                "total": labels.PLANNING_COLUMN["total"],
                "share": labels.COLUMN["share"],
            },
            formats={"share": _PCT},
            caption="Theo hạng sao mục tiêu",
            provenance=prov,
        ),
        elements.table(
            types,
            {
                "type_label": labels.COLUMN["organisation_type"],
                "products": labels.COLUMN["products"],
                "organisations": "Số tổ chức",
                "share": labels.COLUMN["share"],
            },
            formats={"share": _PCT},
            caption="Theo loại hình tổ chức",
            provenance=prov,
        ),
    ]
    return items


def stock(r: Results) -> list:
    """Expected stock at year end against the target, as a waterfall and in words."""
    plan = r.plan
    proj = r.stock
    verdict = "đạt" if proj.can_reach else "chưa đạt"
    return [
        elements.key_figure(
            vnformat.number(round(proj.end_stock)),
            f"sản phẩm OCOP dự kiến cuối năm {plan.year} (mục tiêu {vnformat.number(plan.targets.stock_target)}: {verdict})",
            "good" if proj.can_reach else "bad",
        ),
        elements.paragraph(narrative.stock_paragraph(proj)),
        charts.stock_projection_chart(proj.components(whole=True), plan.targets.stock_target),
    ]


def _target_value(t, value: float) -> str:
    """An outcome target's value as written: a share in percent, units with their word, a count bare."""
    if t.is_share:
        return vnformat.percent(value, 1)
    return vnformat.number(round(value)) + (" đơn vị" if t.kind == "per_unit" else "")


def outcomes(r: Results) -> list:
    """Each outcome target: its value, what is reached by ``as_of`` (when results are entered), the
    expected value at the year end with the range of eight draws in ten, and the chance of meeting it."""
    s = season_of(r)
    plan = r.plan
    table = s.forecast.table.set_index("target_id")
    rows = []
    for t in s.targets:
        row = table.loc[t.id]
        reached = s.stock_now if t.kind == "stock" else row["realised"]
        rows.append(
            {
                "target": season_figures.target_text(t, plan.year),
                "value": (
                    f"{vnformat.number(int(t.value))} mỗi đơn vị" if t.kind == "per_unit" else _target_value(t, t.value)
                ),
                "reached": _target_value(t, float(reached)),
                "expected": _target_value(t, float(row["expected"])),
                "range": f"{_target_value(t, float(row['p10']))}–{_target_value(t, float(row['p90']))}",
                "chance": chance_words(float(row["chance"])),
                "source": "Giả định" if t.assumed else "Đã công bố",
            }
        )
    frame = pd.DataFrame(rows)
    columns = {
        "target": "Mục tiêu",
        "value": "Mục tiêu năm",
        "reached": f"Đã đạt đến {vnformat.date(s.as_of)}",
        "expected": "Dự kiến cuối năm",
        "range": "Tám trên mười khả năng trong khoảng",
        "chance": "Khả năng đạt",
        "source": "Nguồn mục tiêu",
    }
    if not s.has_results:
        del columns["reached"]
    risky = season_figures.at_risk(r, s)
    threshold = chance_words(float(r.params.target_risk_chance))
    lines = [
        "Dự kiến theo các tỷ lệ đạt giả định của kịch bản"
        + (f", tính lại từ kết quả đã nhập đến ngày {vnformat.date(s.as_of)}" if s.has_results else "")
        + f" ({vnformat.number(s.forecast.draws)} lượt mô phỏng)."
    ]
    if risky:
        names = "; ".join(season_figures.target_text(t, plan.year) for t in risky)
        lines.append(f"Có nguy cơ không đạt (khả năng dưới mức {threshold}): {names}.")
    else:
        lines.append(f"Mọi mục tiêu có khả năng đạt từ mức {threshold} trở lên.")
    prov = elements.provenance(plan, "targets", "products", *(("results",) if s.has_results else ()))
    return [
        *elements.paragraphs(lines),
        elements.table(frame, columns, right={"value", "reached", "expected", "range"}, provenance=prov),
    ]


def calendar(r: Results) -> list:
    """Rounds with level, deadline, load and capacity; warnings for rounds that need action."""
    prov = elements.provenance(r.plan, "rounds", "products")
    params = r.params
    cal = r.calendar
    rounds = cal.rounds.assign(
        level_label=cal.rounds["level"].map(labels.LEVEL),
        # The round's capacity, as the chart draws it: all its councils (at least one) × one council's.
        capacity=cal.rounds["capacity_per_council"] * cal.rounds["councils"].clip(lower=1),
        status=[
            "Cấp không còn tổ chức"
            if not ok
            else ("Vượt năng lực" if over else ("Chưa có sản phẩm" if empty else "Bình thường"))
            for ok, over, empty in zip(
                cal.rounds["level_in_force"].fillna(True),
                cal.rounds["over_capacity"],
                cal.rounds["empty"],
                strict=False,
            )
        ],
    )
    warnings = cal.warnings
    blocking = bool(
        ((warnings["warning"].isin(["level_not_in_force", "over_capacity"])) & (warnings["products"] > 0)).any()
    )
    items: list = [
        elements.paragraph(narrative.calendar_paragraph(cal.rounds, r.unit_names, params.routing, cal.unscheduled))
    ]
    for w in warnings.itertuples():
        where = f"Đợt {w.round} ({labels.LEVEL.get(w.level, w.level).lower()}, hạn {vnformat.date(w.deadline)})"
        if w.warning == "level_not_in_force" and w.products == 0:
            items.append(
                elements.notice(
                    f"{where}: {labels.CALENDAR_WARNING[w.warning].lower()}; "
                    "đợt này không tổ chức, các sản phẩm đã được điều chuyển.",
                    "info",
                )
            )
            continue
        items.append(
            elements.notice(
                f"{where}: {labels.CALENDAR_WARNING.get(w.warning, w.warning)} — {vnformat.number(w.products)} sản phẩm.",
                "error" if w.warning in ("level_not_in_force", "over_capacity") else "warning",
            )
        )
    if r.calendar_rerouted is not None:
        alt_rounds = r.calendar_rerouted.rounds
        moved = alt_rounds[alt_rounds["rerouted_in"] > 0]
        stuck = cal.rounds[(~cal.rounds["level_in_force"].fillna(True).astype(bool)) & (cal.rounds["products"] > 0)]
        already = int(stuck["products"].sum()) - int(moved["rerouted_in"].sum())
        for rd in moved.itertuples():
            capacity = int(rd.capacity_per_council) * int(rd.councils)
            rest = (
                f" ({vnformat.number(already)} sản phẩm còn lại của đợt không còn tổ chức đã có lượt đánh giá ở cấp "
                "trên nên không phải chuyển)"
                if already > 0
                else ""
            )
            items.append(
                elements.notice(
                    f"Nếu điều chuyển: {vnformat.number(int(rd.rerouted_in))} sản phẩm chuyển sang đợt {rd.round} "
                    f"{labels.LEVEL.get(rd.level, rd.level).lower()} (hạn {vnformat.date(rd.deadline)}){rest}; đợt này khi đó có "
                    f"{vnformat.number(int(rd.products))} sản phẩm so với năng lực {vnformat.number(capacity)} sản phẩm "
                    f"({vnformat.number(int(rd.councils))} hội đồng × {vnformat.number(params.sessions_per_round)} phiên × "
                    f"{vnformat.number(params.products_per_session)} sản phẩm)"
                    + (": cần thêm phiên họp hoặc chia đợt." if bool(rd.over_capacity) else "."),
                    "error" if bool(rd.over_capacity) else "info",
                )
            )
    items += [
        elements.key_figure(
            vnformat.number(int(rounds["products"].max()) if len(rounds) else 0),
            "sản phẩm ở đợt đông nhất",
            "bad" if blocking else "good",
        ),
        charts.calendar_load_chart(rounds, as_of=r.as_of),
        elements.table(
            rounds,
            {
                **labels.CALENDAR_COLUMNS,
                "capacity": "Năng lực cả đợt",
                "status": "Tình trạng",
            },
            caption=f"Lịch đánh giá, phân hạng — {labels.ROUTING[params.routing].lower()}",
            provenance=prov,
        ),
    ]
    return items


def expiry(r: Results, sheet: str) -> list:
    """Certificates falling due for re-evaluation in the next three years and the stock at risk."""
    prov = elements.provenance(r.plan, "history", "products", "rounds")
    plan, params = r.plan, r.params
    by_year, effect = r.expiry_by_year, r.expiry_effect
    terms = r.certificate_terms
    note = (
        f"Năm {plan.year} tính theo danh sách đánh giá lại của kế hoạch; các năm sau lấy số lớn hơn giữa danh sách "
        f"và ước tính theo số sản phẩm được công nhận {vnformat.number(terms['validity_months'] // 12)} năm trước "
        f"(giấy chứng nhận có giá trị {vnformat.number(terms['validity_months'])} tháng, phải thông báo cho tổ chức "
        f"kinh tế ít nhất {vnformat.number(terms['notice_days'])} ngày trước khi hết hạn)."
    )
    schedule = r.reevaluation_schedule
    due_now = schedule[schedule["due_year"] <= plan.year]
    by_stream = due_now["stream"].value_counts()
    if len(by_stream) > 1:
        note += (
            f" Năm {plan.year} có {vnformat.number(len(due_now))} giấy chứng nhận đến hạn (kể cả đã quá hạn): "
            + ", ".join(
                f"{vnformat.number(int(n))} của sản phẩm {labels.STREAM[s].lower()}" for s, n in by_stream.items()
            )
            + "."
        )
    late = schedule[schedule["planned_after_expiry"] & (schedule["due_year"] == plan.year)]
    warn = (
        []
        if late.empty
        else [
            elements.notice(
                f"{vnformat.number(len(late))} sản phẩm đánh giá lại hoặc nâng hạng được xếp vào đợt có thời hạn sau ngày hết hạn "
                f"giấy chứng nhận: cần đưa lên đợt sớm hơn hoặc chấp nhận sản phẩm mất chứng nhận trong thời gian chờ "
                f"(danh sách, ngày hết hạn và ngày phải thông báo cho tổ chức kinh tế trong phụ lục, bảng «{sheet}»).",
                "warning",
            )
        ]
    )
    return [
        elements.paragraph(
            narrative.expiry_paragraph(
                by_year, plan.year, params.lapse_share, column="basis", validity_months=terms["validity_months"]
            )
        ),
        *warn,
        elements.paragraph(note),
        charts.expiry_pipeline_chart(by_year),
        elements.table(
            effect,
            {
                "due_year": "Năm đến hạn",
                "due": "Theo danh sách kế hoạch",
                "cohort_estimate": "Ước tính theo số liệu các năm",
                "basis": "Dùng để tính",
                "no_round_before_expiry": "Hết hạn trước đợt gần nhất",
                "lost": "Có thể mất nếu không đánh giá lại",
            },
            formats={"due_year": str, "lost": lambda v: vnformat.number(v, 0)},
            provenance=prov,
        ),
    ]


def year_over_year(r: Results, title: str) -> list:
    """The previous year's plan and stock next to this year's, when the data hold both: what changed
    and why (targets by stream and star, stock and expiries, budget by line and source, reward norms,
    rounds and authorities, units through the reorganisation), with every predecessor named."""
    return year_over_year_items(
        r.plan, r.previous, r.year_over_year, r.rekeyed_units, r.year_over_year_detail, r.unit_names, title
    )


def _yoy_money_or_number(table: pd.DataFrame, units: pd.Series | str) -> dict[str, list[str]]:
    unit_list = [units] * len(table) if isinstance(units, str) else list(units)
    return {
        c: [
            "–" if v is None or v is pd.NA else vnformat.money(v) if u == "đồng" else vnformat.number(v)
            for v, u in zip(table[c], unit_list, strict=False)
        ]
        for c in ("previous", "current", "change")
    }


def year_over_year_items(plan, previous, table, rekeyed, detail, unit_names: dict[str, str], title: str) -> list:
    """The year-over-year section from its parts (the plan shows it; ``python -m ocop_helpers yoy``
    writes it as a page of its own)."""
    prov = elements.provenance(plan, "targets", "history", "products", "budget_lines")
    if previous is None or table is None:
        return []
    history_cols = {"date": "Thời điểm", "total": "Tổng số", "star3": "3 sao", "star4": "4 sao", "star5": "5 sao"}
    before = f"Năm {previous.year} ({previous.province_name})"
    if detail is not None and len(detail.available) > 1:
        before = f"Năm {previous.year} (tổng: {', '.join(p.plan.province_name for p in detail.available)})"
    now = f"Năm {plan.year} ({plan.province_name})"
    heads = {"previous": before, "current": now, "change": "Thay đổi"}
    items: list = [
        elements.heading(title),
        elements.paragraph(summary.year_over_year_text(plan, previous)),
    ]
    if detail is None:
        items.append(
            elements.table(
                table.assign(
                    **_yoy_money_or_number(table, table["unit"]), unit=table["unit"].where(table["unit"] != "đồng", "")
                ),
                {"indicator": "Chỉ tiêu", "unit": "Đơn vị tính", **heads},
                right={"previous", "current", "change"},
                provenance=prov,
            )
        )
    else:
        items += [elements.notice(text, "warning") for text in detail.missing_notes]
        items.append(elements.heading("Những gì thay đổi và vì sao"))
        items += elements.paragraphs(detail.reasons)
        t = detail.targets
        items.append(
            elements.table(
                t.assign(**_yoy_money_or_number(t, t["unit"]), unit=t["unit"].where(t["unit"] != "đồng", "")),
                {"indicator": "Chỉ tiêu", "unit": "Đơn vị tính", **heads},
                right={"previous", "current", "change"},
                caption="Chỉ tiêu kế hoạch",
                provenance=prov,
            )
        )
        ss = detail.streams_stars
        items.append(
            elements.table(
                ss.assign(
                    stream_label=ss["stream"].map(labels.STREAM),
                    star_label=ss["target_star"].map(labels.star_label),
                    **_yoy_money_or_number(ss, "sản phẩm"),
                ),
                {"stream_label": labels.COLUMN["stream"], "star_label": labels.COLUMN["target_star"], **heads},
                right={"previous", "current", "change"},
                caption="Sản phẩm theo hình thức đánh giá và hạng sao mục tiêu (dữ liệu chi tiết)",
                provenance=prov,
            )
        )
        st = detail.stock
        items.append(
            elements.table(
                st.assign(**_yoy_money_or_number(st, "sản phẩm")),
                {"indicator": "Chỉ tiêu", **heads},
                right={"previous", "current", "change"},
                caption="Số sản phẩm OCOP và giấy chứng nhận đến hạn",
                provenance=prov,
            )
        )
        b = detail.budget
        items.append(
            elements.table(
                b.assign(**_yoy_money_or_number(b, "đồng")),
                {"label": labels.COLUMN["line"], **heads, "source_current": f"Căn cứ năm {plan.year}"},
                right={"previous", "current", "change"},
                caption="Kinh phí theo dòng chi và căn cứ",
                provenance=prov,
            )
        )
        so = detail.sources
        items.append(
            elements.table(
                so.assign(
                    **_yoy_money_or_number(so, "đồng"),
                    basis=["Theo quy định" if c == "published" else "Giả định" for c in so["certainty"]],
                ),
                {"name": "Nguồn kinh phí", **heads, "basis": f"Căn cứ phân nguồn năm {plan.year}"},
                right={"previous", "current", "change"},
                caption="Kinh phí theo nguồn",
                provenance=prov,
            )
        )
        n = detail.norms
        if len(n):
            items.append(
                elements.table(
                    n.assign(
                        case_label=n["case"].map(labels.REWARD_CASE),
                        star_label=n["star"].map(labels.star_label),
                        **_yoy_money_or_number(n, "đồng"),
                    ),
                    {"case_label": "Trường hợp", "star_label": "Hạng sao", **heads},
                    right={"previous", "current", "change"},
                    caption="Định mức thưởng mỗi sản phẩm (– : định mức không có mức này)",
                    provenance=prov,
                )
            )
        rd = detail.rounds
        items.append(
            elements.table(
                rd.assign(level_label=rd["level"].map(labels.LEVEL), year_text=rd["year"].astype(str)),
                {
                    "year_text": "Năm",
                    "province_name": "Tỉnh",
                    "round": labels.COLUMN["round"],
                    "level_label": labels.COLUMN["level"],
                    "deadline": labels.COLUMN["deadline"],
                    "products": "Sản phẩm đăng ký đợt",
                },
                caption="Các đợt đánh giá, phân hạng",
                provenance=prov,
            )
        )
        au = detail.authority
        items.append(
            elements.table(
                au.assign(star_label=au["star"].map(labels.star_label)),
                {
                    "star_label": "Hạng sao",
                    "previous": f"1/1/{detail.previous_year}",
                    "current": f"1/1/{plan.year}",
                },
                caption="Cấp đánh giá và công nhận theo hạng sao",
                provenance=prov,
            )
        )
    if previous.province_id != plan.province_id:
        items.append(
            elements.notice(
                f"Hai kế hoạch thuộc hai địa giới khác nhau (tỉnh {previous.province_name} trước "
                f"hợp nhất và tỉnh {plan.province_name} sau hợp nhất): mức thay đổi gồm cả phần "
                "do hợp nhất địa giới.",
                "info",
            )
        )
    items += _rekeyed_units_items(plan, previous, rekeyed, detail, unit_names)
    if previous.province_id != plan.province_id:
        items.append(
            elements.table(
                previous.history,
                history_cols,
                caption=f"Số sản phẩm OCOP của tỉnh {previous.province_name} (trước hợp nhất)",
                provenance=prov,
            )
        )
    items.append(
        elements.table(
            plan.history, history_cols, caption=f"Số sản phẩm OCOP của tỉnh {plan.province_name}", provenance=prov
        )
    )
    return items


def _rekeyed_units(r: Results) -> list:
    """Last year's products per unit moved to this year's units, or why that cannot be done
    without guessing (a unit split over several new units with no shares)."""
    return _rekeyed_units_items(r.plan, r.previous, r.rekeyed_units, r.year_over_year_detail, r.unit_names)


def _rekeyed_units_items(plan, previous, result, detail, unit_names: dict[str, str]) -> list:
    prov = elements.provenance(plan, "products")
    if previous is None or result is None:
        return []
    items: list = []
    if not result.ambiguous.empty:
        names = unit_display_names(previous)
        amb = result.ambiguous.assign(
            old_name=lambda f: f["from_unit_id"].map(names),
            new_units=lambda f: f["candidates"].str.split(", ").map(len),
        )
        items.append(
            elements.notice(
                f"Không thể chuyển số sản phẩm năm {previous.year} theo đơn vị hành chính mới mà không phỏng đoán: "
                f"{vnformat.number(len(amb))} đơn vị cũ được chia cho nhiều đơn vị mới và dữ liệu chưa có tỷ lệ phân chia "
                f"({vnformat.number(int(amb['total'].sum()))} sản phẩm). "
                + (
                    f"Bảng dưới so sánh theo chiều ngược lại: số sản phẩm năm {plan.year} ở các đơn vị mới hình thành từ "
                    "mỗi đơn vị cũ; "
                    if detail is not None
                    else "Bảng dưới cho biết mỗi đơn vị cũ chuyển sang bao nhiêu đơn vị mới; "
                )
                + "cần bổ sung tỷ lệ (cột share trong unit_changes.csv) để chia số năm trước theo đơn vị mới.",
                "info",
            )
        )
        if detail is None:
            items.append(
                elements.table(
                    amb,
                    {
                        "old_name": f"Đơn vị năm {previous.year}",
                        "total": "Số sản phẩm",
                        "new_units": f"Chia cho số đơn vị năm {plan.year}",
                    },
                    provenance=prov,
                )
            )
    if detail is not None and len(detail.units):
        u = detail.units
        items.append(
            elements.table(
                u.assign(
                    previous_text=[
                        "không có dữ liệu" if v is pd.NA or v is None else vnformat.number(int(v))
                        for v in u["previous"]
                    ],
                    current_text=[vnformat.number(int(v)) for v in u["current"]],
                ),
                {
                    "predecessor": "Tỉnh năm trước",
                    "old_name": f"Đơn vị năm {previous.year}",
                    "new_units": f"Số đơn vị năm {plan.year}",
                    "new_names": f"Đơn vị năm {plan.year}",
                    "previous_text": f"Sản phẩm năm {previous.year}",
                    "current_text": f"Sản phẩm năm {plan.year}",
                    "shared": "Đơn vị mới chung với đơn vị cũ khác",
                },
                right={"previous_text", "current_text"},
                caption="Đơn vị hành chính trước và sau sắp xếp (theo bảng thay đổi đơn vị có ngày hiệu lực)",
                provenance=prov,
            )
        )
    if not result.table.empty and result.table["total"].sum() > 0:
        mapped = result.table[result.table["total"] > 0].assign(unit_name=lambda f: f["unit_id"].map(unit_names))
        items.append(
            elements.table(
                mapped,
                {"unit_name": labels.COLUMN["unit_name"], "total": "Số sản phẩm năm trước"},
                caption="Số sản phẩm năm trước chuyển được sang đơn vị mới (gộp, đổi tên)",
                provenance=prov,
            )
        )
    if not result.unmapped.empty:
        items.append(
            elements.notice(
                f"{vnformat.number(len(result.unmapped))} đơn vị cũ không có trong bảng chuyển đổi "
                "đơn vị hành chính (unit_changes.csv).",
                "warning",
            )
        )
    return items


def budget_lines(r: Results) -> list:
    """The plan's budget lines and shares of their total. One total is spoken of: the lines' (the
    table's "Tổng cộng"); when it differs from the published budget, the difference is named once,
    as the plan document states it (ledger figures ``budget.lines_total_vnd`` / ``budget.difference_vnd``)."""
    prov = elements.provenance(r.plan, "budget_lines")
    lines = r.budget_lines
    led = Ledger()
    plan_figures.budget(r, led)
    published = int(r.plan.targets.budget_total_vnd)
    differs = "budget.lines_total_vnd" in led
    total = int(led.value("budget.lines_total_vnd")) if differs else published
    shown = lines.assign(
        share=lines["amount_vnd"] / total if total else 0.0, label=lines["line"].map(labels.budget_line)
    )
    shown = pd.concat(
        [shown, pd.DataFrame([{"label": "Tổng cộng", "amount_vnd": total, "share": 1.0 if total else 0.0}])],
        ignore_index=True,
    )
    largest = (
        f"lớn nhất là {labels.BUDGET_LINE[lines.loc[lines['amount_vnd'].idxmax(), 'line']].lower()} "
        f"({vnformat.money(int(lines['amount_vnd'].max()))})"
    )
    head = "Tổng các nội dung chi" if differs else "Tổng kinh phí kế hoạch"
    items: list = [
        elements.paragraph(f"{head} {vnformat.money(total)}, gồm {len(lines)} nội dung chi; {largest}."),
        elements.table(
            shown,
            {"label": labels.COLUMN["line"], "amount_vnd": "Số tiền", "share": labels.COLUMN["share"]},
            formats={"amount_vnd": vnformat.money, "share": _PCT},
            total_row=True,
            provenance=prov,
        ),
    ]
    if differs:
        more = total > published
        items.insert(
            0,
            elements.notice(
                f"Tổng các nội dung chi {'cao' if more else 'thấp'} hơn kinh phí đã công bố "
                f"({vnformat.money(published)}) {vnformat.money(int(led.value('budget.difference_vnd')))}.",
                "error" if more else "warning",
            ),
        )
    return items


def claims(r: Results) -> list:
    """What the organisations ask for and what the norms allow them to claim."""
    prov = elements.provenance(r.plan, "requests", "norms", "products", "organisations")
    items, orgs = r.claim_items, r.claim_organisations
    by_item = (
        items.groupby("item", observed=True)
        .agg(requests=("request_id", "size"), cost_vnd=("cost_vnd", "sum"), claim_vnd=("claim_vnd", "sum"))
        .reset_index()
    )
    by_item["item_label"] = by_item["item"].map(labels.BRANDING_ITEM)
    env = r.envelope_vnd
    total_claim = int(orgs["claim_vnd"].sum())
    ratio = env / total_claim if total_claim else 1.0
    return [
        elements.paragraph(
            f"{vnformat.number(len(orgs))} tổ chức kinh tế gửi {vnformat.number(len(items))} đề nghị hỗ trợ với tổng chi phí dự kiến "
            f"{vnformat.money(int(items['cost_vnd'].sum()))}; theo định mức, ngân sách hỗ trợ tối đa "
            f"{vnformat.money(total_claim)}. Kinh phí dành cho nội dung này là {vnformat.money(env)}, "
            + (
                "đủ đáp ứng toàn bộ."
                if ratio >= 1
                else f"đáp ứng được {_PCT(ratio)} nhu cầu: phải phân bổ theo quy tắc đã chọn."
            )
        ),
        elements.table(
            by_item,
            {
                "item_label": labels.COLUMN["item"],
                "requests": "Số đề nghị",
                "cost_vnd": "Chi phí dự kiến",
                "claim_vnd": "Hỗ trợ tối đa theo định mức",
            },
            formats={"cost_vnd": vnformat.money, "claim_vnd": vnformat.money},
            provenance=prov,
        ),
    ]


def allocation(r: Results) -> list:
    """The chosen rule's grants: key figures, status, coverage by unit, the organisations funded."""
    prov = elements.provenance(r.plan, "requests", "norms", "products", "organisations", "budget_lines")
    params = r.params
    result = r.allocation
    env = r.envelope_vnd
    m = r.allocation_metrics
    s = m.as_series()
    rule_name = labels.ALLOCATION_RULE.get(params.rule, params.rule)
    status = result.groupby("status", observed=True).size()
    by_unit = m.by_unit.assign(unit_name=lambda f: f["unit_id"].map(r.unit_names), rule_label=rule_name)
    by_unit, _ = top_units(by_unit, "claim_vnd") if "claim_vnd" in by_unit else (by_unit, "")
    unit_names = r.unit_names
    listed = result if not params.unit_filter else result[result["unit_id"] == params.unit_filter]
    scope = "" if not params.unit_filter else f" tại {unit_names[params.unit_filter]}"
    top = listed.sort_values(["granted_vnd", "organisation_id"], ascending=[False, True]).head(15)
    return [
        elements.key_figure(
            _PCT(s["share_funded"]),
            f"nhu cầu hỗ trợ được đáp ứng theo quy tắc «{rule_name}»",
            "good" if s["share_funded"] >= 0.999 else "warning",
        ),
        elements.paragraph(
            f"Với {vnformat.money(env)} và quy tắc «{rule_name}», {vnformat.number(int(s['fully_funded']))} tổ chức kinh tế được "
            f"hỗ trợ đủ, {vnformat.number(int(s['partly_funded']))} được hỗ trợ một phần và "
            f"{vnformat.number(int(s['not_funded']))} chưa được hỗ trợ; còn dư {vnformat.money(int(s['unspent_vnd']))}. "
            f"Giữa các địa phương, đơn vị được đáp ứng thấp nhất đạt {_PCT(float(s['lowest_unit_coverage']))} "
            f"nhu cầu, cao nhất {_PCT(float(s['highest_unit_coverage']))}."
        ),
        charts.funding_status_chart(
            pd.DataFrame(
                {
                    "rule_label": rule_name,
                    "status_label": [labels.FUNDING_STATUS.get(k, k) for k in status.index],
                    "organisations": status.to_numpy(),
                }
            )
        ),
        charts.coverage_by_unit_chart(by_unit),
        elements.table(
            top,
            {
                # Names from illustrative data are never printed: the organisation's code stands instead.
                **(
                    {"organisation_id": labels.COLUMN["organisation_id"]}
                    if r.plan.provenance.get("organisations", "illustrative") == "illustrative"
                    else {"organisation_name": labels.COLUMN["organisation_name"]}
                ),
                "unit_name": labels.COLUMN["unit_name"],
                "claim_vnd": "Đề nghị hỗ trợ",
                "granted_vnd": "Mức hỗ trợ",
                "funded_share": labels.COLUMN["share"],
            },
            formats={"claim_vnd": vnformat.money, "granted_vnd": vnformat.money, "funded_share": _PCT},
            caption=f"Các tổ chức kinh tế có mức hỗ trợ cao nhất{scope} (tối đa 15; danh sách đầy đủ trong phụ lục)",
            provenance=prov,
        ),
    ]


def comparison(r: Results) -> list:
    """Rules side by side: what each leaves out and how far apart the local units end up."""
    prov = elements.provenance(r.plan, "requests", "norms", "products", "organisations", "budget_lines")
    params = r.params
    # one label per rule, not per row (the long frame has a row per organisation and rule)
    long = r.rule_allocations.assign(
        rule_label=lambda f: f["rule"].map({code: labels.allocation_rule(code) for code in f["rule"].unique()})
    )
    table = r.rule_table.reset_index()
    table = table.assign(
        unit_spread=table["highest_unit_coverage"] - table["lowest_unit_coverage"],
        rule_label=table["rule"].map(labels.allocation_rule),
    )
    best = table.loc[table["rule"] != "optimum"].sort_values("weighted_coverage", ascending=False).iloc[0]
    return [
        elements.paragraph(
            f"Trên cùng nhu cầu và kinh phí, quy tắc «{best['rule_label']}» đạt mức đáp ứng có trọng số ưu tiên cao nhất "
            f"({_PCT(best['weighted_coverage'])}, cách phương án tối ưu {vnformat.number(100 * best['gap_to_optimum'], 1)} điểm %). "
            "Quy tắc theo tỷ lệ cho mọi tổ chức kinh tế cùng một tỷ lệ đáp ứng; chia đều có giới hạn ưu tiên tổ chức kinh tế đề nghị ít."
        ),
        *(
            [
                elements.notice(
                    f"Với mức hỗ trợ tối thiểu {vnformat.money(params.min_grant_vnd)}, các quy tắc chia theo tỷ lệ "
                    "và chia đều trở thành hỗ trợ đủ cho các tổ chức kinh tế ưu tiên cao nhất đến khi hết kinh phí "
                    "(tổ chức kinh tế không đạt mức tối thiểu không được hỗ trợ).",
                    "info",
                )
            ]
            if params.min_grant_vnd
            else []
        ),
        elements.table(
            table,
            {
                "rule_label": "Quy tắc",
                "fully_funded": "Đủ",
                "partly_funded": "Một phần",
                "not_funded": "Không",
                "weighted_coverage": "Đáp ứng có trọng số",
                "lowest_unit_coverage": "Đơn vị thấp nhất",
                "unit_spread": "Chênh lệch giữa các địa phương",
                "gap_to_optimum": "Cách tối ưu",
                "unspent_vnd": "Còn dư",
            },
            formats={
                "weighted_coverage": _PCT,
                "lowest_unit_coverage": _PCT,
                "unit_spread": lambda v: f"{vnformat.number(100 * v, 1)} điểm %",
                "gap_to_optimum": lambda v: (
                    f"{vnformat.number(100 * v, 1)} điểm %" if v == v and v is not None else "–"
                ),
                "unspent_vnd": vnformat.money,
            },
            provenance=prov,
        ),
        elements.table(
            pd.DataFrame(
                [(rule_registry.REGISTRY[code].label, rule_registry.REGISTRY[code].glossary) for code in table["rule"]],
                columns=["rule", "how"],
            ),
            {"rule": "Quy tắc", "how": "Cách chia"},
            caption="Các quy tắc phân bổ",
            provenance=prov,
        ),
        charts.grants_by_organisation_chart(
            long[long["rule"].isin(["priority", "proportional", "equal_awards", "equal_losses"])]
        ),
    ]


def risks(r: Results) -> list:
    """Simulated spend per line (the range of 8 in 10 draws) against the plan, the chance of an overrun,
    and how each rule fares under uncertain costs."""
    prov = elements.provenance(r.plan, "requests", "norms", "products", "organisations", "budget_lines", "history")
    plan, params = r.plan, r.params
    sim = r.simulation
    comparison = r.budget_comparison.assign(label=lambda f: f["line"].map(labels.budget_line))
    interval = comparison[comparison["line"] != "total"]
    coverage = sim.rule_summary[sim.rule_summary["metric"] == "weighted_coverage"].assign(
        rule_label=lambda f: f["rule"].map(labels.ALLOCATION_RULE)
    )
    rewards = comparison.set_index("line").loc["rewards"] if "rewards" in set(comparison["line"]) else None
    text = (
        f"Qua {vnformat.number(params.draws)} lượt mô phỏng (tỷ lệ đạt: lần đầu {_PCT(params.pass_rate_new)}, "
        f"đánh giá lại {_PCT(params.pass_rate_reevaluation)}, nâng hạng {_PCT(params.pass_rate_upgrade)}), "
        f"xác suất tổng chi vượt {vnformat.money(plan.targets.budget_total_vnd)} là {_PCT(sim.prob_overrun)}: "
        "kinh phí hỗ trợ nhãn hiệu, bao bì chi đúng bằng mức đã bố trí và các dòng chi khác cố định, nên rủi ro "
        "vượt dự toán đến từ số sản phẩm được công nhận (hỗ trợ sau công nhận)."
    )
    if rewards is not None:
        text += (
            f" Hỗ trợ sau công nhận ở mức giữa {vnformat.money(int(rewards['p50_vnd']))} "
            f"(8 trong 10 lượt nằm trong khoảng {vnformat.money(int(rewards['p10_vnd']))} – "
            f"{vnformat.money(int(rewards['p90_vnd']))}) so với {vnformat.money(int(rewards['planned_vnd']))} dự kiến."
        )
    need = sim.line_summary.set_index("line")
    if "branding_need" in need.index:
        text += (
            f" Nhu cầu hỗ trợ nhãn hiệu, bao bì theo định mức ở mức giữa "
            f"{vnformat.money(int(need.loc['branding_need', 'p50_vnd']))}, vượt kinh phí "
            f"{vnformat.money(r.envelope_vnd)} trong {_PCT(sim.prob_rationing)} số lượt: khi đó phải phân bổ "
            "theo quy tắc đã chọn; độ bất định chi phí chỉ ảnh hưởng đến mức đáp ứng của các quy tắc (biểu đồ cuối)."
        )
    return [
        elements.key_figure(
            _PCT(sim.prob_overrun),
            "xác suất vượt tổng kinh phí kế hoạch",
            "good" if sim.prob_overrun < 0.1 else "warning" if sim.prob_overrun < 0.5 else "bad",
        ),
        elements.paragraph(text),
        charts.simulation_interval_chart(interval),
        charts.simulation_histogram_chart(sim.line_draws, "total", plan.targets.budget_total_vnd),
        elements.table(
            comparison,
            {
                "label": labels.COLUMN["line"],
                "planned_vnd": "Kế hoạch",
                "p10_vnd": "Mức thấp",
                "p50_vnd": "Mức giữa",
                "p90_vnd": "Mức cao",
                "prob_over_planned": "Xác suất vượt",
            },
            formats={
                "planned_vnd": vnformat.money,
                "p10_vnd": vnformat.money,
                "p50_vnd": vnformat.money,
                "p90_vnd": vnformat.money,
                "prob_over_planned": _PCT,
            },
            total_row=True,
            caption="Khoảng dao động 80%: 8 trong 10 lượt tính nằm giữa mức thấp và mức cao; mức giữa chia đôi các lượt",
            provenance=prov,
        ),
        charts.rule_coverage_chart(coverage),
    ]

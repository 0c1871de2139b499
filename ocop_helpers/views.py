"""The notebooks' sections as plain render functions: (plan, params) -> display items.

Each :class:`~ocop_helpers.widgets.View` pairs a render function with the controls that drive it.
The same function fills a live panel in JupyterLab and the static output of the papermill build,
so the numbers a planner sees are the numbers the plan prints. Nothing here creates widgets.
"""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import HTML

from . import calendar, charts, labels, narrative, report, stock, targets, vnformat
from .params import Params
from .plan import Plan
from .widgets import Control, View

_PCT = vnformat.percent


_TONES = {"good": "#1b6f3a", "warning": "#b86e00", "bad": "#b8452f"}


def key_figure(value: str, caption: str, tone: str = "good") -> HTML:
    """A highlighted number with its caption; the number carries the class ``ocop-key``.

    ``tone``: 'good' (green), 'warning' (amber) or 'bad' (red) — the reading of the number.
    """
    return HTML(
        f'<div class="ocop-keybox"><span class="ocop-key" style="font-size:1.6em;font-weight:bold;'
        f'color:{_TONES[tone]}">{html.escape(value)}</span> <span>{html.escape(caption)}</span></div>'
    )


def unit_display_names(plan: Plan) -> dict[str, str]:
    """unit_id -> 'thành phố Bắc Giang', 'xã Tân Yên', … (kind + name)."""
    return {r.unit_id: f"{r.unit_kind} {r.unit_name}".strip() for r in plan.units.itertuples()}


def filtered_products(plan: Plan, params: Params) -> tuple[pd.DataFrame, str]:
    """The products in scope (one unit or the whole province) and the scope's Vietnamese name."""
    unit = params.unit_filter
    if not unit:
        return plan.products, "toàn tỉnh"
    names = unit_display_names(plan)
    if unit not in names:
        raise ValueError(f"đơn vị '{unit}' không thuộc danh mục đơn vị của kế hoạch")
    return plan.products[plan.products["unit_id"] == unit].reset_index(drop=True), names[unit]


def _unit_options(plan: Plan) -> tuple[tuple[str, str], ...]:
    names = unit_display_names(plan)
    return (("Toàn tỉnh", ""),) + tuple(sorted(((v, k) for k, v in names.items()), key=lambda x: x[0]))


MAX_UNITS_IN_CHART = 25


def top_units(frame: pd.DataFrame, column: str, n: int = MAX_UNITS_IN_CHART) -> tuple[pd.DataFrame, str]:
    """The ``n`` units with the largest ``column`` when there are many more (e.g. 99 communes), and a
    caption saying so; the whole list goes to the annex."""
    if len(frame) <= n + 5:
        return frame, ""
    return frame.nlargest(
        n, column, keep="first"
    ), f"{n} đơn vị cao nhất trên tổng số {len(frame)} (đầy đủ trong phụ lục)"


def pass_rates(params: Params) -> dict[str, float]:
    """Pass rates per stream from the parameters."""
    return {
        "new": params.pass_rate_new,
        "reevaluation": params.pass_rate_reevaluation,
        "upgrade": params.pass_rate_upgrade,
    }


# ------------------------------------------------------------------ 00-overview


def render_overview(plan: Plan, params: Params) -> list:
    """Summary sentences, published key figures against the data, and the streams chart."""
    from . import summary

    figures = summary.key_figures(plan)

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
        report.paragraphs(summary.overview_text(plan)),
        report.table(
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
        ),
        charts.targets_vs_data_chart(summary.stream_comparison(plan)),
    ]


def render_sources(plan: Plan, params: Params) -> list:
    """Where the plan's published numbers come from."""
    from . import summary

    return [
        report.table(
            summary.sources_table(plan),
            {"key": "Nội dung", "text": "Nguồn"},
            caption="Ký hiệu [S…] là số hiệu nguồn trong danh mục nguồn kèm theo bộ dữ liệu của sổ kế hoạch",
        )
    ]


# ------------------------------------------------------------------ 10-product-targets


def render_streams(plan: Plan, params: Params) -> list:
    """Targets by stream against the data, with shares and a narrative sentence."""
    table = targets.stream_summary(plan.products, plan.targets.by_stream() | {"total": plan.targets.total})
    shown = table.assign(stream_label=table["stream"].map(labels.STREAM | {"total": "Tổng số"}))
    return [
        report.paragraph(narrative.evaluation_paragraph(table, plan.year)),
        report.table(
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
        ),
    ]


def render_breakdowns(plan: Plan, params: Params) -> list:
    """Load by unit (all units, zeros included), by sector, by target star and organisation type."""
    products, scope = filtered_products(plan, params)
    unit_table = targets.by_unit(plan.products, plan.units)
    names = unit_display_names(plan)
    unit_table = unit_table.assign(unit_name=unit_table["unit_id"].map(names).fillna(unit_table["unit_name"]))
    concentration = targets.load_concentration(unit_table)
    sectors = targets.by_sector(products, plan.product_codes)
    thin = targets.thin_sectors(sectors)
    stars = targets.by_target_star(products)
    types = targets.by_organisation_type(products, plan.organisations)
    types = types.assign(type_label=types["organisation_type"].map(labels.ORGANISATION_TYPE))
    stream_cols = {s: labels.STREAM[s] for s in ("new", "reevaluation", "upgrade")}
    shown_units, note = top_units(unit_table, "total")
    items: list = [
        report.paragraph(narrative.unit_paragraph(unit_table, concentration)),
        charts.unit_stream_chart(shown_units),
        report.table(
            shown_units,
            {
                "unit_name": labels.COLUMN["unit_name"],
                **stream_cols,
                "total": labels.PLANNING_COLUMN["total"],
                "share": labels.COLUMN["share"],
            },
            formats={"share": _PCT},
            caption="Số sản phẩm theo đơn vị hành chính và hình thức đánh giá" + (f" — {note}" if note else ""),
        ),
        report.heading(f"Cơ cấu theo bộ sản phẩm, hạng sao và loại hình chủ thể ({scope})", 4),
        report.paragraph(narrative.sector_paragraph(sectors, thin)),
        report.table(
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
        ),
        report.table(
            stars.assign(star_label=stars["target_star"].map(labels.star_label)),
            {
                "star_label": labels.COLUMN["target_star"],
                **stream_cols,
                "total": labels.PLANNING_COLUMN["total"],
                "share": labels.COLUMN["share"],
            },
            formats={"share": _PCT},
            caption="Theo hạng sao mục tiêu",
        ),
        report.table(
            types,
            {
                "type_label": labels.COLUMN["organisation_type"],
                "products": labels.COLUMN["products"],
                "organisations": "Số chủ thể",
                "share": labels.COLUMN["share"],
            },
            formats={"share": _PCT},
            caption="Theo loại hình chủ thể",
        ),
    ]
    return items


def stock_projection(plan: Plan, params: Params) -> stock.StockProjection:
    """The stock projection for these parameters."""
    return stock.project_stock(
        plan.products,
        plan.history,
        plan.year,
        plan.targets.stock_target,
        pass_rates(params),
        lapse_share=params.lapse_share,
    )


def render_stock(plan: Plan, params: Params) -> list:
    """Expected stock at year end against the target, as a waterfall and in words."""
    proj = stock_projection(plan, params)
    verdict = "đạt" if proj.can_reach else "chưa đạt"
    return [
        key_figure(
            vnformat.number(round(proj.end_stock)),
            f"sản phẩm OCOP dự kiến cuối năm {plan.year} (mục tiêu {vnformat.number(plan.targets.stock_target)}: {verdict})",
            "good" if proj.can_reach else "bad",
        ),
        report.paragraph(narrative.stock_paragraph(proj)),
        charts.stock_projection_chart(proj.components(), plan.targets.stock_target),
    ]


def evaluation_calendar(plan: Plan, params: Params) -> calendar.Calendar:
    """The calendar for these parameters (routing, council capacity, as-of date)."""
    return calendar.evaluation_calendar(
        plan.products,
        plan.rounds,
        plan.authority_rules,
        plan.units,
        plan.province_id,
        routing=params.routing,
        filed_on=plan.units_as_of,
        as_of=params.as_of_date(),
        products_per_session=params.products_per_session,
        sessions_per_round=params.sessions_per_round,
    )


def render_calendar(plan: Plan, params: Params) -> list:
    """Rounds with level, deadline, load and capacity; warnings for rounds that need action."""
    cal = evaluation_calendar(plan, params)
    rounds = cal.rounds.assign(
        level_label=cal.rounds["level"].map(labels.LEVEL),
        capacity=cal.rounds["capacity_per_council"],
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
        report.paragraph(
            narrative.calendar_paragraph(cal.rounds, unit_display_names(plan), params.routing, cal.unscheduled)
        )
    ]
    for w in warnings.itertuples():
        where = f"Đợt {w.round} ({labels.LEVEL.get(w.level, w.level).lower()}, hạn {vnformat.date(w.deadline)})"
        if w.warning == "level_not_in_force" and w.products == 0:
            items.append(
                report.notice(
                    f"{where}: {labels.CALENDAR_WARNING[w.warning].lower()}; "
                    "đợt này không tổ chức, các sản phẩm đã được điều chuyển.",
                    "info",
                )
            )
            continue
        items.append(
            report.notice(
                f"{where}: {labels.CALENDAR_WARNING.get(w.warning, w.warning)} — {vnformat.number(w.products)} sản phẩm.",
                "error" if w.warning in ("level_not_in_force", "over_capacity") else "warning",
            )
        )
    if params.routing == "as_filed" and bool(
        ((warnings["warning"] == "level_not_in_force") & (warnings["products"] > 0)).any()
    ):
        alt_rounds = evaluation_calendar(plan, Params({**params.values, "routing": "rerouted"})).rounds
        moved = alt_rounds[alt_rounds["rerouted_in"] > 0]
        for r in moved.itertuples():
            capacity = int(r.capacity_per_council) * int(r.councils)
            items.append(
                report.notice(
                    f"Nếu điều chuyển: {vnformat.number(int(r.rerouted_in))} sản phẩm chuyển sang đợt {r.round} "
                    f"{labels.LEVEL.get(r.level, r.level).lower()} (hạn {vnformat.date(r.deadline)}); đợt này khi đó có "
                    f"{vnformat.number(int(r.products))} sản phẩm so với năng lực {vnformat.number(capacity)} sản phẩm "
                    f"({vnformat.number(int(r.councils))} hội đồng × {vnformat.number(params.sessions_per_round)} phiên × "
                    f"{vnformat.number(params.products_per_session)} sản phẩm)"
                    + (": cần thêm phiên họp hoặc chia đợt." if bool(r.over_capacity) else "."),
                    "error" if bool(r.over_capacity) else "info",
                )
            )
    items += [
        key_figure(
            vnformat.number(int(rounds["products"].max()) if len(rounds) else 0),
            "sản phẩm ở đợt đông nhất",
            "bad" if blocking else "good",
        ),
        charts.calendar_load_chart(cal.rounds, as_of=params.as_of_date()),
        report.table(
            rounds,
            {
                "round": labels.COLUMN["round"],
                "level_label": labels.COLUMN["level"],
                "deadline": labels.COLUMN["deadline"],
                "products": labels.COLUMN["products"],
                "rerouted_in": "Điều chuyển đến",
                "councils": "Số hội đồng",
                "max_council_load": "Tải lớn nhất một hội đồng",
                "capacity": "Năng lực một hội đồng",
                "status": "Tình trạng",
            },
            caption=f"Lịch đánh giá, phân hạng — {labels.ROUTING[params.routing].lower()}",
        ),
    ]
    return items


def expiry_outlook(plan: Plan) -> pd.DataFrame:
    """Re-evaluations due per year: this year's list for the plan year; for later years the larger of
    the list and the estimate from the certified stock three years earlier (``basis``)."""
    pipe = stock.expiry_pipeline(
        plan.products,
        plan.rounds,
        plan.year,
        rules=plan.authority_rules,
        units=plan.units,
        province_id=plan.province_id,
    )
    by_year = stock.expiry_by_year(pipe, plan.year, history=plan.history)
    estimate = by_year["cohort_estimate"] if "cohort_estimate" in by_year else by_year["due"]
    later = by_year["due_year"] > plan.year
    basis = by_year["due"].where(~later, pd.concat([by_year["due"], estimate.fillna(0)], axis=1).max(axis=1))
    return by_year.assign(basis=basis.astype("int64"))


def reevaluation_schedule(plan: Plan) -> pd.DataFrame:
    """Certified products with expiry, notice date, the last round before expiry, and
    ``planned_after_expiry``: the planned round's last deadline falls after the certificate expires."""
    pipe = stock.expiry_pipeline(
        plan.products,
        plan.rounds,
        plan.year,
        rules=plan.authority_rules,
        units=plan.units,
        province_id=plan.province_id,
    )
    steps = calendar.route_products(
        plan.products, plan.rounds, plan.authority_rules, plan.units, plan.province_id, filed_on=plan.units_as_of
    )
    last_step = steps.dropna(subset=["deadline"]).groupby("product_id")["deadline"].max()
    finish = pipe["product_id"].map(last_step)
    return pipe.assign(planned_deadline=finish, planned_after_expiry=(finish > pipe["expiry_date"]).fillna(False))


def render_expiry(plan: Plan, params: Params) -> list:
    """Certificates falling due for re-evaluation in the next three years and the stock at risk."""
    by_year = expiry_outlook(plan)
    effect = stock.expiry_stock_effect(by_year, params.lapse_share, column="basis")
    note = (
        f"Năm {plan.year} tính theo danh sách đánh giá lại của kế hoạch; các năm sau lấy số lớn hơn giữa danh sách "
        f"và ước tính theo số sản phẩm được công nhận ba năm trước (giấy chứng nhận có giá trị 36 tháng, "
        "phải thông báo cho chủ thể ít nhất 30 ngày trước khi hết hạn)."
    )
    schedule = reevaluation_schedule(plan)
    late = schedule[schedule["planned_after_expiry"] & (schedule["due_year"] == plan.year)]
    warn = (
        []
        if late.empty
        else [
            report.notice(
                f"{vnformat.number(len(late))} sản phẩm đánh giá lại hoặc nâng hạng được xếp vào đợt có thời hạn sau ngày hết hạn "
                f"giấy chứng nhận: cần đưa lên đợt sớm hơn hoặc chấp nhận sản phẩm mất chứng nhận trong thời gian chờ "
                "(danh sách, ngày hết hạn và ngày phải thông báo cho chủ thể trong phụ lục, bảng «Đánh giá lại»).",
                "warning",
            )
        ]
    )
    return [
        report.paragraph(narrative.expiry_paragraph(by_year, plan.year, params.lapse_share, column="basis")),
        *warn,
        report.paragraph(note),
        charts.expiry_pipeline_chart(by_year),
        report.table(
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
        ),
    ]


_NO_CONTROLS = lambda plan: ()  # noqa: E731 - a view without controls

STREAMS = View("Chỉ tiêu theo hình thức đánh giá", _NO_CONTROLS, render_streams)
BREAKDOWNS = View(
    "Phân bổ theo đơn vị, bộ sản phẩm, hạng sao, chủ thể",
    lambda plan: (Control("unit_filter", "Đơn vị hành chính", "choice", options=_unit_options(plan)),),
    render_breakdowns,
)
STOCK = View(
    "Số sản phẩm OCOP cuối năm so với mục tiêu",
    lambda plan: (
        Control("pass_rate_new", "Tỷ lệ đạt – lần đầu (%)", "percent"),
        Control("pass_rate_reevaluation", "Tỷ lệ đạt – đánh giá lại (%)", "percent"),
        Control("pass_rate_upgrade", "Tỷ lệ đạt – nâng hạng (%)", "percent"),
        Control("lapse_share", "Tỷ lệ đến hạn không đánh giá lại (%)", "percent"),
    ),
    render_stock,
)
CALENDAR = View(
    "Lịch các đợt đánh giá, phân hạng",
    lambda plan: (
        Control("products_per_session", "Sản phẩm/phiên hội đồng", "int", 5, 100, 1),
        Control("sessions_per_round", "Số phiên mỗi đợt", "int", 1, 20, 1),
        Control("routing", "Phương án lịch", "choice", options=tuple((v, k) for k, v in labels.ROUTING.items())),
    ),
    render_calendar,
)
EXPIRY = View(
    "Giấy chứng nhận đến hạn đánh giá lại",
    lambda plan: (Control("lapse_share", "Tỷ lệ đến hạn không đánh giá lại (%)", "percent"),),
    render_expiry,
)


def render_year_over_year(plan: Plan, params: Params) -> list:
    """The previous year's plan and stock next to this year's, when the data hold both."""
    from . import io, summary

    previous = io.load_previous_plan(plan)
    if previous is None:
        return []
    table = summary.year_over_year(plan, previous)
    history_cols = {"date": "Thời điểm", "total": "Tổng số", "star3": "3 sao", "star4": "4 sao", "star5": "5 sao"}
    items: list = [
        report.heading("So sánh với kế hoạch năm trước", 3),
        report.paragraph(summary.year_over_year_text(plan, previous)),
        report.table(
            table.assign(
                **{
                    c: [
                        vnformat.money(v) if u == "đồng" else vnformat.number(v)
                        for v, u in zip(table[c], table["unit"], strict=False)
                    ]
                    for c in ("previous", "current", "change")
                },
                unit=table["unit"].where(table["unit"] != "đồng", ""),
            ),
            {
                "indicator": "Chỉ tiêu",
                "unit": "Đơn vị tính",
                "previous": f"Năm {previous.year} ({previous.province_name})",
                "current": f"Năm {plan.year} ({plan.province_name})",
                "change": "Thay đổi",
            },
            right={"previous", "current", "change"},
        ),
    ]
    if previous.province_id != plan.province_id:
        items.append(
            report.notice(
                f"Hai kế hoạch thuộc hai địa giới khác nhau (tỉnh {previous.province_name} trước "
                f"hợp nhất và tỉnh {plan.province_name} sau hợp nhất): mức thay đổi gồm cả phần "
                "do hợp nhất địa giới.",
                "info",
            )
        )
    items += render_rekeyed_units(plan, previous)
    if previous.province_id != plan.province_id:
        items.append(
            report.table(
                previous.history,
                history_cols,
                caption=f"Số sản phẩm OCOP của tỉnh {previous.province_name} (trước hợp nhất)",
            )
        )
    items.append(report.table(plan.history, history_cols, caption=f"Số sản phẩm OCOP của tỉnh {plan.province_name}"))
    return items


def render_rekeyed_units(plan: Plan, previous: Plan) -> list:
    """Last year's products per unit moved to this year's units, or why that cannot be done
    without guessing (a unit split over several new units with no shares)."""
    from . import units

    if set(previous.units["unit_id"]) == set(plan.units["unit_id"]):
        return []
    mapping = units.unit_mapping(plan.unit_changes, previous.units["unit_id"], previous.units_as_of, plan.units_as_of)
    old = targets.by_unit(previous.products, previous.units)[["unit_id", "unit_name", "total"]]
    result = units.rekey(old[["unit_id", "total"]], mapping, value_columns=["total"])
    items: list = []
    if not result.ambiguous.empty:
        names = unit_display_names(previous)
        amb = result.ambiguous.assign(
            old_name=lambda f: f["from_unit_id"].map(names),
            new_units=lambda f: f["candidates"].str.split(", ").map(len),
        )
        items.append(
            report.notice(
                f"Không thể chuyển số sản phẩm năm {previous.year} theo đơn vị hành chính mới mà không phỏng đoán: "
                f"{vnformat.number(len(amb))} đơn vị cũ được chia cho nhiều đơn vị mới và dữ liệu chưa có tỷ lệ phân chia "
                f"({vnformat.number(int(amb['total'].sum()))} sản phẩm). Bảng dưới cho biết mỗi đơn vị cũ chuyển sang bao nhiêu "
                "đơn vị mới; cần bổ sung tỷ lệ (cột share trong unit_changes.csv) để so sánh theo đơn vị.",
                "info",
            )
        )
        items.append(
            report.table(
                amb,
                {
                    "old_name": f"Đơn vị năm {previous.year}",
                    "total": "Số sản phẩm",
                    "new_units": f"Chia cho số đơn vị năm {plan.year}",
                },
            )
        )
    if not result.table.empty and result.table["total"].sum() > 0:
        mapped = result.table[result.table["total"] > 0].assign(
            unit_name=lambda f: f["unit_id"].map(unit_display_names(plan))
        )
        items.append(
            report.table(
                mapped,
                {"unit_name": labels.COLUMN["unit_name"], "total": "Số sản phẩm năm trước"},
                caption="Số sản phẩm năm trước chuyển được sang đơn vị mới (gộp, đổi tên)",
            )
        )
    if not result.unmapped.empty:
        items.append(
            report.notice(
                f"{vnformat.number(len(result.unmapped))} đơn vị cũ không có trong bảng chuyển đổi "
                "đơn vị hành chính (unit_changes.csv).",
                "warning",
            )
        )
    return items


OVERVIEW = View("Tổng quan", _NO_CONTROLS, render_overview)
SOURCES = View("Nguồn số liệu", _NO_CONTROLS, render_sources)
YEAR_OVER_YEAR = View("So sánh với kế hoạch năm trước", _NO_CONTROLS, render_year_over_year)


# ------------------------------------------------------------------ 20-budget-allocation

from . import allocation, budget, claims, simulation  # noqa: E402 - budget section imports

_LINE_PARAMS = {
    "rewards": "budget_rewards_vnd",
    "branding": "envelope_vnd",
    "councils": "budget_councils_vnd",
    "promotion": "budget_promotion_vnd",
    "training": "budget_training_vnd",
}


def _planned_line(plan: Plan, line: str) -> int:
    lines = plan.budget_lines.set_index("line")["amount_vnd"]
    return int(lines.get(line, 0))


def norms_in_force(plan: Plan) -> pd.DataFrame:
    """The support norms that apply to this plan: those in force on 1 January of the plan year."""
    from .validation import norms_in_force as in_force

    return in_force(plan.norms, pd.Timestamp(plan.year, 1, 1)).reset_index(drop=True)


def check_params(plan: Plan, params: Params) -> list[str]:
    """Parameter values this plan cannot accept (checked before any notebook runs)."""
    problems = []
    if params.unit_filter and params.unit_filter not in set(plan.units["unit_id"]):
        problems.append(
            f"'unit_filter' = {params.unit_filter!r}: không phải đơn vị hành chính của kế hoạch "
            f"(các mã: {', '.join(sorted(plan.units['unit_id'])[:12])}…)"
        )
    if params.envelope_vnd is not None and params.envelope_vnd > plan.targets.budget_total_vnd:
        problems.append(
            f"'envelope_vnd' = {params.envelope_vnd}: lớn hơn tổng kinh phí kế hoạch "
            f"({plan.targets.budget_total_vnd} đồng)"
        )
    return problems


def budget_lines(plan: Plan, params: Params) -> pd.DataFrame:
    """The plan's budget lines with the amounts the parameters override (đồng, exact)."""
    amounts = {line: getattr(params, name) for line, name in _LINE_PARAMS.items() if getattr(params, name) is not None}
    total = plan.targets.budget_total_vnd
    envelope = amounts.get("branding")
    if envelope is not None and envelope > total:
        raise ValueError(
            f"kinh phí hỗ trợ nhãn hiệu, bao bì ({vnformat.money(envelope)}) lớn hơn tổng kinh phí "
            f"kế hoạch ({vnformat.money(total)})"
        )
    return budget.plan_lines(plan.budget_lines, total, amounts=amounts or None)


def envelope(plan: Plan, params: Params) -> int:
    """The branding envelope: the parameter, else the plan's 'branding' line."""
    return int(budget_lines(plan, params).set_index("line")["amount_vnd"].get("branding", 0))


def priority_weights(params: Params) -> allocation.PriorityWeights:
    """Default priority weights scaled by the four importance factors of the parameters."""
    d = allocation.PriorityWeights()
    return allocation.PriorityWeights(
        star={k: v * params.weight_star for k, v in d.star.items()},
        stream={k: v * params.weight_stream for k, v in d.stream.items()},
        organisation_type={k: v * params.weight_organisation_type for k, v in d.organisation_type.items()},
        unit_equity=d.unit_equity * params.weight_unit_equity,
        base=d.base,
    )


def branding_claims(plan: Plan, params: Params) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(claims per item, claims per organisation) under the norms and the parameters' caps."""
    share = None if params.co_financing_share is None else {"packaging": params.co_financing_share}
    items = claims.item_claims(
        plan.requests,
        plan.products,
        plan.organisations,
        norms_in_force(plan),
        co_financing_share=share,
        item_cap_vnd=params.item_cap_vnd,
        organisation_cap_vnd=params.organisation_cap_vnd,
    )
    return items, claims.organisation_claims(items, params.organisation_cap_vnd)


def packaging_share(plan: Plan) -> float:
    """The state's co-financing share of packaging under the plan's norms (the largest if several)."""
    norms = claims.branding_norms(norms_in_force(plan))
    shares = norms.loc[norms["line"] == "packaging", "share"].dropna()
    if shares.empty:
        raise ValueError("định mức của kế hoạch không có tỷ lệ hỗ trợ bao bì (packaging share)")
    return float(shares.max())


def allocation_params(params: Params) -> allocation.AllocationParams:
    """Rationing parameters from the notebook parameters."""
    return allocation.AllocationParams(weights=priority_weights(params), min_grant_vnd=params.min_grant_vnd)


def allocate(plan: Plan, params: Params) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(allocation per organisation with names and units, grants per item) under the chosen rule."""
    items, orgs = branding_claims(plan, params)
    result = allocation.allocate(orgs, envelope(plan, params), params.rule, allocation_params(params))
    names = plan.organisations.set_index("organisation_id")["organisation_name"]
    result = result.assign(
        organisation_name=result["organisation_id"].map(names),
        unit_name=result["unit_id"].map(unit_display_names(plan)),
    )
    return result, allocation.distribute_to_items(items, result)


def render_budget_lines(plan: Plan, params: Params) -> list:
    """The plan's budget lines and shares; a warning when the lines no longer add up to the total."""
    lines = budget_lines(plan, params)
    total = plan.targets.budget_total_vnd
    shown = lines.assign(share=lines["amount_vnd"] / total)
    shown = pd.concat(
        [
            shown,
            pd.DataFrame(
                [
                    {
                        "label": "Tổng cộng",
                        "amount_vnd": int(lines["amount_vnd"].sum()),
                        "share": lines["amount_vnd"].sum() / total,
                    }
                ]
            ),
        ],
        ignore_index=True,
    )
    items: list = [
        report.paragraph(
            f"Tổng kinh phí kế hoạch {vnformat.money(total)}, gồm {len(lines)} nội dung chi; lớn nhất là "
            f"{labels.BUDGET_LINE[lines.loc[lines['amount_vnd'].idxmax(), 'line']].lower()} "
            f"({vnformat.money(int(lines['amount_vnd'].max()))})."
        ),
        report.table(
            shown,
            {"label": labels.COLUMN["line"], "amount_vnd": "Số tiền", "share": labels.COLUMN["share"]},
            formats={"amount_vnd": vnformat.money, "share": _PCT},
            total_row=True,
        ),
    ]
    diff = int(lines["amount_vnd"].sum()) - total
    if diff:
        items.insert(
            0,
            report.notice(
                f"Các dòng chi cộng lại {vnformat.money(int(lines['amount_vnd'].sum()))}, "
                f"{'vượt' if diff > 0 else 'thấp hơn'} tổng kinh phí {vnformat.money(abs(diff))}.",
                "error" if diff > 0 else "warning",
            ),
        )
    return items


def render_claims(plan: Plan, params: Params) -> list:
    """What the organisations ask for and what the norms allow them to claim."""
    items, orgs = branding_claims(plan, params)
    by_item = (
        items.groupby("item", observed=True)
        .agg(requests=("request_id", "size"), cost_vnd=("cost_vnd", "sum"), claim_vnd=("claim_vnd", "sum"))
        .reset_index()
    )
    by_item["item_label"] = by_item["item"].map(labels.BRANDING_ITEM)
    env = envelope(plan, params)
    total_claim = int(orgs["claim_vnd"].sum())
    ratio = env / total_claim if total_claim else 1.0
    return [
        report.paragraph(
            f"{vnformat.number(len(orgs))} chủ thể gửi {vnformat.number(len(items))} đề nghị hỗ trợ với tổng chi phí dự kiến "
            f"{vnformat.money(int(items['cost_vnd'].sum()))}; theo định mức, ngân sách hỗ trợ tối đa "
            f"{vnformat.money(total_claim)}. Kinh phí dành cho nội dung này là {vnformat.money(env)}, "
            + (
                "đủ đáp ứng toàn bộ."
                if ratio >= 1
                else f"đáp ứng được {_PCT(ratio)} nhu cầu: phải phân bổ theo quy tắc đã chọn."
            )
        ),
        report.table(
            by_item,
            {
                "item_label": labels.COLUMN["item"],
                "requests": "Số đề nghị",
                "cost_vnd": "Chi phí dự kiến",
                "claim_vnd": "Hỗ trợ tối đa theo định mức",
            },
            formats={"cost_vnd": vnformat.money, "claim_vnd": vnformat.money},
        ),
    ]


def render_allocation(plan: Plan, params: Params) -> list:
    """The chosen rule's grants: key figures, status, coverage by unit, the organisations funded."""
    result, _ = allocate(plan, params)
    env = envelope(plan, params)
    m = allocation.metrics(result, env)
    s = m.as_series()
    rule_name = labels.ALLOCATION_RULE.get(params.rule, params.rule)
    status = result.groupby("status", observed=True).size()
    by_unit = m.by_unit.assign(unit_name=lambda f: f["unit_id"].map(unit_display_names(plan)), rule_label=rule_name)
    by_unit, _ = top_units(by_unit, "claim_vnd") if "claim_vnd" in by_unit else (by_unit, "")
    unit_names = unit_display_names(plan)
    listed = result if not params.unit_filter else result[result["unit_id"] == params.unit_filter]
    if params.unit_filter and params.unit_filter not in unit_names:
        raise ValueError(f"đơn vị '{params.unit_filter}' không thuộc danh mục đơn vị của kế hoạch")
    scope = "" if not params.unit_filter else f" tại {unit_names[params.unit_filter]}"
    top = listed.sort_values(["granted_vnd", "organisation_id"], ascending=[False, True]).head(15)
    return [
        key_figure(
            _PCT(s["share_funded"]),
            f"nhu cầu hỗ trợ được đáp ứng theo quy tắc «{rule_name}»",
            "good" if s["share_funded"] >= 0.999 else "warning",
        ),
        report.paragraph(
            f"Với {vnformat.money(env)} và quy tắc «{rule_name}», {vnformat.number(int(s['fully_funded']))} chủ thể được "
            f"hỗ trợ đủ, {vnformat.number(int(s['partly_funded']))} được hỗ trợ một phần và "
            f"{vnformat.number(int(s['not_funded']))} chưa được hỗ trợ; còn dư {vnformat.money(int(s['unspent_vnd']))}. "
            f"Hệ số Gini của tỷ lệ đáp ứng là {vnformat.number(float(s['gini_funded_share']), 2)}; "
            f"đơn vị được đáp ứng thấp nhất đạt {_PCT(float(s['lowest_unit_coverage']))}."
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
        report.table(
            top,
            {
                "organisation_name": labels.COLUMN["organisation_name"],
                "unit_name": labels.COLUMN["unit_name"],
                "claim_vnd": "Đề nghị hỗ trợ",
                "granted_vnd": "Mức hỗ trợ",
                "funded_share": labels.COLUMN["share"],
            },
            formats={"claim_vnd": vnformat.money, "granted_vnd": vnformat.money, "funded_share": _PCT},
            caption=f"Các chủ thể có mức hỗ trợ cao nhất{scope} (tối đa 15; danh sách đầy đủ trong phụ lục)",
        ),
    ]


def compare_rules(plan: Plan, params: Params) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every rule and the optimum on the same claims and envelope: (allocations, metrics)."""
    _, orgs = branding_claims(plan, params)
    return allocation.compare_rules(orgs, envelope(plan, params), params=allocation_params(params))


def render_comparison(plan: Plan, params: Params) -> list:
    """Rules side by side: metrics table, Lorenz curves, grants against claims."""
    long, table = compare_rules(plan, params)
    table = table.reset_index()
    lorenz = pd.concat(
        [
            allocation.lorenz_points(g["funded_share"].to_numpy()).assign(rule_label=label)
            for label, g in long.groupby("rule_label", sort=False)
        ],
        ignore_index=True,
    )
    best = table.loc[table["rule"] != "optimum"].sort_values("weighted_coverage", ascending=False).iloc[0]
    return [
        report.paragraph(
            f"Trên cùng nhu cầu và kinh phí, quy tắc «{best['rule_label']}» đạt mức đáp ứng có trọng số ưu tiên cao nhất "
            f"({_PCT(best['weighted_coverage'])}, cách phương án tối ưu {vnformat.number(100 * best['gap_to_optimum'], 1)} điểm %). "
            "Quy tắc theo tỷ lệ cho mọi chủ thể cùng một tỷ lệ đáp ứng; chia đều có giới hạn ưu tiên chủ thể đề nghị ít."
        ),
        *(
            [
                report.notice(
                    f"Với mức hỗ trợ tối thiểu {vnformat.money(params.min_grant_vnd)}, các quy tắc chia theo tỷ lệ "
                    "và chia đều trở thành hỗ trợ đủ cho các chủ thể ưu tiên cao nhất đến khi hết kinh phí "
                    "(chủ thể không đạt mức tối thiểu không được hỗ trợ).",
                    "info",
                )
            ]
            if params.min_grant_vnd
            else []
        ),
        report.table(
            table,
            {
                "rule_label": "Quy tắc",
                "fully_funded": "Đủ",
                "partly_funded": "Một phần",
                "not_funded": "Không",
                "weighted_coverage": "Đáp ứng có trọng số",
                "gini_funded_share": "Gini",
                "lowest_unit_coverage": "Đơn vị thấp nhất",
                "gap_to_optimum": "Cách tối ưu",
                "unspent_vnd": "Còn dư",
            },
            formats={
                "weighted_coverage": _PCT,
                "lowest_unit_coverage": _PCT,
                "gini_funded_share": lambda v: vnformat.number(v, 2),
                "gap_to_optimum": lambda v: (
                    f"{vnformat.number(100 * v, 1)} điểm %" if v == v and v is not None else "–"
                ),
                "unspent_vnd": vnformat.money,
            },
        ),
        report.table(
            pd.DataFrame(
                [(labels.ALLOCATION_RULE[r], *labels.ALLOCATION_RULE_GLOSS[r]) for r in table["rule"]],
                columns=["rule", "how", "ref"],
            ),
            {"rule": "Quy tắc", "how": "Cách chia", "ref": "Tài liệu"},
            caption="Các quy tắc phân bổ",
        ),
        charts.lorenz_chart(lorenz),
        charts.grants_by_organisation_chart(
            long[long["rule"].isin(["priority", "proportional", "equal_awards", "equal_losses"])]
        ),
    ]


def run_simulation(plan: Plan, params: Params) -> simulation.SimulationResult:
    """The Monte Carlo for these parameters (seeded: same parameters, same numbers)."""
    items, orgs = branding_claims(plan, params)
    lines = budget_lines(plan, params)
    sim_params = simulation.SimulationParams(
        draws=params.draws,
        seed=params.seed,
        cost_sigma=params.cost_sigma,
        pass_rate={
            "new": params.pass_rate_new,
            "reevaluation": params.pass_rate_reevaluation,
            "upgrade": params.pass_rate_upgrade,
        },
        target_rate=params.target_rate,
        kept_rate=params.kept_rate,
    )
    return simulation.simulate(
        items,
        orgs,
        plan.products,
        norms_in_force(plan),
        lines,
        envelope_vnd=envelope(plan, params),
        plan_total_vnd=plan.targets.budget_total_vnd,
        params=sim_params,
        allocation_params=allocation_params(params),
        organisation_cap_vnd=params.organisation_cap_vnd,
    )


def render_risks(plan: Plan, params: Params) -> list:
    """Monte Carlo: spend per line (P10–P90) against the plan, overrun probability, coverage per rule."""
    sim = run_simulation(plan, params)
    lines = budget_lines(plan, params)
    result, _ = allocate(plan, params)
    comparison = budget.budget_comparison(lines, sim.line_summary, int(result["granted_vnd"].sum()))
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
            f" Hỗ trợ sau công nhận ở mức trung vị {vnformat.money(int(rewards['p50_vnd']))} "
            f"(80% số lượt nằm trong khoảng {vnformat.money(int(rewards['p10_vnd']))} – "
            f"{vnformat.money(int(rewards['p90_vnd']))}) so với {vnformat.money(int(rewards['planned_vnd']))} dự kiến."
        )
    need = sim.line_summary.set_index("line")
    if "branding_need" in need.index:
        text += (
            f" Nhu cầu hỗ trợ nhãn hiệu, bao bì theo định mức ở mức trung vị "
            f"{vnformat.money(int(need.loc['branding_need', 'p50_vnd']))}, vượt kinh phí "
            f"{vnformat.money(envelope(plan, params))} trong {_PCT(sim.prob_rationing)} số lượt: khi đó phải phân bổ "
            "theo quy tắc đã chọn; độ bất định chi phí chỉ ảnh hưởng đến mức đáp ứng của các quy tắc (biểu đồ cuối)."
        )
    return [
        key_figure(
            _PCT(sim.prob_overrun),
            "xác suất vượt tổng kinh phí kế hoạch",
            "good" if sim.prob_overrun < 0.1 else "warning" if sim.prob_overrun < 0.5 else "bad",
        ),
        report.paragraph(text),
        charts.simulation_interval_chart(interval),
        charts.simulation_histogram_chart(sim.line_draws, "total", plan.targets.budget_total_vnd),
        report.table(
            comparison,
            {
                "label": labels.COLUMN["line"],
                "planned_vnd": "Kế hoạch",
                "p10_vnd": "Mức thấp (P10)",
                "p50_vnd": "Trung vị (P50)",
                "p90_vnd": "Mức cao (P90)",
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
            caption="P10, P90: 10% số lượt mô phỏng thấp hơn P10, 10% cao hơn P90",
        ),
        charts.rule_coverage_chart(coverage),
    ]


def _money_control(name: str, label: str, plan_value: int) -> Control:
    return Control(name, label, "billion", 0, 1e6, 0.1, fallback=plan_value)


def _rule_options() -> tuple[tuple[str, str], ...]:
    from .params import specs

    return tuple((labels.ALLOCATION_RULE.get(r, r), r) for r in specs()["rule"].choices)


def _weight_controls() -> tuple[Control, ...]:
    return (
        Control("weight_star", "Ưu tiên hạng sao (hệ số)", "int", 0, 5, 1),
        Control("weight_stream", "Ưu tiên hình thức đánh giá (hệ số)", "int", 0, 5, 1),
        Control("weight_organisation_type", "Ưu tiên loại hình chủ thể (hệ số)", "int", 0, 5, 1),
        Control("weight_unit_equity", "Ưu tiên công bằng địa phương (hệ số)", "int", 0, 5, 1),
    )


def _allocation_controls(plan: Plan) -> tuple[Control, ...]:
    return (
        _money_control("envelope_vnd", "Kinh phí hỗ trợ (tỷ đồng)", _planned_line(plan, "branding")),
        Control("rule", "Quy tắc phân bổ", "choice", options=_rule_options()),
        Control("min_grant_vnd", "Mức hỗ trợ tối thiểu (triệu đồng)", "million", 0, 1e4, 5),
        *_weight_controls(),
        Control("unit_filter", "Danh sách chủ thể của đơn vị", "choice", options=_unit_options(plan)),
    )


def _comparison_controls(plan: Plan) -> tuple[Control, ...]:
    return (
        _money_control("envelope_vnd", "Kinh phí hỗ trợ (tỷ đồng)", _planned_line(plan, "branding")),
        Control("min_grant_vnd", "Mức hỗ trợ tối thiểu (triệu đồng)", "million", 0, 1e4, 5),
        *_weight_controls(),
    )


BUDGET_LINES = View(
    "Dự toán kinh phí",
    lambda plan: tuple(
        _money_control(name, f"{labels.BUDGET_LINE_SHORT[line]} (tỷ đồng)", _planned_line(plan, line))
        for line, name in _LINE_PARAMS.items()
    ),
    render_budget_lines,
)
CLAIMS = View(
    "Nhu cầu hỗ trợ nhãn hiệu, bao bì, tem nhãn",
    lambda plan: (
        Control("co_financing_share", "Tỷ lệ ngân sách hỗ trợ bao bì (%)", "percent", fallback=packaging_share(plan)),
        Control(
            "item_cap_vnd",
            "Trần mỗi nội dung (triệu đồng; 0 = theo định mức)",
            "million",
            0,
            1e4,
            5,
            fallback=0,
            zero_is_none=True,
        ),
        Control(
            "organisation_cap_vnd",
            "Trần mỗi chủ thể (triệu đồng; 0 = không giới hạn)",
            "million",
            0,
            1e5,
            10,
            fallback=0,
            zero_is_none=True,
        ),
        _money_control("envelope_vnd", "Kinh phí hỗ trợ (tỷ đồng)", _planned_line(plan, "branding")),
    ),
    render_claims,
)
ALLOCATION = View("Phân bổ kinh phí hỗ trợ cho các chủ thể", _allocation_controls, render_allocation)
COMPARISON = View("So sánh các quy tắc phân bổ", _comparison_controls, render_comparison)
RISKS = View(
    "Rủi ro kinh phí (mô phỏng Monte Carlo)",
    lambda plan: (
        Control("pass_rate_new", "Tỷ lệ đạt – lần đầu (%)", "percent"),
        Control("pass_rate_upgrade", "Tỷ lệ đạt – nâng hạng (%)", "percent"),
        Control("cost_sigma", "Độ bất định chi phí (×100)", "percent", 0, 100, 5),
        Control("draws", "Số lượt mô phỏng", "int", 1000, 50_000, 1000),
    ),
    render_risks,
)

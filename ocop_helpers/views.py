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


def key_figure(value: str, caption: str) -> HTML:
    """A highlighted number with its caption; the number carries the class ``ocop-key``."""
    return HTML(f'<div class="ocop-keybox"><span class="ocop-key" style="font-size:1.6em;font-weight:bold;'
                f'color:#1b6f3a">{html.escape(value)}</span> <span>{html.escape(caption)}</span></div>')


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


def pass_rates(params: Params) -> dict[str, float]:
    """Pass rates per stream from the parameters."""
    return {"new": params.pass_rate_new, "reevaluation": params.pass_rate_reevaluation,
            "upgrade": params.pass_rate_upgrade}


# ------------------------------------------------------------------ 10-product-targets


def render_streams(plan: Plan, params: Params) -> list:
    """Targets by stream against the data, with shares and a narrative sentence."""
    table = targets.stream_summary(plan.products, plan.targets.by_stream() | {"total": plan.targets.total})
    shown = table.assign(stream_label=table["stream"].map(labels.STREAM | {"total": "Tổng số"}))
    return [
        report.paragraph(narrative.evaluation_paragraph(table, plan.year)),
        report.table(shown, {"stream_label": labels.COLUMN["stream"], "target": labels.COLUMN["target"],
                             "actual": labels.COLUMN["actual"], "difference": labels.COLUMN["difference"],
                             "target_share": labels.PLANNING_COLUMN["target_share"]},
                     formats={"target_share": _PCT}, total_row=True),
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
    items: list = [
        report.paragraph(narrative.unit_paragraph(unit_table, concentration)),
        charts.unit_stream_chart(unit_table),
        report.table(unit_table, {"unit_name": labels.COLUMN["unit_name"], **stream_cols,
                                  "total": labels.PLANNING_COLUMN["total"], "share": labels.COLUMN["share"]},
                     formats={"share": _PCT}, caption="Số sản phẩm theo đơn vị hành chính và hình thức đánh giá"),
        report.heading(f"Cơ cấu theo bộ sản phẩm, hạng sao và loại hình chủ thể ({scope})", 4),
        report.paragraph(narrative.sector_paragraph(sectors, thin)),
        report.table(sectors, {"sector": labels.PLANNING_COLUMN["sector"],
                               "sector_name": labels.PLANNING_COLUMN["sector_name"], **stream_cols,
                               "total": labels.PLANNING_COLUMN["total"], "share": labels.COLUMN["share"]},
                     formats={"share": _PCT}, caption="Theo bộ sản phẩm (QĐ 148/QĐ-TTg)"),
        report.table(stars.assign(star_label=stars["target_star"].map(labels.star_label)),
                     {"star_label": labels.COLUMN["target_star"], **stream_cols,
                      "total": labels.PLANNING_COLUMN["total"], "share": labels.COLUMN["share"]},
                     formats={"share": _PCT}, caption="Theo hạng sao mục tiêu"),
        report.table(types, {"type_label": labels.COLUMN["organisation_type"], "products": labels.COLUMN["products"],
                             "organisations": "Số chủ thể", "share": labels.COLUMN["share"]},
                     formats={"share": _PCT}, caption="Theo loại hình chủ thể"),
    ]
    return items


def stock_projection(plan: Plan, params: Params) -> stock.StockProjection:
    """The stock projection for these parameters."""
    return stock.project_stock(plan.products, plan.history, plan.year, plan.targets.stock_target,
                               pass_rates(params), lapse_share=params.lapse_share)


def render_stock(plan: Plan, params: Params) -> list:
    """Expected stock at year end against the target, as a waterfall and in words."""
    proj = stock_projection(plan, params)
    verdict = "đạt" if proj.can_reach else "chưa đạt"
    return [
        key_figure(vnformat.number(round(proj.end_stock)),
                   f"sản phẩm OCOP dự kiến cuối năm {plan.year} (mục tiêu {vnformat.number(plan.targets.stock_target)}: {verdict})"),
        report.paragraph(narrative.stock_paragraph(proj)),
        charts.stock_projection_chart(proj.components(), plan.targets.stock_target),
    ]


def evaluation_calendar(plan: Plan, params: Params) -> calendar.Calendar:
    """The calendar for these parameters (routing, council capacity, as-of date)."""
    return calendar.evaluation_calendar(
        plan.products, plan.rounds, plan.authority_rules, plan.units, plan.province_id,
        routing=params.routing, filed_on=plan.units_as_of, as_of=params.as_of_date(),
        products_per_session=params.products_per_session, sessions_per_round=params.sessions_per_round,
    )


def render_calendar(plan: Plan, params: Params) -> list:
    """Rounds with level, deadline, load and capacity; warnings for rounds that need action."""
    cal = evaluation_calendar(plan, params)
    rounds = cal.rounds.assign(
        level_label=cal.rounds["level"].map(labels.LEVEL),
        capacity=cal.rounds["capacity_per_council"],
        status=[
            "Cấp không còn tổ chức" if not ok else ("Vượt năng lực" if over else ("Chưa có sản phẩm" if empty else "Bình thường"))
            for ok, over, empty in zip(cal.rounds["level_in_force"].fillna(True), cal.rounds["over_capacity"], cal.rounds["empty"])
        ],
    )
    items: list = [report.paragraph(narrative.calendar_paragraph(cal.rounds, unit_display_names(plan),
                                                                 params.routing, cal.unscheduled))]
    for w in cal.warnings.itertuples():
        items.append(report.notice(
            f"Đợt {w.round} ({labels.LEVEL.get(w.level, w.level).lower()}, hạn {vnformat.date(w.deadline)}): "
            f"{labels.CALENDAR_WARNING.get(w.warning, w.warning)} — {vnformat.number(w.products)} sản phẩm.",
            "error" if w.warning in ("level_not_in_force", "over_capacity") else "warning"))
    items += [
        key_figure(vnformat.number(int(rounds["products"].max()) if len(rounds) else 0),
                   "sản phẩm ở đợt đông nhất"),
        charts.calendar_load_chart(cal.rounds, as_of=params.as_of_date()),
        report.table(rounds, {"round": labels.COLUMN["round"], "level_label": labels.COLUMN["level"],
                              "deadline": labels.COLUMN["deadline"], "products": labels.COLUMN["products"],
                              "rerouted_in": "Điều chuyển đến", "councils": "Số hội đồng",
                              "max_council_load": "Tải lớn nhất một hội đồng", "capacity": "Năng lực một hội đồng",
                              "status": "Tình trạng"},
                     caption=f"Lịch đánh giá, phân hạng — {labels.ROUTING[params.routing].lower()}"),
    ]
    return items


def render_expiry(plan: Plan, params: Params) -> list:
    """Certificates falling due for re-evaluation in the next three years and the stock at risk."""
    pipe = stock.expiry_pipeline(plan.products, plan.rounds, plan.year, rules=plan.authority_rules,
                                 units=plan.units, province_id=plan.province_id)
    by_year = stock.expiry_by_year(pipe, plan.year, history=plan.history)
    effect = stock.expiry_stock_effect(by_year, params.lapse_share)
    return [
        report.paragraph(narrative.expiry_paragraph(by_year, plan.year, params.lapse_share)),
        charts.expiry_pipeline_chart(by_year),
        report.table(effect, {"due_year": "Năm đến hạn", "due": "Đến hạn đánh giá lại (theo danh sách)",
                              "no_round_before_expiry": "Hết hạn trước đợt gần nhất",
                              "cohort_estimate": "Ước tính theo số liệu các năm",
                              "lost": "Có thể mất nếu không đánh giá lại"},
                     formats={"due_year": str, "lost": lambda v: vnformat.number(v, 0)}),
    ]


_NO_CONTROLS = lambda plan: ()  # noqa: E731 - a view without controls

STREAMS = View("Chỉ tiêu theo hình thức đánh giá", _NO_CONTROLS, render_streams)
BREAKDOWNS = View("Phân bổ theo đơn vị, bộ sản phẩm, hạng sao, chủ thể",
                  lambda plan: (Control("unit_filter", "Đơn vị hành chính", "choice", options=_unit_options(plan)),),
                  render_breakdowns)
STOCK = View("Số sản phẩm OCOP cuối năm so với mục tiêu", lambda plan: (
    Control("pass_rate_new", "Tỷ lệ đạt – lần đầu (%)", "percent"),
    Control("pass_rate_reevaluation", "Tỷ lệ đạt – đánh giá lại (%)", "percent"),
    Control("pass_rate_upgrade", "Tỷ lệ đạt – nâng hạng (%)", "percent"),
    Control("lapse_share", "Tỷ lệ đến hạn không đánh giá lại (%)", "percent"),
), render_stock)
CALENDAR = View("Lịch các đợt đánh giá, phân hạng", lambda plan: (
    Control("products_per_session", "Sản phẩm/phiên hội đồng", "int", 5, 100, 1),
    Control("sessions_per_round", "Số phiên mỗi đợt", "int", 1, 20, 1),
    Control("routing", "Phương án lịch", "choice", options=tuple((v, k) for k, v in labels.ROUTING.items())),
), render_calendar)
EXPIRY = View("Giấy chứng nhận đến hạn đánh giá lại", lambda plan: (
    Control("lapse_share", "Tỷ lệ đến hạn không đánh giá lại (%)", "percent"),
), render_expiry)

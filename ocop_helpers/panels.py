"""The JupyterLab panels: which section each notebook shows and which controls drive it.

A :class:`Panel` pairs a section of :mod:`ocop_helpers.sections` (``Results -> display items``) with
the controls of the parameters it introduces. Every parameter has one control in a notebook; a
change recomputes the scenario (only the stages that depend on it) and redraws every panel whose
figures changed, wherever its control sits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from . import labels, sections
from .compute import LINE_PARAMS, packaging_share, planned_line, unit_display_names
from .params import specs
from .plan import Plan
from .widgets import Control


@dataclass(frozen=True)
class Panel:
    """A section of a notebook: its title, its controls (which may depend on the plan), its render."""

    title: str
    controls: Callable[[Plan], Sequence[Control]]
    render: Callable[[Any], Sequence[object]]


def _none(plan: Plan) -> tuple[Control, ...]:
    return ()


def unit_options(plan: Plan) -> tuple[tuple[str, str], ...]:
    """('Toàn tỉnh', '') then every unit of the plan by display name."""
    names = unit_display_names(plan)
    return (("Toàn tỉnh", ""),) + tuple(sorted(((v, k) for k, v in names.items()), key=lambda x: x[0]))


def _money(name: str, label: str, plan_value: int) -> Control:
    return Control(name, label, "billion", 0, 1e6, 0.1, fallback=plan_value)


def _percent(name: str, label: str) -> Control:
    return Control(name, label, "percent", 0, 100, 1)


def _weights() -> tuple[Control, ...]:
    return tuple(
        Control(name, label, "float", 0, 10, 0.5)
        for name, label in (
            ("weight_star", "Ưu tiên hạng sao (hệ số 0–10)"),
            ("weight_stream", "Ưu tiên hình thức đánh giá (hệ số 0–10)"),
            ("weight_organisation_type", "Ưu tiên loại hình tổ chức (hệ số 0–10)"),
            ("weight_unit_equity", "Ưu tiên công bằng địa phương (hệ số 0–10)"),
        )
    )


def _int(name: str, label: str, step: float = 1) -> Control:
    s = specs()[name]
    return Control(name, label, "int", s.minimum or 0, s.maximum or 100, step)


# ----------------------------------------------------------------------------- 00-overview
OVERVIEW = Panel("Tổng quan", _none, sections.overview)
SOURCES = Panel("Nguồn số liệu", _none, sections.sources)

# ----------------------------------------------------------------------------- 10-product-targets
STREAMS = Panel("Chỉ tiêu theo hình thức đánh giá", _none, sections.streams)
BREAKDOWNS = Panel(
    "Phân bổ theo đơn vị, bộ sản phẩm, hạng sao, loại hình tổ chức",
    lambda plan: (Control("unit_filter", "Đơn vị hành chính", "choice", options=unit_options(plan)),),
    sections.breakdowns,
)
STOCK = Panel(
    "Số sản phẩm OCOP cuối năm so với mục tiêu",
    lambda plan: (
        _percent("pass_rate_new", "Tỷ lệ đạt – lần đầu (%)"),
        _percent("pass_rate_reevaluation", "Tỷ lệ đạt – đánh giá lại (%)"),
        _percent("pass_rate_upgrade", "Tỷ lệ đạt – nâng hạng (%)"),
        _percent("lapse_share", "Tỷ lệ đến hạn không đánh giá lại (%)"),
    ),
    sections.stock,
)
CALENDAR = Panel(
    "Lịch các đợt đánh giá, phân hạng",
    lambda plan: (
        _int("products_per_session", "Sản phẩm/phiên hội đồng"),
        _int("sessions_per_round", "Số phiên mỗi đợt"),
        Control("routing", "Phương án lịch", "choice", options=tuple((v, k) for k, v in labels.ROUTING.items())),
    ),
    sections.calendar,
)
EXPIRY = Panel("Giấy chứng nhận đến hạn đánh giá lại", _none, sections.expiry)
YEAR_OVER_YEAR = Panel("So sánh với kế hoạch năm trước", _none, sections.year_over_year)

# ----------------------------------------------------------------------------- 20-budget-allocation
BUDGET_LINES = Panel(
    "Dự toán kinh phí",
    lambda plan: tuple(
        _money(name, f"{labels.BUDGET_LINE_SHORT[line]} (tỷ đồng)", planned_line(plan, line))
        for line, name in LINE_PARAMS.items()
    ),
    sections.budget_lines,
)
CLAIMS = Panel(
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
            "Trần mỗi tổ chức (triệu đồng; 0 = không giới hạn)",
            "million",
            0,
            1e5,
            10,
            fallback=0,
            zero_is_none=True,
        ),
    ),
    sections.claims,
)
ALLOCATION = Panel(
    "Phân bổ kinh phí hỗ trợ cho các tổ chức kinh tế",
    lambda plan: (
        Control(
            "rule",
            "Quy tắc phân bổ",
            "choice",
            options=tuple((labels.ALLOCATION_RULE.get(r, r), r) for r in specs()["rule"].choices),
        ),
        Control("min_grant_vnd", "Mức hỗ trợ tối thiểu (triệu đồng)", "million", 0, 1e4, 5),
        *_weights(),
        Control("unit_filter", "Danh sách tổ chức của đơn vị", "choice", options=unit_options(plan)),
    ),
    sections.allocation,
)
COMPARISON = Panel("So sánh các quy tắc phân bổ", _none, sections.comparison)
RISKS = Panel(
    "Rủi ro kinh phí (mô phỏng)",
    lambda plan: (
        _percent("pass_rate_new", "Tỷ lệ đạt – lần đầu (%)"),
        _percent("pass_rate_reevaluation", "Tỷ lệ đạt – đánh giá lại (%)"),
        _percent("pass_rate_upgrade", "Tỷ lệ đạt – nâng hạng (%)"),
        _percent("target_rate", "Xác suất đạt đúng hạng sao mục tiêu (%)"),
        _percent("kept_rate", "Xác suất giữ hạng khi nâng hạng không đạt (%)"),
        Control("cost_sigma", "Độ bất định chi phí (0–2)", "float", 0, 2, 0.05),
        _int("draws", "Số lượt mô phỏng", 1000),
    ),
    sections.risks,
)

"""The JupyterLab panels: which section each notebook shows and which controls drive it.

A :class:`Panel` names a section of :mod:`ocop_helpers.document.registry` (its title and its renderer
``Results -> display items`` come from there) and gives the controls of the parameters it
introduces. Every parameter has one control in a notebook; a change recomputes the scenario (only
the stages that depend on it) and redraws every panel whose figures changed, wherever its control sits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ocop_helpers.document import registry
from ocop_helpers.domain import labels
from ocop_helpers.inputs.plan import Plan
from ocop_helpers.lab.controls import Control
from ocop_helpers.model.compute import LINE_PARAMS, as_of_date, packaging_share, planned_line, unit_display_names
from ocop_helpers.model.params import Params, specs


def _none(plan: Plan) -> tuple[Control, ...]:
    return ()


@dataclass(frozen=True)
class Panel:
    """A section of a notebook: the registered section it shows, its controls (which may depend on the plan)."""

    section: str
    controls: Callable[[Plan], Sequence[Control]] = _none

    def __post_init__(self) -> None:
        if self.section not in registry.SECTIONS:
            raise ValueError(f"no registered section {self.section!r}")

    @property
    def title(self) -> str:
        return registry.SECTIONS[self.section].title

    @property
    def render(self) -> Callable[[Any], Sequence[object]]:
        return registry.SECTIONS[self.section].render

    def empty(self, results: Any) -> str:
        """Why the panel shows nothing, and what would fill it."""
        return registry.SECTIONS[self.section].empty(results)


def unit_options(plan: Plan) -> tuple[tuple[str, str], ...]:
    """('Toàn tỉnh', '') then every unit of the plan by display name."""
    names = unit_display_names(plan)
    return (("Toàn tỉnh", ""),) + tuple(sorted(((v, k) for k, v in names.items()), key=lambda x: x[0]))


def _money(name: str, label: str, plan_value: int | None, unit: str = "billion") -> Control:
    """Money typed in tỷ (``billion``) or triệu (``million``) đồng; the unit is part of the label."""
    help = ENVELOPE_HELP if name == "envelope_vnd" else ""  # the registry's help names the line's code
    return Control(
        name, f"{label} ({'tỷ' if unit == 'billion' else 'triệu'} đồng)", unit, fallback=plan_value, help=help
    )


def _percent(name: str, label: str, fallback: float | None = None) -> Control:
    """A share typed as '40%', '0,4' or '0.4' (the whole range 0–100 %, any precision)."""
    return Control(name, f"{label} (%)", "percent", 0, 1, fallback=fallback)


def _slider(name: str, label: str, step: float, decimals: int = 0) -> Control:
    """A number typed exactly (any precision in range) beside a slider over the parameter's whole
    range moving by ``step`` (int or float as the registry says)."""
    s = specs()[name]
    return Control(name, label, "int" if s.kind == "int" else "float", s.minimum, s.maximum, step, decimals=decimals)


UNIT_HELP = "Chỉ xem một đơn vị hành chính (huyện, thành phố); Toàn tỉnh = mọi đơn vị"
ROUTING_HELP = "Lịch như kế hoạch ban hành, hoặc chuyển các vòng ở cấp không còn tồn tại sang cấp đang có thẩm quyền"
ENVELOPE_HELP = "Kinh phí hỗ trợ nhãn hiệu, bao bì, tem nhãn; trống = dòng kinh phí này trong kế hoạch"


def _unit_filter(plan: Plan, label: str) -> Control:
    """The unit filter: a dropdown of the whole province then every unit, by its name."""
    return Control("unit_filter", label, "choice", options=unit_options(plan), help=UNIT_HELP)


def as_of(plan: Plan) -> Control:
    """The review date ('Tính đến ngày'), typed dd/mm/yyyy within the plan year (the build refuses any
    other: ``inputs.checks.check_as_of``); shown as the date the model uses when the parameter is empty."""
    return Control(
        "as_of",
        "Tính đến ngày (ngày/tháng/năm)",
        "date",
        plan.year,
        plan.year,
        fallback=as_of_date(plan, Params({})),
    )


def _weights() -> tuple[Control, ...]:
    return tuple(
        _slider(name, label, 0.5, decimals=1)
        for name, label in (
            ("weight_star", "Ưu tiên hạng sao (hệ số 0–10)"),
            ("weight_stream", "Ưu tiên hình thức đánh giá (hệ số 0–10)"),
            ("weight_organisation_type", "Ưu tiên loại hình tổ chức (hệ số 0–10)"),
            ("weight_unit_equity", "Ưu tiên công bằng địa phương (hệ số 0–10)"),
        )
    )


def _choice(name: str, label: str, names: dict[str, str], help: str = "") -> Control:
    """A dropdown of every choice the registry allows, labelled in Vietnamese."""
    options = tuple((names.get(v, v), v) for v in specs()[name].choices)
    return Control(name, label, "choice", options=options, help=help)


# ----------------------------------------------------------------------------- 00-overview
OVERVIEW = Panel("overview")
SOURCES = Panel("sources")

# ----------------------------------------------------------------------------- 10-product-targets
STREAMS = Panel("streams")
BREAKDOWNS = Panel(
    "breakdowns",
    lambda plan: (_unit_filter(plan, "Đơn vị hành chính"),),
)
STOCK = Panel(
    "stock",
    lambda plan: (
        _percent("pass_rate_new", "Tỷ lệ đạt – lần đầu"),
        _percent("pass_rate_reevaluation", "Tỷ lệ đạt – đánh giá lại"),
        _percent("pass_rate_upgrade", "Tỷ lệ đạt – nâng hạng"),
        _percent("lapse_share", "Tỷ lệ đến hạn không đánh giá lại"),
    ),
)
OUTCOMES = Panel(
    "outcomes",
    lambda plan: (_percent("target_risk_chance", "Ngưỡng khả năng đạt để nêu mục tiêu có nguy cơ"),),
)
CALENDAR = Panel(
    "calendar",
    lambda plan: (
        _slider("products_per_session", "Sản phẩm/phiên hội đồng", 1),
        _slider("sessions_per_round", "Số phiên mỗi đợt", 1),
        _choice("routing", "Phương án lịch", labels.ROUTING, ROUTING_HELP),
        as_of(plan),
    ),
)
EXPIRY = Panel("expiry")
YEAR_OVER_YEAR = Panel("year_over_year")

# ----------------------------------------------------------------------------- 20-budget-allocation
BUDGET_LINES = Panel(
    "budget_lines",
    lambda plan: tuple(
        _money(name, labels.BUDGET_LINE_SHORT[line], planned_line(plan, line)) for line, name in LINE_PARAMS.items()
    ),
)
CLAIMS = Panel(
    "claims",
    lambda plan: (
        _percent("co_financing_share", "Tỷ lệ ngân sách hỗ trợ bao bì", fallback=packaging_share(plan)),
        _money("item_cap_vnd", "Trần mỗi nội dung; trống = theo định mức", None, "million"),
        _money("organisation_cap_vnd", "Trần mỗi tổ chức; trống = không giới hạn", None, "million"),
    ),
)
ALLOCATION = Panel(
    "allocation",
    lambda plan: (
        _choice("rule", "Quy tắc phân bổ", labels.ALLOCATION_RULE),
        _money("min_grant_vnd", "Mức hỗ trợ tối thiểu", None, "million"),
        *_weights(),
        _unit_filter(plan, "Danh sách tổ chức của đơn vị"),
    ),
)
COMPARISON = Panel("comparison")
RISKS = Panel(
    "risks",
    lambda plan: (
        _percent("pass_rate_new", "Tỷ lệ đạt – lần đầu"),
        _percent("pass_rate_reevaluation", "Tỷ lệ đạt – đánh giá lại"),
        _percent("pass_rate_upgrade", "Tỷ lệ đạt – nâng hạng"),
        _percent("target_rate", "Xác suất đạt đúng hạng sao mục tiêu"),
        _percent("kept_rate", "Xác suất giữ hạng khi nâng hạng không đạt"),
        _slider("cost_sigma", "Độ bất định chi phí (0–2)", 0.05, decimals=2),
        _slider("draws", "Số lượt mô phỏng", 100),
        Control("seed", "Hạt giống ngẫu nhiên", "int_text"),
    ),
)

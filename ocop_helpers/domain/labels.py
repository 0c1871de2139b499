"""Vietnamese labels for every code the workbook uses: the one place for display text."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class _RuleText(Mapping[str, T], Generic[T]):
    """Rule code -> one text of its entry in the allocation rule registry, read each time it is used
    (so a registered rule has its label at once, and importing the labels imports no numpy)."""

    def __init__(self, pick: Callable[[Any], T]):
        self._pick = pick

    def _table(self) -> dict[str, T]:
        from ocop_helpers.domain.allocation.registry import (
            REGISTRY,  # deferred: numpy and scipy, loaded when a rule label is first read
        )

        return {code: self._pick(rule) for code, rule in REGISTRY.items()}

    def __getitem__(self, code: str) -> T:
        return self._table()[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())

    def __repr__(self) -> str:
        return repr(self._table())


STREAM: dict[str, str] = {
    "new": "Đánh giá lần đầu",
    "reevaluation": "Đánh giá lại",
    "upgrade": "Nâng hạng sao",
}

LEVEL: dict[str, str] = {
    "commune": "Cấp xã",
    "district": "Cấp huyện",
    "province": "Cấp tỉnh",
    "central": "Trung ương",
}

ORGANISATION_TYPE: dict[str, str] = {
    "cooperative": "Hợp tác xã",
    "enterprise": "Doanh nghiệp",
    "household": "Hộ kinh doanh, cơ sở sản xuất",
    "cooperative_group": "Tổ hợp tác",
}

BRANDING_ITEM: dict[str, str] = {
    "trademark": "Đăng ký nhãn hiệu",
    "packaging": "Bao bì, in tem nhãn",
}

BUDGET_LINE: dict[str, str] = {
    "rewards": "Hỗ trợ sau công nhận (thưởng theo hạng sao)",
    "branding": "Hỗ trợ nhãn hiệu, bao bì, tem nhãn",
    "councils": "Hoạt động hội đồng đánh giá, phân hạng",
    "promotion": "Xúc tiến thương mại, hội chợ",
    "training": "Tập huấn, tuyên truyền",
}

BUDGET_LINE_SHORT: dict[str, str] = {
    "rewards": "Thưởng sau công nhận",
    "branding": "Nhãn hiệu, bao bì, tem nhãn",
    "councils": "Hội đồng đánh giá",
    "promotion": "Xúc tiến thương mại",
    "training": "Tập huấn, tuyên truyền",
}

REWARD_CASE: dict[str, str] = {
    "first": "Đánh giá lần đầu",
    "kept": "Đánh giá nâng hạng, giữ nguyên hạng",
    "upgraded": "Đạt nâng hạng",
    "reevaluated": "Đánh giá lại",
}

UNIT_LEVEL: dict[str, str] = {
    "district": "Đơn vị hành chính cấp huyện",
    "commune": "Đơn vị hành chính cấp xã",
}

COLUMN: dict[str, str] = {
    "product_id": "Mã sản phẩm",
    "product_name": "Tên sản phẩm",
    "organisation_id": "Mã tổ chức",
    "organisation_name": "Tên tổ chức",
    "organisation_type": "Loại hình tổ chức",
    "unit_id": "Mã đơn vị",
    "unit_name": "Đơn vị hành chính",
    "product_code": "Mã nhóm sản phẩm (QĐ 148)",
    "stream": "Hình thức đánh giá",
    "current_star": "Hạng sao hiện tại",
    "target_star": "Hạng sao mục tiêu",
    "certificate_date": "Ngày cấp giấy chứng nhận",
    "planned_round": "Đợt đánh giá",
    "level": "Cấp đánh giá",
    "deadline": "Thời hạn hoàn thành",
    "round": "Đợt",
    "products": "Số sản phẩm",
    "target": "Chỉ tiêu kế hoạch",
    "actual": "Theo dữ liệu",
    "difference": "Chênh lệch",
    "share": "Tỷ lệ",
    "amount_vnd": "Số tiền (đồng)",
    "line": "Nội dung chi",
    "item": "Nội dung hỗ trợ",
    "cost_vnd": "Chi phí dự kiến (đồng)",
    "requested_vnd": "Đề nghị hỗ trợ (đồng)",
    "granted_vnd": "Mức hỗ trợ (đồng)",
}


def star_label(star: int | float | None) -> str:
    """'3 sao' for 3; '–' for a missing star."""
    if star is None or star != star:  # NaN check without numpy
        return "–"
    return f"{int(star)} sao"


def budget_line(code: str) -> str:
    """A budget line, an extra simulated line or the total, in Vietnamese."""
    return label(BUDGET_LINE | BUDGET_EXTRA_LINE, code)


def allocation_rule(code: str) -> str:
    """An allocation rule in Vietnamese."""
    return label(ALLOCATION_RULE, code)


def label(mapping: Mapping[str, str], code: str) -> str:
    """The Vietnamese label of ``code`` in ``mapping``; the code itself if it has none."""
    return mapping.get(code, code)


# --- targets, stock, calendar and units (issues 3 and 7) ---

STOCK_COMPONENT: dict[str, str] = {
    "start": "Số sản phẩm đầu năm",
    "new_recognised": "Công nhận mới (dự kiến)",
    "reevaluation_failed": "Không đạt khi đánh giá lại",
    "not_reevaluated": "Hết hạn, không đánh giá lại",
    "unplanned_lapses": "Hết hạn ngoài kế hoạch",
    "end": "Dự kiến cuối năm",
}

CALENDAR_WARNING: dict[str, str] = {
    "level_not_in_force": "Cấp đánh giá không còn tổ chức tại thời hạn",
    "over_capacity": "Vượt năng lực hội đồng",
    "deadline_passed": "Đã quá thời hạn",
    "empty": "Chưa có sản phẩm",
}

ROUTING: dict[str, str] = {
    "as_filed": "Theo kế hoạch đã ban hành",
    "rerouted": "Điều chuyển theo thẩm quyền tại thời hạn",
}

ROUTING_STEP: dict[str, str] = {
    "scheduled": "Đã xếp đợt",
    "level_not_in_force": "Cấp không còn tổ chức",
    "rerouted": "Điều chuyển",
    "no_round": "Không có đợt trong kế hoạch",
}

UNIT_RELATION: dict[str, str] = {
    "unchanged": "Giữ nguyên",
    "renamed": "Đổi tên, đổi loại đơn vị",
    "merged": "Sáp nhập",
    "split": "Chia tách",
    "split_and_merged": "Chia tách và sáp nhập",
}

PLANNING_COLUMN: dict[str, str] = {
    "total": "Tổng số",
    "target_share": "Tỷ lệ theo chỉ tiêu",
    "actual_share": "Tỷ lệ theo dữ liệu",
    "sector": "Bộ sản phẩm",
    "sector_name": "Tên bộ sản phẩm",
    "group_name": "Nhóm sản phẩm",
    "subgroup_name": "Phân nhóm sản phẩm",
    "code": "Mã (QĐ 148)",
    "organisations": "Số tổ chức",
    "councils": "Số hội đồng",
    "max_council_load": "Sản phẩm/hội đồng (lớn nhất)",
    "capacity_per_council": "Năng lực/hội đồng",
    "over_capacity": "Vượt năng lực",
    "over_capacity_units": "Đơn vị vượt năng lực",
    "rerouted_in": "Sản phẩm điều chuyển đến",
    "empty": "Chưa có sản phẩm",
    "deadline_passed": "Đã quá hạn",
    "days_to_deadline": "Số ngày đến hạn",
    "level_in_force": "Cấp còn tổ chức",
    "status": "Tình trạng",
    "step": "Bước",
    "expiry_date": "Ngày hết hạn",
    "notice_by": "Hạn thông báo",
    "due_year": "Năm đến hạn",
    "due": "Số sản phẩm đến hạn",
    "expired_before_year": "Đã hết hạn trước năm kế hoạch",
    "latest_round": "Đợt muộn nhất",
    "latest_round_level": "Cấp của đợt muộn nhất",
    "latest_round_deadline": "Thời hạn đợt muộn nhất",
    "no_round_before_expiry": "Không còn đợt trước khi hết hạn",
    "cohort_estimate": "Ước tính theo lứa cấp",
    "lost": "Sản phẩm mất (dự kiến)",
    "from_unit_id": "Đơn vị cũ",
    "to_unit_id": "Đơn vị mới",
    "effective_date": "Ngày hiệu lực",
    "relation": "Loại thay đổi",
    "ambiguous": "Không phân bổ được",
    "candidates": "Các đơn vị mới có thể",
}

# The allocation rules' names, read from the rule registry (``domain.allocation.registry``) when used.
ALLOCATION_RULE: Mapping[str, str] = _RuleText(lambda rule: rule.label)

ALLOCATION_METRIC: dict[str, str] = {
    "organisations": "Số tổ chức đề nghị",
    "fully_funded": "Hỗ trợ đủ mức đề nghị",
    "partly_funded": "Hỗ trợ một phần",
    "not_funded": "Không được hỗ trợ",
    "requested_vnd": "Tổng đề nghị (đồng)",
    "granted_vnd": "Tổng hỗ trợ (đồng)",
    "share_funded": "Tỷ lệ số tiền đề nghị được hỗ trợ",
    "unspent_vnd": "Kinh phí chưa phân bổ (đồng)",
    "gini_funded_share": "Mức chênh lệch tỷ lệ được hỗ trợ giữa các tổ chức (0 = như nhau)",
    "weighted_coverage": "Mức đáp ứng có trọng số ưu tiên",
    "optimum_coverage": "Mức đáp ứng của phương án tối ưu",
    "gap_to_optimum": "Chênh lệch so với phương án tối ưu",
    "lowest_unit_coverage": "Tỷ lệ hỗ trợ thấp nhất theo đơn vị",
    "highest_unit_coverage": "Tỷ lệ hỗ trợ cao nhất theo đơn vị",
    "flips": "Số tổ chức lúc được lúc không (qua các lượt mô phỏng)",
}

BUDGET_EXTRA_LINE: dict[str, str] = {
    "branding_need": "Nhu cầu hỗ trợ nhãn hiệu, bao bì (theo đề nghị)",
    "total": "Tổng cộng",
}

FUNDING_STATUS: dict[str, str] = {
    "full": "Hỗ trợ đủ",
    "partial": "Hỗ trợ một phần",
    "none": "Chưa được hỗ trợ",
}

# What each allocation rule does, in plain Vietnamese, and the literature it follows (for the planners'
# glossary in the appendix, never in the body of the plan): (glossary, reference) from the rule registry.
ALLOCATION_RULE_GLOSS: Mapping[str, tuple[str, str]] = _RuleText(lambda rule: (rule.glossary, rule.reference))


# Headers of the evaluation-round tables (the calendar section and the annex sheet share them).
CALENDAR_COLUMNS: dict[str, str] = {
    "round": COLUMN["round"],
    "level_label": COLUMN["level"],
    "deadline": COLUMN["deadline"],
    "products": COLUMN["products"],
    "rerouted_in": "Điều chuyển đến",
    "councils": "Số hội đồng",
    "max_council_load": "Tải lớn nhất một hội đồng",
    "capacity_per_council": "Năng lực một hội đồng",
}

"""The plan's analysis sections, one entry each: the one place a section is declared.

A :class:`Section` has an id, its Vietnamese title, the :class:`~ocop_helpers.model.compute.Results`
fields it reads (its figures, the annex sheets' included) and its renderer (``Results -> display
items``, from :mod:`ocop_helpers.document.sections`). An :class:`AnnexSheet` names a sheet of the
Excel annex, the section whose figures it lists, its builder (:mod:`ocop_helpers.document.annex`), its
line on the annex cover and the datasets its figures rest on. What reads the registry:

* the JupyterLab panels and the executed notebooks (:mod:`ocop_helpers.lab.panels`: each panel names
  its section; title and renderer come from here);
* the plan document's appendix "Số liệu phân tích" (:data:`APPENDIX`, in reading order);
* the annex (:data:`ANNEX`: sheet names, order, cover lines, provenance);
* the sections themselves where they quote a title or a sheet name.

Adding a section: compute its figures in :mod:`ocop_helpers.model.compute` (a stage and the
``Results`` fields), write its renderer in :mod:`~ocop_helpers.document.sections`, add one entry here
(and to :data:`APPENDIX` / :data:`ANNEX` if the plan document or the annex shows it), then name it in
the notebook's panel.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ocop_helpers.document import annex, sections
from ocop_helpers.document.elements import provenance
from ocop_helpers.domain import yoy


@dataclass(frozen=True)
class Section:
    """One section: ``fields`` are the names of the Results fields its renderer and its annex sheets
    read (``plan`` and ``params`` included); ``render`` turns Results into display items."""

    id: str
    title: str
    fields: tuple[str, ...]
    render: Callable[[Any], Sequence[object]]
    # Why the section has nothing to show and what would fill it (a screen never just says "no data").
    empty: Callable[[Any], str] = lambda r: "Phần này chưa có số liệu trong dữ liệu của kế hoạch."


@dataclass(frozen=True)
class AnnexSheet:
    """One sheet of the annex: ``name`` (at most 31 characters, Excel's limit), the ``section`` whose
    figures it lists, ``build(results, name) -> annex.Sheet``, the cover's one-line ``description``
    and the datasets (``plan.provenance`` keys) whose provenance marks it."""

    name: str
    section: str
    build: Callable[[Any, str], annex.Sheet]
    description: str
    sources: tuple[str, ...]


SECTIONS: dict[str, Section] = {
    s.id: s
    for s in (
        Section("overview", "Tổng quan", ("plan", "key_figures", "stream_comparison"), sections.overview),
        Section("sources", "Nguồn số liệu", ("plan",), sections.sources),
        Section("streams", "Chỉ tiêu theo hình thức đánh giá", ("plan", "streams"), sections.streams),
        Section(
            "breakdowns",
            "Phân bổ theo đơn vị, bộ sản phẩm, hạng sao, loại hình tổ chức",
            (
                "plan",
                "unit_load",
                "concentration",
                "scope_name",
                "sectors",
                "thin_sectors",
                "stars",
                "organisation_types",
            ),
            sections.breakdowns,
        ),
        Section("stock", "Số sản phẩm OCOP cuối năm so với mục tiêu", ("plan", "stock"), sections.stock),
        Section(
            "outcomes",
            "Mục tiêu kết quả và khả năng đạt",
            (
                "plan",
                "params",
                "as_of",
                "stock",
                "round_authorities",
                "budget_lines",
                "official",
                "expiry_by_year",
            ),
            sections.outcomes,
        ),
        Section(
            "calendar",
            "Lịch và khối lượng các đợt đánh giá, phân hạng",
            ("plan", "params", "as_of", "calendar", "calendar_rerouted", "unit_names"),
            sections.calendar,
        ),
        Section(
            "expiry",
            "Giấy chứng nhận đến hạn đánh giá lại",
            (
                "plan",
                "params",
                "certificate_terms",
                "expiry_by_year",
                "expiry_effect",
                "reevaluation_schedule",
                "unit_names",
            ),
            # the notice names the annex sheet that lists the products (read when rendered)
            lambda r: sections.expiry(r, sheet=sheets_of("expiry")[0].name),
        ),
        Section(
            "budget_lines",
            "Dự toán kinh phí",
            ("plan", "budget_lines", "budget_sources", "official"),
            sections.budget_lines,
        ),
        Section(
            "claims",
            "Nhu cầu hỗ trợ nhãn hiệu, bao bì, tem nhãn",
            ("plan", "claim_items", "claim_organisations", "envelope_vnd"),
            sections.claims,
        ),
        Section(
            "allocation",
            "Phân bổ kinh phí hỗ trợ cho các tổ chức kinh tế",
            ("plan", "params", "allocation", "allocation_metrics", "item_grants", "envelope_vnd", "unit_names"),
            sections.allocation,
        ),
        Section(
            "comparison",
            "So sánh các cách phân bổ",
            ("plan", "params", "rule_allocations", "rule_table"),
            sections.comparison,
        ),
        Section(
            "risks",
            "Rủi ro kinh phí",
            ("plan", "params", "simulation", "budget_comparison", "envelope_vnd"),
            sections.risks,
        ),
        Section(
            "year_over_year",
            "So sánh với kế hoạch năm trước",
            ("plan", "previous", "year_over_year", "rekeyed_units", "year_over_year_detail", "unit_names"),
            lambda r: sections.year_over_year(r, title=title("year_over_year")),
            lambda r: yoy.nothing_to_compare(r.plan),
        ),
    )
}
"""Every section by id."""

APPENDIX: tuple[str, ...] = (
    "streams",
    "breakdowns",
    "stock",
    "outcomes",
    "calendar",
    "expiry",
    "budget_lines",
    "claims",
    "allocation",
    "comparison",
    "risks",
    "year_over_year",
)
"""The sections of the plan document's appendix "Số liệu phân tích", in reading order."""

_ALLOCATION_SOURCES = ("requests", "organisations", "norms", "budget_lines")

ANNEX: tuple[AnnexSheet, ...] = (
    AnnexSheet(
        "Sản phẩm",
        "breakdowns",
        annex.products_sheet,
        "Sản phẩm đánh giá, phân hạng theo đơn vị và đợt",
        ("products",),
    ),
    AnnexSheet(
        "Đơn vị",
        "breakdowns",
        annex.units_sheet,
        "Số sản phẩm theo đơn vị hành chính và hình thức đánh giá",
        ("products",),
    ),
    AnnexSheet(
        "Lịch đánh giá",
        "calendar",
        annex.calendar_sheet,
        "Các đợt đánh giá: cấp, thời hạn, số sản phẩm, năng lực hội đồng",
        ("rounds", "products"),
    ),
    AnnexSheet(
        "Đánh giá lại",
        "expiry",
        annex.reevaluation_sheet,
        "Giấy chứng nhận đến hạn: ngày hết hạn, ngày phải thông báo, đợt cuối trước hạn",
        ("products", "rounds"),
    ),
    AnnexSheet(
        "Phân bổ theo tổ chức",
        "allocation",
        annex.organisation_grants_sheet,
        "Mức hỗ trợ nhãn hiệu, bao bì, tem nhãn của từng tổ chức kinh tế",
        _ALLOCATION_SOURCES,
    ),
    AnnexSheet(
        "Phân bổ theo nội dung",
        "allocation",
        annex.item_grants_sheet,
        "Mức hỗ trợ của từng đề nghị (nhãn hiệu; bao bì, tem nhãn)",
        _ALLOCATION_SOURCES,
    ),
    AnnexSheet(
        "So sánh quy tắc",
        "comparison",
        annex.rule_comparison_sheet,
        "Các cách phân bổ trên cùng nhu cầu và kinh phí",
        _ALLOCATION_SOURCES,
    ),
    AnnexSheet(
        "Dự toán kinh phí",
        "budget_lines",
        annex.budget_sheet,
        "Kinh phí theo nội dung chi",
        ("budget_lines",),
    ),
    AnnexSheet(
        "Rủi ro kinh phí",
        "risks",
        annex.simulation_sheet,
        "Kinh phí dự kiến chi theo nội dung: mức thấp, mức giữa, mức cao (8 trong 10 lượt tính)",
        ("budget_lines", "requests", "products", "history"),
    ),
)
"""The annex sheets after the cover, in the annex's order."""


def title(section: str) -> str:
    """A section's title."""
    return SECTIONS[section].title


def sheets_of(section: str) -> tuple[AnnexSheet, ...]:
    """The annex sheets that list a section's figures, in the annex's order."""
    return tuple(s for s in ANNEX if s.section == section)


def annex_sheets(r: Any) -> list[annex.Sheet]:
    """Every annex sheet of this scenario, in the order of :data:`ANNEX` (which names each sheet and
    gives its cover line and sources), after a cover sheet."""
    sheets = [
        dataclasses.replace(
            entry.build(r, entry.name),
            provenance=provenance(r.plan, *entry.sources),
            description=entry.description,
        )
        for entry in ANNEX
    ]
    return [annex.cover_sheet(r, sheets), *sheets]

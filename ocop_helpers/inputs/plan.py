"""The typed, validated content of one plan folder (or workbook)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ocop_helpers.core.dated import in_force

STREAMS: tuple[str, ...] = ("new", "reevaluation", "upgrade")
LEVELS: tuple[str, ...] = ("commune", "district", "province", "central")
ORGANISATION_TYPES: tuple[str, ...] = ("cooperative", "enterprise", "household", "cooperative_group")
BRANDING_ITEMS: tuple[str, ...] = ("trademark", "packaging")
BUDGET_LINES: tuple[str, ...] = ("rewards", "branding", "councils", "promotion", "training")
REWARD_CASES: tuple[str, ...] = ("first", "kept", "upgraded", "reevaluated")
NORM_LINES: tuple[str, ...] = ("reward", "trademark", "packaging")
PLAN_STATUSES: tuple[str, ...] = ("draft", "issued")


# How a task's deadline (tasks.yaml, ``deadline``) is given, besides a day and month ("15/12").
DEADLINE_KINDS: tuple[str, ...] = ("continuous", "each_round", "round_reports", "year_report")


@dataclass(frozen=True)
class TaskSpec:
    """One task of "Nhiệm vụ, giải pháp" as tasks.yaml gives it (before the date and the bodies in
    force are applied, :func:`ocop_helpers.document.official.frame`).

    ``lead`` and ``support`` name bodies of responsibilities.csv by ``body_key`` (or ``body_id``);
    an empty ``lead`` is the lead department in force. ``deadline`` is one of
    :data:`DEADLINE_KINDS` or a day and month ("15/12") of the plan year. The task applies from
    ``valid_from`` to ``valid_to`` (inclusive, empty = open) and, with ``product_group``, only when
    the plan's products include that QĐ 148 group. ``file``, ``line`` and ``column`` locate it.
    """

    title: str
    text: str
    id: str = ""
    lead: str = ""
    support: tuple[str, ...] = ()
    deadline: str = "continuous"
    valid_from: pd.Timestamp | None = None
    valid_to: pd.Timestamp | None = None
    product_group: str = ""
    file: str = ""
    line: int | None = None
    column: str = ""


def has_product_group(products: pd.DataFrame, group: str) -> bool:
    """Whether the plan's products include QĐ 148 group ``group`` ('III', or a code prefix 'III.1')."""
    if not group:
        return True
    codes = products["product_code"].dropna().astype(str) if "product_code" in products.columns else []
    return any(c == group or c.startswith(group + ".") for c in codes)


# Outcome targets whose value is a share (0–1), and the source of a target the planner sets.
SHARE_KINDS: tuple[str, ...] = ("share_registered", "share_organisation_type")
ASSUMPTION = "assumption"


@dataclass(frozen=True)
class OutcomeTarget:
    """One outcome target: ``value`` is a count, or a share (0–1) for :data:`SHARE_KINDS`."""

    id: str
    kind: str
    value: float
    source: str
    text: str = ""
    star: int = 3
    or_higher: bool = True
    streams: tuple[str, ...] = STREAMS
    organisation_type: str = ""

    @property
    def is_share(self) -> bool:
        """Whether ``value`` is a share rather than a count."""
        return self.kind in SHARE_KINDS

    @property
    def assumed(self) -> bool:
        """A target the planner sets (no published source)."""
        return self.source.strip().lower() == ASSUMPTION


@dataclass(frozen=True)
class Targets:
    """Published targets of the yearly plan."""

    new: int
    reevaluation: int
    upgrade: int
    total: int
    organisations_branding: int
    budget_total_vnd: int
    stock_target: int

    def by_stream(self) -> dict[str, int]:
        """Targets per evaluation stream, in stream order."""
        return {"new": self.new, "reevaluation": self.reevaluation, "upgrade": self.upgrade}


@dataclass(frozen=True)
class Plan:
    """One province's plan for one year: metadata, targets and the input tables.

    Tables use integer đồng for money, ``str`` for codes and ``datetime64`` for dates.
    """

    source: str
    province_id: str
    province_name: str
    year: int
    units_as_of: dt.date
    plan_document: str
    targets: Targets
    rounds: pd.DataFrame
    products: pd.DataFrame
    organisations: pd.DataFrame
    requests: pd.DataFrame
    history: pd.DataFrame
    norms: pd.DataFrame
    budget_lines: pd.DataFrame
    units: pd.DataFrame
    unit_changes: pd.DataFrame
    product_codes: pd.DataFrame
    authority_rules: pd.DataFrame
    star_bands: pd.DataFrame
    sources: dict[str, str] = field(default_factory=dict)
    previous_plan: str = ""
    # The plan as an administrative document (all optional in plan.yaml; see docs/architecture.md).
    issue_date: dt.date | None = None  # ngày ban hành; chooses issuer, place, Căn cứ in force
    document_number: str = ""  # số/ký hiệu, e.g. "15/KH-UBND"; printed only for an issued plan
    status: str = "draft"  # draft | issued
    signer_name: str = ""  # left blank in the signature block unless given
    # The date of the successor's adjusted plan (document.adjustment) when a change falls inside the
    # year; None: a draft dated by the last change before the first deadline it affects.
    adjustment_date: dt.date | None = None
    # Dataset -> 'published' | 'illustrative' (undeclared datasets are illustrative), and the target
    # keys the source states approximately ("khoảng 20,9 tỷ đồng").
    provenance: dict[str, str] = field(default_factory=dict)
    approximate: tuple[str, ...] = ()
    # Outcome targets as plan.yaml states them (inputs.outcome_targets.OutcomeTarget); see ``outcomes``.
    outcome_targets: tuple[OutcomeTarget, ...] = ()

    # Problems that did not stop loading (validation.Problem: unknown extra columns or keys, ignored);
    # the build lists them in its log and the manifest.
    warnings: tuple = ()

    # Everything else the model reads, loaded with the plan so that computing reads no file:
    # the official frame's dated tables and texts (inputs.loading.load_official), the whole units
    # table (every province: predecessors of a merged province), last year's plans found in the data
    # (province_id -> Plan, loaded without their own last year) with the folders searched for each
    # province, and every file read (their SHA-256 go into the build's manifest).
    official_tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    official_texts: dict = field(default_factory=dict)
    all_units: pd.DataFrame | None = None
    last_year: dict[str, Plan] = field(default_factory=dict)
    last_year_searched: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The results entered so far: an inputs.results.SeasonResults (results/ or results.xlsx; that
    # module imports this one, hence Any), None when none are entered.
    season_results: Any = None
    # Problems of the results files (core.errors.Problem), kept for domain.season.check_loaded to report
    # with the payment checks; season_results is None while there are any.
    season_problems: tuple = ()
    previous_province: str = ""  # province of the plan named by previous_plan (or this one's), if found
    input_files: tuple[str, ...] = ()

    @property
    def official(self) -> tuple[dict[str, pd.DataFrame], dict]:
        """(dated tables, texts) of the official document frame, as loaded with the plan."""
        return self.official_tables, self.official_texts

    @property
    def previous(self) -> Plan | None:
        """Last year's plan of this province (or the one ``previous_plan`` names), when the data hold it."""
        return self.last_year.get(self.previous_province) if self.previous_province else None

    def provenance_of(self, *datasets: str, computed: bool = True) -> str:
        """The provenance of a figure made from these datasets (an undeclared dataset is
        illustrative): ``illustrative`` if any input is; else ``derived`` when ``computed``,
        ``published`` when it only restates published data."""
        found = [self.provenance.get(d, "illustrative") for d in datasets]
        if "illustrative" in found:
            return "illustrative"
        return "derived" if computed else "published"

    def norms_in_force(self) -> pd.DataFrame:
        """The support norms that apply to this plan: those in force on 1 January of the plan year."""
        return in_force(self.norms, pd.Timestamp(self.year, 1, 1)).reset_index(drop=True)

    @property
    def outcomes(self) -> tuple[OutcomeTarget, ...]:
        """The plan's outcome targets: those of plan.yaml, or else the year-end stock target
        (``targets.stock_target``) with its source, so every plan has at least that one."""
        if self.outcome_targets:
            return self.outcome_targets
        source = self.sources.get("stock_target") or ASSUMPTION
        return (OutcomeTarget(id="stock", kind="stock", value=self.targets.stock_target, source=source),)

    @property
    def slug(self) -> str:
        """``<province_id>/<year>``: the output sub-folder of this plan."""
        return f"{self.province_id}/{self.year}"

    @property
    def issued_on(self) -> dt.date:
        """The date the plan is (or would be) issued: ``issue_date`` in plan.yaml, else ``units_as_of``."""
        return self.issue_date or self.units_as_of


@dataclass(frozen=True)
class Predecessor:
    """A province whose units (on 1 January of last year) became units of this plan."""

    province_id: str
    unit_ids: tuple[str, ...]
    unit_names: tuple[str, ...]
    plan: Plan | None
    searched: tuple[str, ...] = ()

    @property
    def short_name(self) -> str:
        """'tỉnh Bắc Giang', or 'tỉnh mã «…»' when the data hold no plan for it (table cells)."""
        return f"tỉnh {self.plan.province_name}" if self.plan is not None else f"tỉnh mã «{self.province_id}»"

    @property
    def name(self) -> str:
        """'tỉnh Bắc Giang', or the province code with its units when the data hold no plan for it."""
        if self.plan is not None:
            return f"tỉnh {self.plan.province_name}"
        shown = ", ".join(self.unit_names[:4]) + ("…" if len(self.unit_names) > 4 else "")
        return f"tỉnh mã «{self.province_id}» ({len(self.unit_ids)} đơn vị: {shown})"

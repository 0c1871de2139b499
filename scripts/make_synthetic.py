"""Seeded generator of the synthetic detail of a plan folder.

Writes ``products.csv``, ``organisations.csv`` and ``requests.csv`` so that they reproduce the
published totals in the folder's ``plan.yaml`` exactly (products per stream, organisations asking
for branding support). Everything else in the folder (``plan.yaml``, ``history.csv``,
``norms.csv``, ``budget_lines.csv``) is curated by hand and only read here.

Usage (from the repository root)::

    .venv/bin/python scripts/make_synthetic.py                 # every plan in SPECS
    .venv/bin/python scripts/make_synthetic.py data/bac-giang/2025
    .venv/bin/python scripts/make_synthetic.py data/bac-giang/2025 --out /tmp/check

The output is deterministic: the same spec gives the same bytes on every run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
OUTPUT_FILES = ("products.csv", "organisations.csv", "requests.csv")

PRODUCT_COLUMNS = [
    "product_id",
    "product_name",
    "organisation_id",
    "unit_id",
    "product_code",
    "stream",
    "current_star",
    "target_star",
    "certificate_date",
    "planned_round",
]
ORGANISATION_COLUMNS = [
    "organisation_id",
    "organisation_name",
    "unit_id",
    "organisation_type",
    "requests_branding",
]
REQUEST_COLUMNS = ["request_id", "organisation_id", "item", "product_id", "cost_vnd"]
STREAMS = ("new", "reevaluation", "upgrade")

# District-level areas used to keep regional products in their region. A commune-level unit
# inherits the areas of the district(s) it came from (data/reference/unit_changes.csv).
LYCHEE = ("bg-h-luc-ngan", "bg-tx-chu", "bg-h-luc-ngan-cu", "bg-h-tan-yen", "bg-h-luc-nam")
UPLAND = ("bg-h-son-dong", "bg-h-luc-ngan", "bg-tx-chu", "bg-h-luc-ngan-cu", "bg-h-luc-nam", "bg-h-yen-the")
HILL_CHICKEN = ("bg-h-yen-the", "bg-h-lang-giang", "bg-h-tan-yen", "bg-h-luc-nam")
TEA = UPLAND + ("bg-h-tan-yen", "bg-h-hiep-hoa")

# Relative weight of each leaf of the QĐ 148 tree in a provincial batch: mostly food, a few
# beverages, herbs and crafts, rare ornamentals and tourism (Bắc Giang 2022 cohort: 92 food,
# 6 beverages, 1 tourism, ocop-domain.md §4 [S46]).
CODE_WEIGHTS: dict[str, float] = {
    "I.1.a": 14,
    "I.1.b": 5,
    "I.2.a": 7,
    "I.2.b": 6,
    "I.3.b": 14,
    "I.3.c": 10,
    "I.3.d": 14,
    "I.4.a": 2,
    "I.4.b": 1,
    "I.5.a": 5,
    "I.5.b": 4,
    "II.1.a": 4,
    "II.1.b": 2,
    "II.2.a": 0.3,
    "II.2.b": 0.7,
    "III.1": 1.5,
    "III.2": 0.5,
    "III.3": 1.5,
    "IV.1": 1.5,
    "IV.2": 0.5,
    "V.1": 0.3,
    "V.2": 0.3,
    "VI.1": 0.6,
}

# Product types per leaf: (code, type name, areas where it fits or None for anywhere).
# A product name is "<type> <place>", e.g. "Mật ong rừng Tây Yên Tử".
PRODUCT_TYPES: tuple[tuple[str, str, tuple[str, ...] | None], ...] = (
    ("I.1.a", "Vải thiều", LYCHEE),
    ("I.1.a", "Vải sớm", LYCHEE),
    ("I.1.a", "Na dai", UPLAND),
    ("I.1.a", "Cam", None),
    ("I.1.a", "Bưởi", None),
    ("I.1.a", "Ổi", None),
    ("I.1.a", "Nhãn", None),
    ("I.1.a", "Dưa lưới", None),
    ("I.1.a", "Rau an toàn", None),
    ("I.1.a", "Lạc đỏ", None),
    ("I.1.b", "Gà đồi", HILL_CHICKEN),
    ("I.1.b", "Thịt lợn đen", UPLAND),
    ("I.1.b", "Trứng gà sạch", None),
    ("I.1.b", "Cá trắm", None),
    ("I.1.b", "Vịt bầu", None),
    ("I.2.a", "Gạo nếp cái hoa vàng", None),
    ("I.2.a", "Gạo thơm", None),
    ("I.2.a", "Gạo nếp", None),
    ("I.2.a", "Gạo lứt", None),
    ("I.2.b", "Mật ong rừng", UPLAND),
    ("I.2.b", "Mật ong hoa vải", LYCHEE),
    ("I.2.b", "Mật ong", None),
    ("I.2.b", "Nấm sò khô", None),
    ("I.3.b", "Mỳ gạo", None),
    ("I.3.b", "Bún khô", None),
    ("I.3.b", "Bánh đa", None),
    ("I.3.b", "Bánh gai", None),
    ("I.3.b", "Bánh chưng", None),
    ("I.3.b", "Bánh dày", None),
    ("I.3.b", "Bánh cuốn", None),
    ("I.3.b", "Bánh tẻ", None),
    ("I.3.c", "Vải sấy khô", LYCHEE),
    ("I.3.c", "Long nhãn sấy", None),
    ("I.3.c", "Măng khô", UPLAND),
    ("I.3.c", "Mứt gừng", None),
    ("I.3.c", "Bột sắn dây", None),
    ("I.3.c", "Tinh bột nghệ", None),
    ("I.3.c", "Miến dong", None),
    ("I.3.c", "Chuối sấy dẻo", None),
    ("I.3.d", "Chả gà", HILL_CHICKEN),
    ("I.3.d", "Giò lụa", None),
    ("I.3.d", "Nem chua", None),
    ("I.3.d", "Chả lợn", None),
    ("I.3.d", "Lạp xưởng", None),
    ("I.3.d", "Ruốc lợn", None),
    ("I.3.d", "Nem nướng", None),
    ("I.3.d", "Giò bò", None),
    ("I.3.d", "Chả cá", None),
    ("I.4.a", "Tương nếp", None),
    ("I.4.a", "Giấm gạo", None),
    ("I.4.a", "Tương ớt", None),
    ("I.4.b", "Muối vừng", None),
    ("I.4.b", "Bột ớt", None),
    ("I.5.a", "Chè xanh", TEA),
    ("I.5.a", "Chè búp", TEA),
    ("I.5.b", "Trà hoa cúc", None),
    ("I.5.b", "Trà lá vối", None),
    ("I.5.b", "Trà túi lọc thảo mộc", None),
    ("I.5.b", "Trà xạ đen", None),
    ("II.1.a", "Rượu nếp", None),
    ("II.1.a", "Rượu men lá", None),
    ("II.1.a", "Rượu gạo", None),
    ("II.1.b", "Rượu vải thiều", LYCHEE),
    ("II.1.b", "Rượu ba kích", UPLAND),
    ("II.1.b", "Rượu mơ", None),
    ("II.2.a", "Nước tinh khiết", None),
    ("II.2.b", "Nước cốt gấc", None),
    ("II.2.b", "Nước vải ép", LYCHEE),
    ("III.1", "Đông trùng hạ thảo", None),
    ("III.1", "Viên tinh nghệ mật ong", None),
    ("III.2", "Xà phòng thảo dược", None),
    ("III.2", "Dầu gội thảo dược", None),
    ("III.3", "Tinh dầu sả chanh", None),
    ("III.3", "Tinh dầu quế", UPLAND),
    ("III.3", "Ba kích tím", UPLAND),
    ("III.3", "Nấm linh chi", None),
    ("IV.1", "Mây tre đan", None),
    ("IV.1", "Chổi chít", UPLAND),
    ("IV.1", "Đồ gỗ mỹ nghệ", None),
    ("IV.1", "Gốm", None),
    ("IV.1", "Hương thảo mộc", None),
    ("IV.2", "Thổ cẩm", UPLAND),
    ("IV.2", "Khăn thêu tay", None),
    ("V.1", "Hoa đào", None),
    ("V.1", "Hoa lan", None),
    ("V.2", "Cây cảnh", None),
    ("VI.1", "Điểm du lịch cộng đồng", None),
    ("VI.1", "Điểm du lịch sinh thái", None),
)

COOPERATIVE_KINDS = (
    "Nông nghiệp",
    "Dịch vụ nông nghiệp",
    "Nông nghiệp sạch",
    "Nông nghiệp hữu cơ",
    "Sản xuất và tiêu thụ nông sản",
    "Chế biến nông sản",
    "Nông lâm nghiệp",
    "Dịch vụ tổng hợp",
    "Sản xuất kinh doanh",
    "Nông nghiệp công nghệ cao",
)
BRANDS = (
    "Hưng Thịnh",
    "Phúc Lợi",
    "Thành Đạt",
    "Minh Phát",
    "An Phát",
    "Đức Thắng",
    "Thuận Phát",
    "Việt Hưng",
    "Trường Thịnh",
    "Hồng Phúc",
    "Tiến Đạt",
    "Quyết Tiến",
    "Thắng Lợi",
    "Đồng Tâm",
    "Hợp Lực",
    "Bình An",
    "Gia Phát",
    "Thịnh Vượng",
    "Ngọc Minh",
    "Phú Cường",
    "Lộc Phát",
    "Vượng Đạt",
    "Đại Phúc",
    "Nguyên Khang",
    "Hải Đăng",
    "Kim Ngân",
    "Tâm Đức",
    "Sơn Thủy",
)
ENTERPRISE_FIELDS = (
    "Thực phẩm",
    "Nông sản",
    "Thương mại và Dịch vụ",
    "Nông nghiệp",
    "Chế biến nông sản",
    "Đồ uống",
    "Dược liệu",
)
SURNAMES = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Vũ",
    "Đỗ",
    "Ngô",
    "Dương",
    "Thân",
    "Giáp",
    "Đào",
    "Lương",
    "Bùi",
    "Đặng",
)
MALE_MIDDLE = ("Văn", "Đức", "Hữu", "Minh", "Quang")
MALE_GIVEN = (
    "Hùng",
    "Dũng",
    "Cường",
    "Thắng",
    "Đạt",
    "Tuấn",
    "Lợi",
    "Quyết",
    "Trường",
    "Sơn",
    "Hải",
    "Nam",
    "Phượng",
    "Thường",
)
FEMALE_GIVEN = ("Lan", "Hương", "Thủy", "Hằng", "Phượng", "Tuyết", "Nga", "Hà", "Huyền", "Thoa", "Ngọc", "Dung")
GROUP_ACTIVITIES = ("sản xuất", "liên kết sản xuất", "làng nghề")


@dataclass(frozen=True)
class Anchor:
    """A real flagship product placed in the synthetic plan (its stream and star are illustrative)."""

    product_name: str
    unit_id: str
    product_code: str
    stream: str
    current_star: int | None
    target_star: int
    organisation_name: str | None = None  # real producer where the sources name it
    organisation_type: str = "cooperative"
    group: str = ""  # anchors with the same group share one (synthetic) organisation


@dataclass(frozen=True)
class SyntheticSpec:
    """How to generate one plan folder; counts come from the folder's plan.yaml."""

    plan_dir: str  # relative to the repository root
    id_prefix: str
    seed: int
    organisations_total: int
    organisation_type_shares: tuple[tuple[str, float], ...]
    unit_weights: tuple[tuple[str, float], ...] = ()  # default weight 1.0
    round1_share: float = 0.42
    new_four_star_share: float = 0.15
    reevaluation_four_star_share: float = 0.15
    upgrades_to_five: int = 1
    expired_share: float = 0.07  # re-evaluations whose certificate ran out early in the year
    trademark_share: float = 0.35
    packaging_item_probabilities: tuple[float, float, float] = (0.65, 0.28, 0.07)
    anchors: tuple[Anchor, ...] = field(default_factory=tuple)
    place_in_organisation_names: bool = False  # fictional fixtures: every name shows its place


BG = "bg-tp-bac-giang"
BAC_GIANG_ANCHORS: tuple[Anchor, ...] = (
    # ocop-domain.md §4, flagship products by district [S26][S45][S47][S52]-[S59]
    Anchor("Dưa kim Hoàng Hậu", BG, "I.1.a", "reevaluation", 4, 4),
    Anchor("Mỳ gạo Cảnh Thụy", BG, "I.3.b", "reevaluation", 3, 3),
    Anchor("Bún Đa Mai", BG, "I.3.b", "reevaluation", 3, 3),
    Anchor("Mỹ tửu Đa Mai", BG, "II.1.a", "reevaluation", 3, 3),
    Anchor("Bánh phu thê Đa Mai", BG, "I.3.b", "reevaluation", 3, 3),
    Anchor("Bánh cốm Đa Mai", BG, "I.3.b", "upgrade", 3, 4),
    Anchor("Mỳ gạo Lục Ngạn", "bg-tx-chu", "I.3.b", "reevaluation", 4, 4, "HTX Hằng Hiếu"),
    Anchor("Mỳ Chũ Xuân Trường", "bg-tx-chu", "I.3.b", "reevaluation", 4, 4),
    Anchor("Vải thiều nước đường Vifoco", "bg-h-luc-ngan", "I.3.c", "upgrade", 4, 5, "Công ty Vifoco", "enterprise"),
    Anchor("Long nhãn nước đường Vifoco", "bg-h-luc-ngan", "I.3.c", "upgrade", 4, 5, "Công ty Vifoco", "enterprise"),
    Anchor("Chả gà đồi Yên Thế", "bg-h-yen-the", "I.3.d", "reevaluation", 4, 4, "HTX Nông nghiệp Xanh"),
    Anchor("Giò gà đồi Yên Thế", "bg-h-yen-the", "I.3.d", "reevaluation", 4, 4, "HTX Nông nghiệp Xanh"),
    Anchor("Điểm du lịch sinh thái Bản Ven", "bg-h-yen-the", "VI.1", "reevaluation", 3, 3, "HTX Thân Trường"),
    Anchor("Vải sớm Phúc Hòa", "bg-h-tan-yen", "I.1.a", "reevaluation", 4, 4),
    Anchor("Vú sữa Hợp Đức", "bg-h-tan-yen", "I.1.a", "reevaluation", 4, 4),
    Anchor("Nem nướng Liên Chung", "bg-h-tan-yen", "I.3.d", "reevaluation", 4, 4),
    Anchor("Măng lục trúc Ngọc Châu", "bg-h-tan-yen", "I.1.a", "reevaluation", 4, 4),
    Anchor("Sâm nam núi Dành", "bg-h-tan-yen", "III.3", "reevaluation", 4, 4),
    Anchor("Ổi Tân Yên", "bg-h-tan-yen", "I.1.a", "reevaluation", 4, 4),
    Anchor("Giò heo thảo dược Bình Minh", "bg-h-hiep-hoa", "I.3.d", "reevaluation", 4, 4, group="binh-minh"),
    Anchor("Chả heo thảo dược Bình Minh", "bg-h-hiep-hoa", "I.3.d", "reevaluation", 4, 4, group="binh-minh"),
    Anchor("Xúc xích heo thảo dược Bình Minh", "bg-h-hiep-hoa", "I.3.d", "reevaluation", 4, 4, group="binh-minh"),
    Anchor("Đông trùng hạ thảo Trường Thọ", "bg-h-luc-nam", "III.1", "reevaluation", 4, 4),
    Anchor("Na dai Nghĩa Phương", "bg-h-luc-nam", "I.1.a", "upgrade", 3, 4),
    Anchor("Đông trùng hạ thảo Adenco", "bg-h-lang-giang", "III.1", "upgrade", 3, 4),
    Anchor("Rượu men lá Thủy Thượng", "bg-h-lang-giang", "II.1.a", "upgrade", 3, 4),
    Anchor("Bưởi Quang Thịnh", "bg-h-lang-giang", "I.1.a", "upgrade", 3, 4),
    Anchor("Giò lụa Thao Thanh", "bg-h-lang-giang", "I.3.d", "reevaluation", 3, 3),
    Anchor("Mật ong rừng Sơn Động", "bg-h-son-dong", "I.2.b", "upgrade", 3, 4, "HTX Ong mật hữu cơ"),
    Anchor("Hương nến Bồng Am", "bg-h-son-dong", "IV.1", "reevaluation", 3, 3),
)

HTX_HEAVY = (("cooperative", 0.80), ("enterprise", 0.08), ("household", 0.09), ("cooperative_group", 0.03))

SPECS: dict[str, SyntheticSpec] = {
    "data/bac-giang/2025": SyntheticSpec(
        plan_dir="data/bac-giang/2025",
        id_prefix="BG25",
        seed=20250215,
        organisations_total=240,
        organisation_type_shares=HTX_HEAVY,
        # Nov 2023: Lục Ngạn (with Chũ) had the most products, Sơn Động the fewest [S47]
        unit_weights=(
            ("bg-tp-bac-giang", 30),
            ("bg-tx-viet-yen", 26),
            ("bg-tx-chu", 20),
            ("bg-h-luc-ngan", 22),
            ("bg-h-hiep-hoa", 32),
            ("bg-h-lang-giang", 30),
            ("bg-h-luc-nam", 34),
            ("bg-h-son-dong", 12),
            ("bg-h-tan-yen", 38),
            ("bg-h-yen-the", 30),
        ),
        reevaluation_four_star_share=0.03,  # the 4★ re-evaluations are mostly the anchors
        upgrades_to_five=0,  # the two 4→5★ upgrades are the Vifoco anchors
        anchors=BAC_GIANG_ANCHORS,
    ),
    "data/bac-ninh/2026": SyntheticSpec(
        plan_dir="data/bac-ninh/2026",
        id_prefix="BN26",
        seed=20260115,
        organisations_total=300,
        organisation_type_shares=(
            ("cooperative", 0.66),
            ("enterprise", 0.15),
            ("household", 0.15),
            ("cooperative_group", 0.04),
        ),
        new_four_star_share=0.12,
        reevaluation_four_star_share=0.2,
        upgrades_to_five=2,
        trademark_share=0.25,
        packaging_item_probabilities=(0.7, 0.25, 0.05),
    ),
    "tests/fixtures/plans/demo/2027": SyntheticSpec(
        plan_dir="tests/fixtures/plans/demo/2027",
        id_prefix="DM27",
        seed=2027,
        organisations_total=8,
        organisation_type_shares=HTX_HEAVY,
        new_four_star_share=0.25,
        reevaluation_four_star_share=0.34,
        upgrades_to_five=0,
        expired_share=0.0,
        trademark_share=0.5,
        place_in_organisation_names=True,
    ),
}


# ----------------------------------------------------------------------------- reading


def nfc(text: str) -> str:
    """Unicode NFC form (the only form written to the data files)."""
    return unicodedata.normalize("NFC", text)


def read_plan_yaml(plan_dir: Path) -> dict:
    """The parsed plan.yaml of a plan folder."""
    with (plan_dir / "plan.yaml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def read_reference(name: str, plan_dir: Path, root: Path = ROOT) -> pd.DataFrame:
    """A reference table as strings; ``<plan>/<name>`` overrides ``data/reference/<name>``."""
    path = plan_dir / name if (plan_dir / name).exists() else root / "data" / "reference" / name
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def units_in_force(units: pd.DataFrame, province_id: str, as_of: dt.date) -> pd.DataFrame:
    """Units of one province valid on a date (empty ``valid_to`` = still valid)."""
    day = as_of.isoformat()
    mask = (
        (units["province_id"] == province_id)
        & (units["valid_from"] <= day)
        & ((units["valid_to"] == "") | (units["valid_to"] >= day))
    )
    return units.loc[mask].reset_index(drop=True)


def unit_ancestors(unit_id: str, changes: pd.DataFrame) -> set[str]:
    """The unit and every unit it was formed from, following unit_changes backwards."""
    seen = {unit_id}
    frontier = [unit_id]
    while frontier:
        parents = changes.loc[changes["to_unit_id"].isin(frontier), "from_unit_id"]
        frontier = [p for p in parents if p not in seen]
        seen.update(frontier)
    return seen


def unit_places(unit_id: str, unit_name: str, units: pd.DataFrame, changes: pd.DataFrame) -> list[str]:
    """Place names to compose product names: the unit itself plus the communes it turned into."""
    names = [unit_name]
    successors = changes.loc[changes["from_unit_id"] == unit_id, "to_unit_id"]
    lookup = dict(zip(units["unit_id"], units["unit_name"], strict=False))
    names += [lookup[s] for s in successors if s in lookup and lookup[s] not in names]
    return names


# ----------------------------------------------------------------------------- generation


class Namer:
    """Draws unique Vietnamese names from small vocabularies with a shared random generator."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def pick(self, options: Sequence[str]) -> str:
        """One option, uniformly."""
        return options[int(self.rng.integers(len(options)))]

    def unique(self, draw, fallback_suffixes: Sequence[str] = ("2", "3", "4", "5")) -> str:
        """Call ``draw()`` until it yields an unused name (then add a numeric suffix)."""
        for _ in range(60):
            name = nfc(draw())
            if name not in self.used:
                self.used.add(name)
                return name
        base = nfc(draw())
        for suffix in fallback_suffixes:
            name = f"{base} {suffix}"
            if name not in self.used:
                self.used.add(name)
                return name
        raise RuntimeError(f"could not find a unique name near {base!r}")

    def person(self) -> str:
        """A plausible Vietnamese personal name."""
        if self.rng.random() < 0.35:
            return f"{self.pick(SURNAMES)} Thị {self.pick(FEMALE_GIVEN)}"
        return f"{self.pick(SURNAMES)} {self.pick(MALE_MIDDLE)} {self.pick(MALE_GIVEN)}"


def allocate(total: int, weights: Sequence[float]) -> list[int]:
    """Split an integer total by weights with the largest-remainder rule (sums exactly)."""
    shares = np.asarray(weights, dtype=float)
    raw = shares / shares.sum() * total
    counts = np.floor(raw).astype(int)
    order = np.argsort(-(raw - counts), kind="stable")
    for index in order[: total - counts.sum()]:
        counts[index] += 1
    return counts.tolist()


def random_date(rng: np.random.Generator, start: dt.date, end: dt.date) -> dt.date:
    """A uniform date in [start, end] on a day of month <= 28 (so +3 years never fails)."""
    span = (end - start).days
    day = start + dt.timedelta(days=int(rng.integers(span + 1)))
    return day.replace(day=min(day.day, 28))


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later (days are <= 28)."""
    return day.replace(year=day.year + years)


def eligible_types(areas: set[str]) -> dict[str, list[str]]:
    """Product types per code that fit a unit with these areas."""
    table: dict[str, list[str]] = {}
    for code, name, where in PRODUCT_TYPES:
        if where is None or areas.intersection(where):
            table.setdefault(code, []).append(name)
    return table


def synthetic_product_name(namer: Namer, types: dict[str, list[str]], places: list[str]) -> tuple[str, str]:
    """A unique ``(name, code)`` for a product of a unit: "<type> <place>"."""
    codes = [c for c in CODE_WEIGHTS if c in types]
    weights = np.array([CODE_WEIGHTS[c] for c in codes])
    last_code: list[str] = []

    def draw() -> str:
        code = codes[int(namer.rng.choice(len(codes), p=weights / weights.sum()))]
        last_code.append(code)
        return f"{namer.pick(types[code])} {namer.pick(places)}"

    name = namer.unique(draw)  # the name comes from the last draw (perhaps with a suffix)
    return name, last_code[-1]


def organisation_name(namer: Namer, kind: str, places: list[str], product_type: str, place_always: bool = False) -> str:
    """A unique organisation name matching its type (HTX, company, household, group)."""
    product_words = f"{product_type[0].lower()}{product_type[1:]}"

    def draw() -> str:
        place = namer.pick(places)
        if place_always and kind == "cooperative":
            return f"HTX {namer.pick(COOPERATIVE_KINDS)} {place}"
        if place_always and kind == "enterprise":
            return f"Công ty TNHH {namer.pick(ENTERPRISE_FIELDS)} {place}"
        if place_always and kind == "household":
            return f"Hộ kinh doanh {product_words} {place}"
        if kind == "cooperative":
            pattern = namer.rng.random()
            if pattern < 0.45:
                return f"HTX {namer.pick(COOPERATIVE_KINDS)} {place}"
            if pattern < 0.75:
                return f"HTX {namer.pick(BRANDS)}"
            return f"HTX {namer.pick(COOPERATIVE_KINDS)} {namer.pick(BRANDS)}"
        if kind == "enterprise":
            form = "Công ty TNHH" if namer.rng.random() < 0.7 else "Công ty cổ phần"
            return f"{form} {namer.pick(ENTERPRISE_FIELDS)} {namer.pick(BRANDS)}"
        if kind == "household":
            form = "Hộ kinh doanh" if namer.rng.random() < 0.6 else "Cơ sở sản xuất"
            return f"{form} {namer.person()}"
        activity = namer.pick(GROUP_ACTIVITIES)
        return f"Tổ hợp tác {activity} {product_words} {place}"

    return namer.unique(draw)


def product_type_of(name: str, places: list[str]) -> str:
    """The type part of a composed product name (the name without its trailing place)."""
    for place in sorted(places, key=len, reverse=True):
        if name.endswith(" " + place):
            return name[: -len(place) - 1]
    return name


def generate(spec: SyntheticSpec, root: Path = ROOT) -> dict[str, pd.DataFrame]:
    """Products, organisations and requests for one plan folder, as string/int frames."""
    plan_dir = root / spec.plan_dir
    plan = read_plan_yaml(plan_dir)
    targets = plan["targets"]
    year = int(plan["year"])
    as_of = plan["units_as_of"]
    as_of = as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of))
    rounds = sorted({int(r["round"]) for r in plan["rounds"]})
    first_round_end = max(
        dt.date.fromisoformat(str(r["deadline"])) for r in plan["rounds"] if int(r["round"]) == rounds[0]
    )

    all_units = read_reference("units.csv", plan_dir, root)
    changes = read_reference("unit_changes.csv", plan_dir, root)
    units = units_in_force(all_units, plan["province_id"], as_of)
    if units.empty:
        raise ValueError(f"no units for {plan['province_id']} on {as_of}")
    unit_ids = units["unit_id"].tolist()
    weight_of = dict(spec.unit_weights)
    unit_weights = np.array([weight_of.get(u, 1.0) for u in unit_ids], dtype=float)
    places = {
        unit_id: unit_places(unit_id, unit_name, all_units, changes)
        for unit_id, unit_name in zip(units["unit_id"], units["unit_name"], strict=False)
    }
    types = {u: eligible_types(unit_ancestors(u, changes)) for u in unit_ids}

    rng = np.random.default_rng(spec.seed)
    namer = Namer(rng)
    products: list[dict] = []

    # 1. anchors (real flagship products), then synthetic products per stream
    for anchor in spec.anchors:
        if anchor.unit_id not in unit_ids:
            raise ValueError(f"anchor unit {anchor.unit_id} not in force on {as_of}")
        namer.used.add(nfc(anchor.product_name))
        products.append(
            {
                "product_name": nfc(anchor.product_name),
                "unit_id": anchor.unit_id,
                "product_code": anchor.product_code,
                "stream": anchor.stream,
                "current_star": anchor.current_star,
                "target_star": anchor.target_star,
                "anchor": anchor,
            }
        )
    anchored = {s: sum(a.stream == s for a in spec.anchors) for s in STREAMS}
    fives_left = spec.upgrades_to_five
    for stream in STREAMS:
        for _ in range(int(targets[stream]) - anchored[stream]):
            unit = unit_ids[int(rng.choice(len(unit_ids), p=unit_weights / unit_weights.sum()))]
            name, code = synthetic_product_name(namer, types[unit], places[unit])
            if stream == "new":
                current, target = None, 4 if rng.random() < spec.new_four_star_share else 3
            elif stream == "reevaluation":
                current = 4 if rng.random() < spec.reevaluation_four_star_share else 3
                target = current
            elif fives_left > 0:
                current, target = 4, 5
                fives_left -= 1
            else:
                current, target = 3, 4
            products.append(
                {
                    "product_name": name,
                    "unit_id": unit,
                    "product_code": code,
                    "stream": stream,
                    "current_star": current,
                    "target_star": target,
                    "anchor": None,
                }
            )

    # 2. certificate dates and rounds
    for product in products:
        if product["stream"] == "reevaluation":
            if rng.random() < spec.expired_share:
                issued = random_date(rng, dt.date(year - 3, 1, 1), dt.date(year - 3, 2, 28))
            else:
                issued = random_date(rng, dt.date(year - 3, 3, 1), dt.date(year - 3, 12, 20))
            product["certificate_date"] = issued
            expires = add_years(issued, 3)
            # evaluate before the certificate runs out: round 1 if it expires by then
            product["planned_round"] = rounds[0] if expires <= first_round_end else rounds[-1]
        else:
            if product["stream"] == "upgrade":
                product["certificate_date"] = random_date(rng, dt.date(year - 3, 7, 1), dt.date(year - 1, 10, 31))
            else:
                product["certificate_date"] = None
            product["planned_round"] = rounds[0] if rng.random() < spec.round1_share else rounds[-1]

    # 3. organisations: per unit, as many as the largest-remainder share of the total
    order = {u: i for i, u in enumerate(unit_ids)}
    stream_order = {s: i for i, s in enumerate(STREAMS)}
    products.sort(key=lambda p: (order[p["unit_id"]], stream_order[p["stream"]], p["product_name"]))
    for position, product in enumerate(products):
        product["position"] = position
    per_unit = [sum(p["unit_id"] == u for p in products) for u in unit_ids]
    org_counts = allocate(spec.organisations_total, per_unit)
    type_names = [t for t, _ in spec.organisation_type_shares]
    type_p = np.array([s for _, s in spec.organisation_type_shares], dtype=float)
    organisations: list[dict] = []
    for unit, n_orgs in zip(unit_ids, org_counts, strict=False):
        unit_products = [p for p in products if p["unit_id"] == unit]
        if not unit_products:
            continue
        orgs_here: dict[str, dict] = {}
        free: list[dict] = []
        for product in unit_products:
            anchor: Anchor | None = product["anchor"]
            if anchor is not None and (anchor.organisation_name or anchor.group):
                key = anchor.organisation_name or anchor.group
                if key not in orgs_here:
                    name = nfc(anchor.organisation_name) if anchor.organisation_name else None
                    if name:
                        namer.used.add(name)
                    orgs_here[key] = {"name": name, "type": anchor.organisation_type, "unit_id": unit, "products": []}
                orgs_here[key]["products"].append(product)
            else:
                free.append(product)
        n_synthetic = max(min(n_orgs - len(orgs_here), len(free)), 1 if free else 0)
        synthetic = [{"name": None, "type": None, "unit_id": unit, "products": []} for _ in range(n_synthetic)]
        shuffled = [free[i] for i in rng.permutation(len(free))]
        for index, product in enumerate(shuffled):
            owner = synthetic[index] if index < n_synthetic else synthetic[int(rng.integers(n_synthetic))]
            owner["products"].append(product)
        for org in synthetic:
            org["type"] = type_names[int(rng.choice(len(type_names), p=type_p / type_p.sum()))]
        for org in list(orgs_here.values()) + synthetic:
            if org["name"] is None:
                main = org["products"][0]
                org["name"] = organisation_name(
                    namer,
                    org["type"],
                    places[unit],
                    product_type_of(main["product_name"], places[unit]),
                    spec.place_in_organisation_names,
                )
            organisations.append(org)

    # 4. identifiers in file order
    organisations.sort(key=lambda o: (order[o["unit_id"]], min(p["position"] for p in o["products"])))
    for number, org in enumerate(organisations, start=1):
        org["organisation_id"] = f"{spec.id_prefix}-O{number:04d}"
        for product in org["products"]:
            product["organisation_id"] = org["organisation_id"]
    for number, product in enumerate(products, start=1):
        product["product_id"] = f"{spec.id_prefix}-{number:04d}"

    # 5. organisations asking for branding support, and their requests
    n_branding = int(targets["organisations_branding"])
    if n_branding > len(organisations):
        raise ValueError("more branding organisations than organisations")
    has_new = np.array([any(p["stream"] == "new" for p in o["products"]) for o in organisations])
    pick_p = np.where(has_new, 1.5, 1.0)
    chosen = set(rng.choice(len(organisations), size=n_branding, replace=False, p=pick_p / pick_p.sum()).tolist())
    requests: list[dict] = []
    for index, org in enumerate(organisations):
        org["requests_branding"] = index in chosen
        if not org["requests_branding"]:
            continue
        if rng.random() < spec.trademark_share:
            requests.append(
                {
                    "organisation_id": org["organisation_id"],
                    "item": "trademark",
                    "product_id": "",
                    "cost_vnd": cost(rng, 20, 45),
                }
            )
        wanted = 1 + int(rng.choice(3, p=spec.packaging_item_probabilities))
        own = org["products"]
        for position in sorted(rng.choice(len(own), size=min(wanted, len(own)), replace=False)):
            product = own[int(position)]
            low, high = {3: (40, 120), 4: (80, 200), 5: (150, 260)}[product["target_star"]]
            requests.append(
                {
                    "organisation_id": org["organisation_id"],
                    "item": "packaging",
                    "product_id": product["product_id"],
                    "cost_vnd": cost(rng, low, high),
                }
            )
    for number, request in enumerate(requests, start=1):
        request["request_id"] = f"{spec.id_prefix}-R{number:04d}"

    return {
        "products.csv": products_frame(products),
        "organisations.csv": pd.DataFrame(
            [
                {
                    "organisation_id": o["organisation_id"],
                    "organisation_name": o["name"],
                    "unit_id": o["unit_id"],
                    "organisation_type": o["type"],
                    "requests_branding": "true" if o["requests_branding"] else "false",
                }
                for o in organisations
            ],
            columns=ORGANISATION_COLUMNS,
        ),
        "requests.csv": pd.DataFrame(requests, columns=REQUEST_COLUMNS),
    }


def cost(rng: np.random.Generator, low_million: int, high_million: int) -> int:
    """A cost in đồng, uniform between two amounts in million đồng, rounded to 1,000 đồng."""
    thousands = int(rng.integers(low_million * 1000, high_million * 1000 + 1))
    return thousands * 1000


def products_frame(products: list[dict]) -> pd.DataFrame:
    """products.csv rows with empty strings for the optional columns of new products."""
    rows = []
    for p in products:
        rows.append(
            {
                "product_id": p["product_id"],
                "product_name": p["product_name"],
                "organisation_id": p["organisation_id"],
                "unit_id": p["unit_id"],
                "product_code": p["product_code"],
                "stream": p["stream"],
                "current_star": "" if p["current_star"] is None else str(p["current_star"]),
                "target_star": str(p["target_star"]),
                "certificate_date": "" if p["certificate_date"] is None else p["certificate_date"].isoformat(),
                "planned_round": str(p["planned_round"]),
            }
        )
    return pd.DataFrame(rows, columns=PRODUCT_COLUMNS)


# ----------------------------------------------------------------------------- writing


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV as UTF-8 bytes without BOM, comma separated, LF line endings, NFC text."""
    text = frame.to_csv(index=False, lineterminator="\n")
    return nfc(text).encode("utf-8")


def write_tables(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Write each table to ``out_dir``; returns the written paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tables.items():
        path = out_dir / name
        path.write_bytes(to_csv_bytes(frame))
        written.append(path)
    return written


def spec_for(plan_dir: str) -> SyntheticSpec:
    """The spec registered for a plan folder (path relative to the repository root)."""
    path = Path(plan_dir)
    path = path if path.is_absolute() else Path.cwd() / path
    try:
        key = path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        raise SystemExit(f"{plan_dir!r} is not inside {ROOT}") from None
    if key not in SPECS:
        raise SystemExit(f"no spec for {plan_dir!r}; known: {', '.join(SPECS)}")
    return SPECS[key]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: regenerate one or every registered plan folder."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("plans", nargs="*", help="plan folders (default: all registered)")
    parser.add_argument("--out", type=Path, help="write here instead of into the plan folder")
    args = parser.parse_args(argv)
    specs = [spec_for(p) for p in args.plans] if args.plans else list(SPECS.values())
    if args.out and len(specs) > 1:
        parser.error("--out needs exactly one plan folder")
    for spec in specs:
        out_dir = args.out or ROOT / spec.plan_dir
        for path in write_tables(generate(spec), out_dir):
            print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

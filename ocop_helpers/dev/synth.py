"""Seeded generator of synthetic plan detail, and of whole synthetic plans of any size.

Two uses share one generator (:func:`generate`):

- the shipped plan folders: ``scripts/make_synthetic.py`` holds their specs (seeds, unit weights,
  real flagship products) and regenerates their ``products.csv``, ``organisations.csv`` and
  ``requests.csv`` byte for byte;
- scale tests: :func:`write_synthetic_plan` (``python -m ocop_helpers synth``) writes a complete
  plan folder of a given size, modelled on an existing plan folder (its province, units, rounds,
  norms and shares), and says in ``plan.yaml``, in every source and in ``README.txt`` that it is
  synthetic.

Everything is deterministic: the same spec and seed give the same bytes on every run.
"""

from __future__ import annotations

import datetime as dt
import shutil
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ocop_helpers.core import paths
from ocop_helpers.domain import stock
from ocop_helpers.inputs.plan import STREAMS
from ocop_helpers.inputs.schema import SCHEMAS

OUTPUT_FILES = ("products.csv", "organisations.csv", "requests.csv")

# The columns of the written tables are the input schema's, in its order.
PRODUCT_COLUMNS = [c.name for c in SCHEMAS["products"]]
ORGANISATION_COLUMNS = [c.name for c in SCHEMAS["organisations"]]
REQUEST_COLUMNS = [c.name for c in SCHEMAS["requests"]]

# Relative weight of each leaf of the QĐ 148 tree in a provincial batch: mostly food, a few
# beverages, herbs and crafts, rare ornamentals and tourism (ocop-domain.md §4).
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

# Product types per leaf: (code, type name, region key or None for anywhere). A product name is
# "<type> <place>". A spec's ``regions`` maps a region key to the units where that type fits (a
# unit fits when it or a unit it was formed from is listed); a key the spec does not map fits anywhere.
PRODUCT_TYPES: tuple[tuple[str, str, str | None], ...] = (
    ("I.1.a", "Vải thiều", "lychee"),
    ("I.1.a", "Vải sớm", "lychee"),
    ("I.1.a", "Na dai", "upland"),
    ("I.1.a", "Cam", None),
    ("I.1.a", "Bưởi", None),
    ("I.1.a", "Ổi", None),
    ("I.1.a", "Nhãn", None),
    ("I.1.a", "Dưa lưới", None),
    ("I.1.a", "Rau an toàn", None),
    ("I.1.a", "Lạc đỏ", None),
    ("I.1.b", "Gà đồi", "hill_chicken"),
    ("I.1.b", "Thịt lợn đen", "upland"),
    ("I.1.b", "Trứng gà sạch", None),
    ("I.1.b", "Cá trắm", None),
    ("I.1.b", "Vịt bầu", None),
    ("I.2.a", "Gạo nếp cái hoa vàng", None),
    ("I.2.a", "Gạo thơm", None),
    ("I.2.a", "Gạo nếp", None),
    ("I.2.a", "Gạo lứt", None),
    ("I.2.b", "Mật ong rừng", "upland"),
    ("I.2.b", "Mật ong hoa vải", "lychee"),
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
    ("I.3.c", "Vải sấy khô", "lychee"),
    ("I.3.c", "Long nhãn sấy", None),
    ("I.3.c", "Măng khô", "upland"),
    ("I.3.c", "Mứt gừng", None),
    ("I.3.c", "Bột sắn dây", None),
    ("I.3.c", "Tinh bột nghệ", None),
    ("I.3.c", "Miến dong", None),
    ("I.3.c", "Chuối sấy dẻo", None),
    ("I.3.d", "Chả gà", "hill_chicken"),
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
    ("I.5.a", "Chè xanh", "tea"),
    ("I.5.a", "Chè búp", "tea"),
    ("I.5.b", "Trà hoa cúc", None),
    ("I.5.b", "Trà lá vối", None),
    ("I.5.b", "Trà túi lọc thảo mộc", None),
    ("I.5.b", "Trà xạ đen", None),
    ("II.1.a", "Rượu nếp", None),
    ("II.1.a", "Rượu men lá", None),
    ("II.1.a", "Rượu gạo", None),
    ("II.1.b", "Rượu vải thiều", "lychee"),
    ("II.1.b", "Rượu ba kích", "upland"),
    ("II.1.b", "Rượu mơ", None),
    ("II.2.a", "Nước tinh khiết", None),
    ("II.2.b", "Nước cốt gấc", None),
    ("II.2.b", "Nước vải ép", "lychee"),
    ("III.1", "Đông trùng hạ thảo", None),
    ("III.1", "Viên tinh nghệ mật ong", None),
    ("III.2", "Xà phòng thảo dược", None),
    ("III.2", "Dầu gội thảo dược", None),
    ("III.3", "Tinh dầu sả chanh", None),
    ("III.3", "Tinh dầu quế", "upland"),
    ("III.3", "Ba kích tím", "upland"),
    ("III.3", "Nấm linh chi", None),
    ("IV.1", "Mây tre đan", None),
    ("IV.1", "Chổi chít", "upland"),
    ("IV.1", "Đồ gỗ mỹ nghệ", None),
    ("IV.1", "Gốm", None),
    ("IV.1", "Hương thảo mộc", None),
    ("IV.2", "Thổ cẩm", "upland"),
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
    """A real flagship product placed in a plan (its stream and star are illustrative)."""

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
    """How to generate the detail of one plan folder; counts come from the folder's plan.yaml."""

    plan_dir: str  # where the spec belongs (relative to the repository root, or a label)
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
    regions: tuple[tuple[str, tuple[str, ...]], ...] = ()  # region key -> unit ids (see PRODUCT_TYPES)
    numbered_names: bool = False  # large plans: a name already used gets the next free number


# ----------------------------------------------------------------------------- reading


def nfc(text: str) -> str:
    """Unicode NFC form (the only form written to the data files)."""
    return unicodedata.normalize("NFC", text)


def read_plan_yaml(plan_dir: Path) -> dict:
    """The parsed plan.yaml of a plan folder."""
    with (plan_dir / "plan.yaml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def read_reference(name: str, plan_dir: Path, reference_dir: Path = paths.REFERENCE_DIR) -> pd.DataFrame:
    """A reference table as strings; ``<plan>/<name>`` overrides ``<reference_dir>/<name>``."""
    path = plan_dir / name if (plan_dir / name).exists() else reference_dir / name
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
    """Draws unique Vietnamese names from small vocabularies with a shared random generator.

    ``numbered``: a drawn name already in use gets the next free number (" 2", " 3", …) at once,
    so plans far larger than the vocabulary keep unique names in linear time.
    """

    def __init__(self, rng: np.random.Generator, numbered: bool = False) -> None:
        self.rng = rng
        self.used: set[str] = set()
        self.numbered = numbered
        self._next: dict[str, int] = {}

    def pick(self, options: Sequence[str]) -> str:
        """One option, uniformly."""
        return options[int(self.rng.integers(len(options)))]

    def unique(self, draw: Callable[[], str], fallback_suffixes: Sequence[str] = ("2", "3", "4", "5")) -> str:
        """Call ``draw()`` until it yields an unused name (then add a numeric suffix)."""
        if self.numbered:
            base = nfc(draw())
            if base not in self.used:
                self.used.add(base)
                return base
            number = self._next.get(base, 2)
            while f"{base} {number}" in self.used:
                number += 1
            self._next[base] = number + 1
            name = f"{base} {number}"
            self.used.add(name)
            return name
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
    """A uniform date in [start, end] on a day of month <= 28 (so adding months never fails)."""
    span = (end - start).days
    day = start + dt.timedelta(days=int(rng.integers(span + 1)))
    return day.replace(day=min(day.day, 28))


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day of the month ``months`` later (or earlier, when negative; days are <= 28)."""
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1)


def certificate_validity(plan_dir: Path, year: int, reference_dir: Path = paths.REFERENCE_DIR) -> int:
    """Months a certificate is valid on 1 January of ``year`` (certificate_rules.csv, as the plan reads it)."""
    rules = read_reference("certificate_rules.csv", plan_dir, reference_dir)
    return stock.certificate_terms(rules, dt.date(year, 1, 1))["validity_months"]


def eligible_types(areas: set[str], regions: Mapping[str, tuple[str, ...]]) -> dict[str, list[str]]:
    """Product types per code that fit a unit with these areas (``regions``: see ``PRODUCT_TYPES``)."""
    table: dict[str, list[str]] = {}
    for code, name, region in PRODUCT_TYPES:
        where = regions.get(region) if region is not None else None
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


def generate(
    spec: SyntheticSpec,
    plan_dir: Path,
    plan: dict | None = None,
    reference_dir: Path = paths.REFERENCE_DIR,
) -> dict[str, pd.DataFrame]:
    """Products, organisations and requests for one plan folder, as string/int frames.

    ``plan`` is the folder's parsed plan.yaml (read from ``plan_dir`` when not given); its targets
    fix the counts. Unit tables come from ``plan_dir`` when it carries them, else ``reference_dir``.
    """
    plan = read_plan_yaml(plan_dir) if plan is None else plan
    targets = plan["targets"]
    year = int(plan["year"])
    as_of = plan["units_as_of"]
    as_of = as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of))
    validity = certificate_validity(plan_dir, year, reference_dir)
    rounds = sorted({int(r["round"]) for r in plan["rounds"]})
    first_round_end = max(
        dt.date.fromisoformat(str(r["deadline"])) for r in plan["rounds"] if int(r["round"]) == rounds[0]
    )

    all_units = read_reference("units.csv", plan_dir, reference_dir)
    changes = read_reference("unit_changes.csv", plan_dir, reference_dir)
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
    regions = dict(spec.regions)
    types = {u: eligible_types(unit_ancestors(u, changes), regions) for u in unit_ids}

    rng = np.random.default_rng(spec.seed)
    namer = Namer(rng, numbered=spec.numbered_names)
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

    # 2. certificate dates and rounds: re-evaluated certificates expire in the plan year
    for product in products:
        if product["stream"] == "reevaluation":
            if rng.random() < spec.expired_share:
                expires = random_date(rng, dt.date(year, 1, 1), dt.date(year, 2, 28))
            else:
                expires = random_date(rng, dt.date(year, 3, 1), dt.date(year, 12, 20))
            product["certificate_date"] = add_months(expires, -validity)
            # evaluate before the certificate runs out: round 1 if it expires by then
            product["planned_round"] = rounds[0] if expires <= first_round_end else rounds[-1]
        else:
            if product["stream"] == "upgrade":
                first = add_months(dt.date(year, 7, 1), -validity)
                product["certificate_date"] = random_date(rng, first, dt.date(year - 1, 10, 31))
            else:
                product["certificate_date"] = None
            product["planned_round"] = rounds[0] if rng.random() < spec.round1_share else rounds[-1]

    # 3. organisations: per unit, as many as the largest-remainder share of the total
    order = {u: i for i, u in enumerate(unit_ids)}
    stream_order = {s: i for i, s in enumerate(STREAMS)}
    products.sort(key=lambda p: (order[p["unit_id"]], stream_order[p["stream"]], p["product_name"]))
    by_unit: dict[str, list[dict]] = {u: [] for u in unit_ids}
    for position, product in enumerate(products):
        product["position"] = position
        by_unit[product["unit_id"]].append(product)
    per_unit = [len(by_unit[u]) for u in unit_ids]
    org_counts = allocate(spec.organisations_total, per_unit)
    type_names = [t for t, _ in spec.organisation_type_shares]
    type_p = np.array([s for _, s in spec.organisation_type_shares], dtype=float)
    organisations: list[dict] = []
    for unit, n_orgs in zip(unit_ids, org_counts, strict=False):
        unit_products = by_unit[unit]
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


# ----------------------------------------------------------------------------- synthetic plans of any size

SYNTHETIC_PREFIX = "SYN"
SYNTHETIC_NOTE = "Dữ liệu giả lập"  # opens every text that describes a synthetic plan


@dataclass(frozen=True)
class SyntheticPlan:
    """A whole synthetic plan folder in memory: plan.yaml mapping, tables, and files copied as they are."""

    plan: dict
    tables: dict[str, pd.DataFrame]
    copied: dict[str, Path]  # file name -> source path (norms, unit tables of the model plan)
    readme: str


def _shares(values: pd.Series) -> dict[str, float]:
    counts = values.value_counts()
    return {str(k): float(v) / float(counts.sum()) for k, v in counts.items()}


def _share(mask: pd.Series) -> float:
    return float(mask.mean()) if len(mask) else 0.0


def _scaled(amount: float, factor: float, step: int = 1) -> int:
    """``amount × factor`` rounded to a multiple of ``step``."""
    return int(round(float(amount) * factor / step)) * step


def synthetic_plan(
    products: int,
    organisations: int,
    like: str | Path = paths.DEFAULT_PLAN_DIR,
    seed: int = 1,
    reference_dir: Path = paths.REFERENCE_DIR,
) -> SyntheticPlan:
    """A complete synthetic plan of ``products`` products and ``organisations`` organisations,
    modelled on the plan folder ``like``: same province, units, rounds and norms; streams, stars,
    organisation types, units and the share of organisations asking for branding support in the
    same proportions; budget lines and the stock history scaled by the size ratio.

    Raises ``ValueError`` (Vietnamese message) when the sizes cannot make a valid plan.
    """
    like_dir = Path(like)
    if not (like_dir / "plan.yaml").exists():
        raise ValueError(f"{like_dir}: không phải thư mục kế hoạch (thiếu plan.yaml)")
    if organisations < 1 or products < organisations:
        raise ValueError(
            f"cần ít nhất 1 chủ thể và số sản phẩm không ít hơn số chủ thể (nhận {products} sản phẩm, "
            f"{organisations} chủ thể): mỗi chủ thể có ít nhất một sản phẩm"
        )
    base = read_plan_yaml(like_dir)
    base_products = pd.read_csv(like_dir / "products.csv", dtype=str, keep_default_na=False)
    base_orgs = pd.read_csv(like_dir / "organisations.csv", dtype=str, keep_default_na=False)
    base_requests = pd.read_csv(like_dir / "requests.csv", dtype=str, keep_default_na=False)
    base_lines = pd.read_csv(like_dir / "budget_lines.csv", dtype=str, keep_default_na=False)
    base_history = pd.read_csv(like_dir / "history.csv", dtype=str, keep_default_na=False)
    targets = base["targets"]

    stream_counts = allocate(products, [int(targets[s]) for s in STREAMS])
    factor = products / int(targets["total"])
    branding_ratio = int(targets["organisations_branding"]) / max(len(base_orgs), 1)
    branding = min(organisations, max(1, round(organisations * branding_ratio)))
    branding_factor = branding / max(int(targets["organisations_branding"]), 1)

    new = base_products[base_products["stream"] == "new"]
    reev = base_products[base_products["stream"] == "reevaluation"]
    upg = base_products[base_products["stream"] == "upgrade"]
    branding_orgs = base_orgs.loc[base_orgs["requests_branding"] == "true", "organisation_id"]
    with_trademark = base_requests.loc[base_requests["item"] == "trademark", "organisation_id"].nunique()
    spec = SyntheticSpec(
        plan_dir=str(like_dir),
        id_prefix=SYNTHETIC_PREFIX,
        seed=int(seed),
        organisations_total=organisations,
        organisation_type_shares=tuple(sorted(_shares(base_orgs["organisation_type"]).items())),
        unit_weights=tuple(sorted(base_products["unit_id"].value_counts().astype(float).items())),
        new_four_star_share=_share(new["target_star"] == "4"),
        reevaluation_four_star_share=_share(reev["current_star"] == "4"),
        upgrades_to_five=round(int((upg["target_star"] == "5").sum()) * factor),
        trademark_share=with_trademark / max(len(branding_orgs), 1),
        numbered_names=True,
    )

    plan = {
        "province_id": base["province_id"],
        "province_name": f"{base['province_name']} ({SYNTHETIC_NOTE.lower()})",
        "year": base["year"],
        "units_as_of": base["units_as_of"],
        "plan_document": (
            f"{SYNTHETIC_NOTE}: kế hoạch thử quy mô {products} sản phẩm, {organisations} chủ thể "
            f"(hạt giống {seed}), không phải kế hoạch đã ban hành"
        ),
        "targets": {
            **dict(zip(STREAMS, stream_counts, strict=True)),
            "total": products,
            "organisations_branding": branding,
            "budget_total_vnd": 0,  # set below from the lines
            "stock_target": _scaled(targets["stock_target"], factor),
        },
        "rounds": base["rounds"],
    }

    # Budget lines: the branding line follows the organisations asking for support, the others the products.
    lines = base_lines.copy()
    amounts = [
        _scaled(int(a), branding_factor if line == "branding" else factor, 1_000_000)
        for line, a in zip(lines["line"], lines["amount_vnd"], strict=True)
    ]
    lines["amount_vnd"] = [str(a) for a in amounts]
    lines["source"] = [
        f"{SYNTHETIC_NOTE}: dòng '{line}' của kế hoạch mẫu nhân theo tỷ lệ quy mô" for line in lines["line"]
    ]
    plan["targets"]["budget_total_vnd"] = int(sum(amounts))

    history = base_history.copy()
    for column in ("total", "star3", "star4", "star5"):
        history[column] = [str(_scaled(int(v), factor)) if v != "" else "" for v in history[column]]
    stars = history[["star3", "star4", "star5"]]
    complete = (stars != "").all(axis=1)
    history.loc[complete, "total"] = stars[complete].astype(int).sum(axis=1).astype(str)
    history["source"] = f"{SYNTHETIC_NOTE}: số sản phẩm của kế hoạch mẫu nhân theo tỷ lệ quy mô"

    plan["sources"] = {
        "synthetic": (
            f"{SYNTHETIC_NOTE}: mọi sản phẩm, chủ thể, đề nghị hỗ trợ, chỉ tiêu và kinh phí được sinh tự động "
            f"để thử quy mô, theo tỷ lệ của kế hoạch mẫu; không phải số liệu thật"
        ),
        **{
            key: f"{SYNTHETIC_NOTE}: theo tỷ lệ của kế hoạch mẫu, không phải số liệu đã công bố"
            for key in (base.get("sources") or {})
            if key not in ("rounds", "norms")
        },
        "norms": f"{SYNTHETIC_NOTE}: định mức chép nguyên từ kế hoạch mẫu",
        "rounds": f"{SYNTHETIC_NOTE}: các đợt đánh giá chép từ kế hoạch mẫu",
    }

    tables = generate(spec, like_dir, plan=plan, reference_dir=reference_dir)
    made = len(tables["organisations.csv"])
    if made != organisations:
        raise ValueError(
            f"chỉ tạo được {made} chủ thể thay vì {organisations}: cần nhiều sản phẩm hơn mỗi đơn vị hành chính"
        )
    tables["budget_lines.csv"] = lines
    tables["history.csv"] = history
    copied = {"norms.csv": like_dir / "norms.csv"}
    for name in ("units.csv", "unit_changes.csv"):
        if (like_dir / name).exists():
            copied[name] = like_dir / name
    readme = (
        f"{SYNTHETIC_NOTE.upper()} — SYNTHETIC DATA\n\n"
        f"Thư mục này là một kế hoạch OCOP giả lập để thử quy mô: {products} sản phẩm, {organisations} chủ thể, "
        f"{branding} chủ thể đề nghị hỗ trợ, hạt giống {seed}. Tên, con số, chỉ tiêu và kinh phí đều được sinh "
        f"tự động theo tỷ lệ của kế hoạch mẫu; không dùng làm số liệu thật.\n\n"
        f"This folder is a synthetic OCOP plan generated for scale tests ({products} products, {organisations} "
        f"organisations, seed {seed}), modelled on the proportions of another plan folder. Nothing in it is real "
        f"data.\n\n"
        f"Tạo lại / regenerate:\n"
        f"  python -m ocop_helpers synth --products {products} --organisations {organisations} --seed {seed} "
        f"--like <thư mục kế hoạch mẫu: {like_dir.name}>\n"
    )
    return SyntheticPlan(plan=plan, tables=tables, copied=copied, readme=readme)


def plan_yaml_bytes(plan: dict) -> bytes:
    """plan.yaml text of a synthetic plan, opening with a comment that it is synthetic."""
    body = yaml.safe_dump(plan, allow_unicode=True, sort_keys=False, width=120)
    return nfc(f"# {SYNTHETIC_NOTE.upper()} (synthetic data): sinh bởi python -m ocop_helpers synth\n{body}").encode(
        "utf-8"
    )


def write_synthetic_plan(
    out_dir: str | Path,
    products: int,
    organisations: int,
    like: str | Path = paths.DEFAULT_PLAN_DIR,
    seed: int = 1,
) -> Path:
    """Write a synthetic plan folder (see :func:`synthetic_plan`) and return its path. The folder
    must be new or empty, so nothing real is overwritten."""
    out = Path(out_dir)
    if out.exists() and any(out.iterdir()):
        raise ValueError(f"{out}: thư mục đã có tệp; chọn một thư mục mới hoặc trống")
    made = synthetic_plan(products, organisations, like, seed)
    out.mkdir(parents=True, exist_ok=True)
    (out / "plan.yaml").write_bytes(plan_yaml_bytes(made.plan))
    write_tables(made.tables, out)
    for name, source in made.copied.items():
        shutil.copyfile(source, out / name)
    (out / "README.txt").write_bytes(made.readme.encode("utf-8"))
    return out

"""Regenerate the synthetic detail of the shipped plan folders (a thin caller of ``ocop_helpers.dev.synth``).

Writes ``products.csv``, ``organisations.csv`` and ``requests.csv`` so that they reproduce the
published totals in the folder's ``plan.yaml`` exactly (products per stream, organisations asking
for branding support). Everything else in the folder (``plan.yaml``, ``history.csv``,
``norms.csv``, ``budget_lines.csv``) is curated by hand and only read here.

Usage (from the repository root)::

    .venv/bin/python scripts/make_synthetic.py                 # every plan in SPECS
    .venv/bin/python scripts/make_synthetic.py data/bac-giang/2025
    .venv/bin/python scripts/make_synthetic.py data/bac-giang/2025 --out /tmp/check
    .venv/bin/python scripts/make_synthetic.py --check     # compare with the shipped files, write nothing

The output is deterministic: the same spec gives the same bytes on every run. The generator itself
lives in ``ocop_helpers/dev/synth.py`` (also behind ``python -m ocop_helpers synth``, which writes whole
synthetic plans of any size); this file holds only the specs of the shipped folders, which name
real places and flagship products and so stay out of the package.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ocop_helpers.dev.synth import Anchor, SyntheticSpec, to_csv_bytes, write_tables
from ocop_helpers.dev.synth import generate as _generate

ROOT = Path(__file__).resolve().parents[1]
OUTPUT_FILES = ("products.csv", "organisations.csv", "requests.csv")
__all__ = ["SPECS", "check", "generate", "main", "spec_for", "to_csv_bytes", "write_tables"]

# District-level areas used to keep regional products in their region. A commune-level unit
# inherits the areas of the district(s) it came from (data/reference/unit_changes.csv).
LYCHEE = ("bg-h-luc-ngan", "bg-tx-chu", "bg-h-luc-ngan-cu", "bg-h-tan-yen", "bg-h-luc-nam")
UPLAND = ("bg-h-son-dong", "bg-h-luc-ngan", "bg-tx-chu", "bg-h-luc-ngan-cu", "bg-h-luc-nam", "bg-h-yen-the")
HILL_CHICKEN = ("bg-h-yen-the", "bg-h-lang-giang", "bg-h-tan-yen", "bg-h-luc-nam")
TEA = UPLAND + ("bg-h-tan-yen", "bg-h-hiep-hoa")

REGIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("lychee", LYCHEE),
    ("upland", UPLAND),
    ("hill_chicken", HILL_CHICKEN),
    ("tea", TEA),
)

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
        regions=REGIONS,
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
        regions=REGIONS,
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
        regions=REGIONS,
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


def generate(spec: SyntheticSpec, root: Path = ROOT) -> dict[str, pd.DataFrame]:
    """Products, organisations and requests for one registered plan folder."""
    return _generate(spec, root / spec.plan_dir, reference_dir=root / "data" / "reference")


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


def check(specs: list[SyntheticSpec]) -> list[str]:
    """Regenerate ``specs`` into a temporary folder and compare with the shipped files byte for byte;
    returns the files that differ or are missing (the repository is not written)."""
    differing = []
    with tempfile.TemporaryDirectory(prefix="ocop-synthetic-") as tmp:
        for spec in specs:
            out_dir = Path(tmp) / spec.plan_dir
            for path in write_tables(generate(spec), out_dir):
                shipped = ROOT / spec.plan_dir / path.name
                same = shipped.is_file() and shipped.read_bytes() == path.read_bytes()
                print(f"{'identical' if same else 'DIFFERS'}: {shipped.relative_to(ROOT)}")
                if not same:
                    differing.append(str(shipped.relative_to(ROOT)))
    return differing


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: regenerate one or every registered plan folder, or check them."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("plans", nargs="*", help="plan folders (default: all registered)")
    parser.add_argument("--out", type=Path, help="write here instead of into the plan folder")
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing in the repository: regenerate into a temporary folder, compare with the shipped "
        "files byte for byte, exit 1 if any differs",
    )
    parser.add_argument("--small", action="store_true", help="the mode run by the test suite: same as --check")
    args = parser.parse_args(argv)
    specs = [spec_for(p) for p in args.plans] if args.plans else list(SPECS.values())
    if args.check or args.small:
        if args.out:
            parser.error("--check writes nothing: --out does not apply")
        differing = check(specs)
        print(
            f"{len(specs)} plan folders checked: "
            + (f"{len(differing)} files differ" if differing else "all identical")
        )
        return 1 if differing else 0
    if args.out and len(specs) > 1:
        parser.error("--out needs exactly one plan folder")
    for spec in specs:
        out_dir = args.out or ROOT / spec.plan_dir
        for path in write_tables(generate(spec), out_dir):
            print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

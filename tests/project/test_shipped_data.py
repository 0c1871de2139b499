"""The shipped data reproduces the published totals and is internally consistent.

Reads the CSV and YAML files directly (pandas, yaml), independent of the package loader, and
checks that scripts/make_synthetic.py regenerates the committed files byte for byte.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
import unicodedata
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "data" / "reference"
BAC_GIANG = ROOT / "data" / "bac-giang" / "2025"
BAC_NINH = ROOT / "data" / "bac-ninh" / "2026"
DEMO = ROOT / "tests" / "fixtures" / "plans" / "demo" / "2027"
PLANS = [BAC_GIANG, BAC_NINH, DEMO]
PLAN_IDS = ["bac-giang-2025", "bac-ninh-2026", "demo-2027"]
GENERATED = ("products.csv", "organisations.csv", "requests.csv")


def read(path: Path) -> pd.DataFrame:
    """A CSV as text columns, empty cells as ''."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def plan_yaml(plan_dir: Path) -> dict:
    with (plan_dir / "plan.yaml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def units_for(plan_dir: Path) -> pd.DataFrame:
    """The units of a plan on its units_as_of date (<plan>/units.csv overrides the reference)."""
    plan = plan_yaml(plan_dir)
    path = plan_dir / "units.csv" if (plan_dir / "units.csv").exists() else REFERENCE / "units.csv"
    units = read(path)
    day = str(plan["units_as_of"])
    mask = (
        (units["province_id"] == plan["province_id"])
        & (units["valid_from"] <= day)
        & ((units["valid_to"] == "") | (units["valid_to"] >= day))
    )
    return units[mask]


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    """scripts/make_synthetic.py imported as a module."""
    spec = importlib.util.spec_from_file_location("make_synthetic", ROOT / "scripts" / "make_synthetic.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_synthetic"] = module
    spec.loader.exec_module(module)
    return module


# ----------------------------------------------------------------------------- published totals


def test_bac_giang_plan_matches_published_targets() -> None:
    plan = plan_yaml(BAC_GIANG)
    assert plan["province_id"] == "bac-giang"
    assert plan["year"] == 2025
    assert plan["units_as_of"] == dt.date(2025, 1, 1)
    assert plan["plan_document"] == "Kế hoạch 15/KH-UBND"
    assert plan["targets"] == {
        "new": 237,
        "reevaluation": 75,
        "upgrade": 11,
        "total": 323,
        "organisations_branding": 153,
        "budget_total_vnd": 20_900_000_000,
        "stock_target": 425,
    }
    rounds = [(r["round"], r["level"], r["deadline"]) for r in plan["rounds"]]
    assert rounds == [
        (1, "district", dt.date(2025, 6, 15)),
        (1, "province", dt.date(2025, 7, 10)),
        (2, "district", dt.date(2025, 10, 15)),
        (2, "province", dt.date(2025, 10, 30)),
    ]
    for key in ("targets", "organisations_branding", "budget_total_vnd", "stock_target", "rounds"):
        assert plan["sources"][key].strip()


def test_bac_giang_detail_reproduces_published_totals() -> None:
    products = read(BAC_GIANG / "products.csv")
    organisations = read(BAC_GIANG / "organisations.csv")
    budget = read(BAC_GIANG / "budget_lines.csv")
    assert products["stream"].value_counts().to_dict() == {"new": 237, "reevaluation": 75, "upgrade": 11}
    assert len(products) == 323
    assert (organisations["requests_branding"] == "true").sum() == 153
    assert 220 <= len(organisations) <= 260
    assert budget["amount_vnd"].astype("int64").sum() == 20_900_000_000
    assert set(budget["line"]) == {"rewards", "branding", "councils", "promotion", "training"}
    assert len(units_for(BAC_GIANG)) == 10


def test_bac_giang_history_is_the_published_series() -> None:
    history = read(BAC_GIANG / "history.csv")
    totals = dict(zip(history["date"], history["total"].astype(int), strict=False))
    assert totals == {
        "2021-12-31": 156,
        "2022-12-31": 205,
        "2023-11-30": 255,
        "2023-12-31": 290,
        "2024-06-30": 334,
        "2024-12-31": 385,
    }
    end_2022 = history.set_index("date").loc["2022-12-31"]
    assert (end_2022["star3"], end_2022["star4"], end_2022["star5"]) == ("174", "31", "0")
    assert history["source"].str.contains(r"\[S\d+\]").all()


def test_bac_giang_norms_are_nq_67_and_ntm() -> None:
    norms = read(BAC_GIANG / "norms.csv")
    rewards = norms[norms["line"] == "reward"]
    amounts = {(r.case, int(r.star)): int(r.amount_vnd) for r in rewards.itertuples()}
    assert amounts[("first", 3)] == 50_000_000
    assert amounts[("first", 4)] == 150_000_000
    assert amounts[("first", 5)] == 300_000_000
    assert amounts[("kept", 3)] == 20_000_000
    assert amounts[("kept", 4)] == 60_000_000
    assert amounts[("upgraded", 4)] == 150_000_000
    assert amounts[("upgraded", 5)] == 300_000_000
    assert amounts[("reevaluated", 4)] == 60_000_000
    assert set(rewards["valid_from"]) == {"2024-01-01"} and set(rewards["valid_to"]) == {"2025-12-31"}
    packaging = norms[norms["line"] == "packaging"]
    assert {int(s): int(a) for s, a in zip(packaging["star"], packaging["amount_vnd"], strict=False)} == {
        3: 30_000_000,
        4: 50_000_000,
        5: 100_000_000,
    }
    assert set(packaging["share"]) == {"0.5"}
    assert norms.loc[norms["line"] == "trademark", "amount_vnd"].tolist() == ["20000000"]


def test_bac_ninh_history_and_norms() -> None:
    history = read(BAC_NINH / "history.csv")
    assert dict(zip(history["date"], history["total"].astype(int), strict=False)) == {
        "2025-10-31": 668,
        "2025-12-31": 770,
    }
    october = history.iloc[0]
    assert (october["star3"], october["star4"], october["star5"]) == ("593", "74", "1")
    norms = read(BAC_NINH / "norms.csv")
    rewards = {(r.case, int(r.star)): int(r.amount_vnd) for r in norms[norms["line"] == "reward"].itertuples()}
    assert rewards == {("first", 3): 8_000_000, ("first", 4): 10_000_000, ("upgraded", 4): 2_000_000}
    assert norms["source"].str.contains("Assumption").all()
    plan = plan_yaml(BAC_NINH)
    assert plan["targets"]["stock_target"] > 770
    assert {r["level"] for r in plan["rounds"]} == {"province"}


def branding_claims(plan_dir: Path) -> int:
    """State claims of every request: min(share × cost, norm), trademark min(cost, norm)."""
    products = read(plan_dir / "products.csv").set_index("product_id")
    requests = read(plan_dir / "requests.csv")
    norms = read(plan_dir / "norms.csv")
    packaging = {
        int(r.star): (int(r.amount_vnd), float(r.share)) for r in norms[norms["line"] == "packaging"].itertuples()
    }
    trademark = norms[norms["line"] == "trademark"].iloc[0]
    total = 0
    for item in requests.itertuples():
        cost = int(item.cost_vnd)
        if item.item == "trademark":
            total += min(int(float(trademark["share"]) * cost), int(trademark["amount_vnd"]))
        else:
            norm, share = packaging[int(products.loc[item.product_id, "target_star"])]
            total += min(int(share * cost), norm)
    return total


@pytest.mark.parametrize("plan_dir", [BAC_GIANG, BAC_NINH], ids=PLAN_IDS[:2])
def test_branding_claims_exceed_the_budget_line(plan_dir: Path) -> None:
    budget = read(plan_dir / "budget_lines.csv").set_index("line")["amount_vnd"].astype("int64")
    ratio = branding_claims(plan_dir) / budget["branding"]
    assert 1.2 <= ratio <= 1.5, ratio


# ----------------------------------------------------------------------------- every plan folder


@pytest.mark.parametrize("plan_dir", PLANS, ids=PLAN_IDS)
def test_plan_folder_is_consistent(plan_dir: Path) -> None:
    plan = plan_yaml(plan_dir)
    targets = plan["targets"]
    products = read(plan_dir / "products.csv")
    organisations = read(plan_dir / "organisations.csv")
    requests = read(plan_dir / "requests.csv")
    budget = read(plan_dir / "budget_lines.csv")
    codes = set(read(REFERENCE / "product_codes.csv")["code"])
    units = set(units_for(plan_dir)["unit_id"])

    # totals
    counts = products["stream"].value_counts()
    for stream in ("new", "reevaluation", "upgrade"):
        assert counts.get(stream, 0) == targets[stream], stream
    assert len(products) == targets["total"] == targets["new"] + targets["reevaluation"] + targets["upgrade"]
    assert (organisations["requests_branding"] == "true").sum() == targets["organisations_branding"]
    assert set(organisations["requests_branding"]) <= {"true", "false"}
    assert budget["amount_vnd"].astype("int64").sum() == targets["budget_total_vnd"]

    # identifiers and names
    for frame, key in ((products, "product_id"), (organisations, "organisation_id"), (requests, "request_id")):
        assert frame[key].is_unique, key
    assert products["product_name"].is_unique
    assert organisations["organisation_name"].is_unique

    # products
    assert set(products["organisation_id"]) <= set(organisations["organisation_id"])
    assert set(organisations["organisation_id"]) <= set(products["organisation_id"]), "organisation without product"
    owner_unit = organisations.set_index("organisation_id")["unit_id"]
    assert (products["unit_id"] == products["organisation_id"].map(owner_unit)).all()
    assert set(products["unit_id"]) <= units and set(organisations["unit_id"]) <= units
    assert set(products["product_code"]) <= codes
    assert set(products["planned_round"].astype(int)) <= {int(r["round"]) for r in plan["rounds"]}
    new = products[products["stream"] == "new"]
    assert (new["current_star"] == "").all() and (new["certificate_date"] == "").all()
    assert set(new["target_star"]) <= {"3", "4", "5"}
    certified = products[products["stream"] != "new"]
    assert (certified["current_star"] != "").all() and (certified["certificate_date"] != "").all()
    reeval = products[products["stream"] == "reevaluation"]
    assert (reeval["current_star"] == reeval["target_star"]).all()
    upgrade = products[products["stream"] == "upgrade"]
    assert (upgrade["target_star"].astype(int) == upgrade["current_star"].astype(int) + 1).all()
    assert pd.to_datetime(certified["certificate_date"], format="%Y-%m-%d").notna().all()

    # requests
    branding = set(organisations.loc[organisations["requests_branding"] == "true", "organisation_id"])
    assert set(requests["organisation_id"]) == branding, "every branding organisation asks, no other"
    packaging = requests[requests["item"] == "packaging"]
    assert set(requests["item"]) <= {"trademark", "packaging"}
    assert set(packaging["organisation_id"]) == branding, "every branding organisation asks for packaging"
    product_owner = products.set_index("product_id")["organisation_id"]
    assert (packaging["product_id"].map(product_owner) == packaging["organisation_id"]).all()
    assert (requests.loc[requests["item"] == "trademark", "product_id"] == "").all()
    cost = requests["cost_vnd"].astype("int64")
    assert (cost > 0).all() and (cost % 1000 == 0).all()


@pytest.mark.parametrize("plan_dir", PLANS, ids=PLAN_IDS)
def test_history_and_norms_have_sources(plan_dir: Path) -> None:
    history = read(plan_dir / "history.csv")
    norms = read(plan_dir / "norms.csv")
    assert list(history.columns) == ["date", "total", "star3", "star4", "star5", "source"]
    assert (history["source"] != "").all() and (norms["source"] != "").all()
    assert set(norms["line"]) <= {"reward", "trademark", "packaging"}
    assert set(norms["case"]) <= {"", "first", "kept", "upgraded", "reevaluated"}
    stars = history[(history["star3"] != "") & (history["star4"] != "") & (history["star5"] != "")]
    for row in stars.itertuples():
        assert int(row.star3) + int(row.star4) + int(row.star5) == int(row.total), row.date


def data_files() -> list[Path]:
    files = sorted((ROOT / "data").rglob("*.csv")) + sorted((ROOT / "data").rglob("*.yaml"))
    return files + sorted(DEMO.glob("*.csv")) + sorted(DEMO.glob("*.yaml"))


@pytest.mark.parametrize("path", data_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_files_are_utf8_nfc_lf_without_bom(path: Path) -> None:
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert b"\r" not in raw
    text = raw.decode("utf-8")
    assert unicodedata.normalize("NFC", text) == text


# ----------------------------------------------------------------------------- reference tables


def test_product_codes_are_the_26_leaves() -> None:
    codes = read(REFERENCE / "product_codes.csv")
    assert len(codes) == 26 and codes["code"].is_unique
    assert codes["sector"].value_counts().to_dict() == {"I": 13, "II": 4, "III": 3, "IV": 2, "V": 3, "VI": 1}
    assert (codes["lead_ministry"] != "").all()


def test_star_bands_are_contiguous_per_period() -> None:
    bands = read(REFERENCE / "star_bands.csv")
    for _, period in bands.groupby("valid_from"):
        period = period.sort_values("star")
        assert period["star"].tolist() == ["1", "2", "3", "4", "5"]
        assert period["min_score"].tolist()[1:] == period["max_score_exclusive"].tolist()[:-1]
        assert period["min_score"].iloc[0] == "0"


def test_authority_rules_cover_three_periods() -> None:
    rules = read(REFERENCE / "authority_rules.csv")
    periods = sorted(set(zip(rules["valid_from"], rules["valid_to"], strict=False)))
    assert periods == [("2019-08-21", "2023-02-23"), ("2023-02-24", "2025-07-05"), ("2025-07-06", "")]
    for _, period in rules.groupby("valid_from"):
        assert sorted(period["star"]) == ["3", "4", "5"]
    levels = {"commune", "district", "province", "central", ""}
    for column in ("evaluating_level", "recognising_level", "pre_assessing_level"):
        assert set(rules[column]) <= levels
    rule = rules.set_index(["valid_from", "star"])
    assert rule.loc[("2023-02-24", "3"), "recognising_level"] == "district"
    assert rule.loc[("2025-07-06", "3"), "recognising_level"] == "province"
    assert rule.loc[("2025-07-06", "4"), "pre_assessing_level"] == "commune"


def test_units_by_date() -> None:
    units = read(REFERENCE / "units.csv")
    assert units["unit_id"].is_unique

    def at(province: str, day: str) -> set[str]:
        mask = (
            (units["province_id"] == province)
            & (units["valid_from"] <= day)
            & ((units["valid_to"] == "") | (units["valid_to"] >= day))
        )
        return set(units.loc[mask, "unit_id"])

    early_2025 = at("bac-giang", "2025-01-01")
    assert len(early_2025) == 10 and {"bg-tx-chu", "bg-tx-viet-yen", "bg-h-luc-ngan"} <= early_2025
    mid_2024 = at("bac-giang", "2024-06-30")
    assert len(mid_2024) == 10 and {"bg-h-yen-dung", "bg-h-luc-ngan-cu"} <= mid_2024
    assert len(at("bac-giang", "2023-06-30")) == 10 and "bg-h-viet-yen" in at("bac-giang", "2023-06-30")
    assert at("bac-giang", "2025-07-01") == set()
    assert len(at("bac-ninh-cu", "2025-06-30")) == 8
    communes = units[units["province_id"] == "bac-ninh"]
    assert len(communes) == 99 and (communes["level"] == "commune").all()
    assert communes["unit_kind"].value_counts().to_dict() == {"xã": 66, "phường": 33}
    assert communes["unit_name"].is_unique and communes["official_code"].str.fullmatch(r"\d{5}").all()


def test_unit_changes_reference_known_units() -> None:
    units = read(REFERENCE / "units.csv")
    changes = read(REFERENCE / "unit_changes.csv")
    known = set(units["unit_id"])
    assert set(changes["from_unit_id"]) <= known and set(changes["to_unit_id"]) <= known
    assert set(changes["kind"]) <= {"merge", "split", "rename", "reorganise"}
    communes = set(units.loc[units["province_id"] == "bac-ninh", "unit_id"])
    assert communes <= set(changes["to_unit_id"]), "every new commune has a former unit"
    chu_split = changes[changes["from_unit_id"] == "bg-h-luc-ngan-cu"]
    assert set(chu_split["to_unit_id"]) == {"bg-h-luc-ngan", "bg-tx-chu"}
    assert set(chu_split["kind"]) == {"split"}


# ----------------------------------------------------------------------------- generator


@pytest.mark.parametrize("plan_dir", PLANS, ids=PLAN_IDS)
def test_generator_reproduces_committed_files(generator: ModuleType, plan_dir: Path) -> None:
    spec = generator.spec_for(str(plan_dir))
    first = {name: generator.to_csv_bytes(frame) for name, frame in generator.generate(spec).items()}
    second = {name: generator.to_csv_bytes(frame) for name, frame in generator.generate(spec).items()}
    assert first == second, "the generator is not deterministic"
    for name in GENERATED:
        assert first[name] == (plan_dir / name).read_bytes(), f"{name} differs from a fresh run"


def test_generator_command_line_writes_identical_bytes(generator: ModuleType, tmp_path: Path) -> None:
    assert generator.main([str(DEMO), "--out", str(tmp_path)]) == 0
    for name in GENERATED:
        assert (tmp_path / name).read_bytes() == (DEMO / name).read_bytes()

"""The synthetic-plan generator: sizes, validity, reproducibility, and that it says it is synthetic."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest
import yaml

from ocop_helpers.core import paths
from ocop_helpers.dev import synth
from ocop_helpers.inputs import loading
from ocop_helpers.runs import cli

PRODUCTS, ORGANISATIONS = 600, 300


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synth.write_synthetic_plan(tmp_path_factory.mktemp("syn") / "plan", PRODUCTS, ORGANISATIONS, seed=5)


def test_plan_has_the_requested_size_and_loads_without_problems(made: Path) -> None:
    plan = loading.load_plan(made)  # the same validation as `python -m ocop_helpers validate`
    assert len(plan.products) == PRODUCTS and len(plan.organisations) == ORGANISATIONS
    t = plan.targets
    counts = plan.products["stream"].value_counts()
    assert (t.new, t.reevaluation, t.upgrade) == (counts["new"], counts["reevaluation"], counts["upgrade"])
    assert t.total == PRODUCTS
    assert t.organisations_branding == int(plan.organisations["requests_branding"].sum()) > 0
    assert t.budget_total_vnd == int(plan.budget_lines["amount_vnd"].sum())
    assert set(plan.requests["organisation_id"]) <= set(plan.organisations["organisation_id"])
    assert plan.products["product_id"].is_unique and plan.products["product_name"].is_unique


def test_streams_and_branding_keep_the_model_plans_proportions(made: Path) -> None:
    model = yaml.safe_load((paths.DEFAULT_PLAN_DIR / "plan.yaml").read_text(encoding="utf-8"))["targets"]
    plan = loading.load_plan(made)
    assert plan.targets.new / PRODUCTS == pytest.approx(model["new"] / model["total"], abs=2 / PRODUCTS)
    model_orgs = len(pd.read_csv(paths.DEFAULT_PLAN_DIR / "organisations.csv"))
    share = plan.targets.organisations_branding / ORGANISATIONS
    assert share == pytest.approx(model["organisations_branding"] / model_orgs, abs=1 / ORGANISATIONS)


def test_says_plainly_that_it_is_synthetic(made: Path) -> None:
    meta = yaml.safe_load((made / "plan.yaml").read_text(encoding="utf-8"))
    assert (made / "plan.yaml").read_text(encoding="utf-8").startswith("# DỮ LIỆU GIẢ LẬP")
    assert "giả lập" in meta["province_name"] and "giả lập" in meta["plan_document"].lower()
    assert meta["sources"]["synthetic"].startswith("Dữ liệu giả lập")
    assert all("giả lập" in text for text in meta["sources"].values())
    readme = (made / "README.txt").read_text(encoding="utf-8")
    assert "GIẢ LẬP" in readme and "synthetic" in readme and "seed 5" in readme
    lines = pd.read_csv(made / "budget_lines.csv")
    history = pd.read_csv(made / "history.csv")
    assert lines["source"].str.startswith("Dữ liệu giả lập").all()
    assert history["source"].str.startswith("Dữ liệu giả lập").all()


def test_same_seed_same_bytes_other_seed_differs(made: Path, tmp_path: Path) -> None:
    again = synth.write_synthetic_plan(tmp_path / "again", PRODUCTS, ORGANISATIONS, seed=5)
    assert digest(again) == digest(made)
    other = synth.write_synthetic_plan(tmp_path / "other", PRODUCTS, ORGANISATIONS, seed=6)
    assert digest(other)["products.csv"] != digest(made)["products.csv"]


def test_large_plans_keep_names_unique_beyond_the_vocabulary(tmp_path: Path) -> None:
    tables = synth.synthetic_plan(4_000, 2_000, seed=1).tables
    assert tables["products.csv"]["product_name"].is_unique
    assert tables["organisations.csv"]["organisation_name"].is_unique
    assert len(tables["products.csv"]) == 4_000 and len(tables["organisations.csv"]) == 2_000


def test_cli_writes_a_plan_that_validate_accepts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli"
    code = cli.main(["synth", "--products", "120", "--organisations", "60", "--out", str(out), "--seed", "2"])
    assert code == 0 and "GIẢ LẬP" in capsys.readouterr().out
    assert cli.main(["validate", "--plan", str(out)]) == 0
    assert "120 sản phẩm, 60 chủ thể" in capsys.readouterr().out


def test_cli_refuses_a_folder_with_files_and_impossible_sizes(
    made: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = digest(made)
    assert cli.main(["synth", "--products", "50", "--organisations", "20", "--out", str(made)]) == 2
    assert "đã có tệp" in capsys.readouterr().err
    assert digest(made) == before  # nothing overwritten
    assert cli.main(["synth", "--products", "10", "--organisations", "20", "--out", str(tmp_path / "x")]) == 2
    assert "số sản phẩm không ít hơn số chủ thể" in capsys.readouterr().err

"""Outcome targets in plan.yaml: every kind read, every mistake named by its key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from ocop_helpers.core.errors import PlanValidationError
from ocop_helpers.inputs.loading import load_plan
from ocop_helpers.inputs.outcome_targets import KINDS, parse_outcome_targets
from tests.support.plans import DEFAULT_PLAN, DEMO_PLAN


def test_demo_plan_has_one_target_of_every_kind() -> None:
    plan = load_plan(DEMO_PLAN)
    assert sorted({t.kind for t in plan.outcomes}) == sorted(KINDS)
    shares = {t.id: t.value for t in plan.outcomes if t.is_share}
    assert shares == {"registered": 0.5, "cooperatives": 0.4}  # "50%" and 0.4 read alike


def test_default_plan_targets_are_published_with_their_sources() -> None:
    plan = load_plan(DEFAULT_PLAN)
    by_id = {t.id: t for t in plan.outcomes}
    assert by_id["stock"].value == plan.targets.stock_target == 425
    assert by_id["new-recognised"].value == 40 and by_id["new-recognised"].streams == ("new",)
    assert not any(t.assumed for t in plan.outcomes)
    assert all("[S" in t.source for t in plan.outcomes)


def test_a_plan_without_outcome_targets_keeps_its_stock_target(tmp_path: Path) -> None:
    folder = tmp_path / "demo" / "2027"
    shutil.copytree(DEMO_PLAN, folder)
    meta = yaml.safe_load((folder / "plan.yaml").read_text(encoding="utf-8"))
    del meta["outcome_targets"]
    (folder / "plan.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    plan = load_plan(folder)
    assert [(t.kind, t.value) for t in plan.outcomes] == [("stock", plan.targets.stock_target)]


@pytest.mark.parametrize(
    ("item", "key", "words"),
    [
        ({"kind": "stars", "value": 3, "source": "assumption"}, "kind", "cần một trong"),
        ({"kind": "recognised", "value": -1, "source": "assumption"}, "value", "số nguyên không âm"),
        ({"kind": "share_registered", "value": "180%", "source": "assumption"}, "value", "tỷ lệ 0–1"),
        ({"kind": "recognised", "value": 3, "star": 6, "source": "assumption"}, "star", "3, 4 hoặc 5"),
        ({"kind": "recognised", "value": 3}, "source", "'assumption'"),
        ({"kind": "recognised", "value": 3, "source": "x", "streams": ["newish"]}, "streams", "new, reevaluation"),
        ({"kind": "share_organisation_type", "value": 0.6, "source": "x"}, "organisation_type", "loại chủ thể"),
        ({"kind": "recognised", "value": 3, "source": "x", "colour": "red"}, "colour", "khóa không có"),
        ({"kind": "stock", "value": 3, "star": 4, "source": "x"}, "star", "từ 3 sao"),
    ],
)
def test_each_mistake_is_named_by_its_key(item: dict, key: str, words: str) -> None:
    targets, problems = parse_outcome_targets([{"kind": "stock", "value": 1, "source": "x"}, item], "plan.yaml")
    assert len(targets) == 1  # the good one is kept, the bad one is not
    assert [p.column for p in problems] == [f"outcome_targets[2].{key}"]
    assert words in problems[0].expected


def test_duplicate_ids_are_refused() -> None:
    same = {"id": "a", "kind": "recognised", "value": 1, "source": "x"}
    _, problems = parse_outcome_targets([same, same], "plan.yaml")
    assert [p.column for p in problems] == ["outcome_targets[2].id"]


def test_a_bad_target_stops_the_plan_naming_file_and_key(tmp_path: Path) -> None:
    folder = tmp_path / "demo" / "2027"
    shutil.copytree(DEMO_PLAN, folder)
    text = (folder / "plan.yaml").read_text(encoding="utf-8").replace("value: 0.4,", "value: 1.4,")
    (folder / "plan.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(PlanValidationError) as e:
        load_plan(folder)
    assert "plan.yaml" in str(e.value) and "outcome_targets[6].value" in str(e.value)

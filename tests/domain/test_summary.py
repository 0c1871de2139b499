"""Key figures, overview sentences and the year-over-year comparison."""

from __future__ import annotations

import shutil

import yaml

from ocop_helpers.core import paths
from ocop_helpers.domain import summary, yoy
from ocop_helpers.inputs import loading
from tests.support.plans import DEFAULT_PLAN, edit_csv

MERGED = paths.DATA_DIR / "bac-ninh" / "2026"


def test_key_figures_match_the_published_totals():
    f = summary.key_figures(loading.load_plan(DEFAULT_PLAN)).set_index("indicator")
    assert f["target"].tolist() == [237, 75, 11, 323, 153, 20_900_000_000]
    assert (f["difference"] == 0).all()


def test_overview_text_reads_the_numbers():
    text = " ".join(summary.overview_text(loading.load_plan(DEFAULT_PLAN)))
    assert "323 sản phẩm OCOP: 237 sản phẩm đánh giá lần đầu (73,4%)" in text
    assert "153 tổ chức kinh tế" in text and "20,9 tỷ đồng" in text
    assert "31/12/2024 toàn tỉnh có 385 sản phẩm" in text and "tăng ròng 40 sản phẩm" in text


def test_year_over_year_across_the_merger():
    plan = loading.load_plan(MERGED)
    previous = loading.load_previous_plan(plan)
    assert previous is not None and previous.province_id == "bac-giang"
    table = yoy.headline_table(plan, [previous]).set_index("indicator")
    total = table.loc["Tổng số sản phẩm đánh giá, phân hạng"]
    assert (total["previous"], total["current"], total["change"]) == (323, 400, 77)
    assert table.loc["Số sản phẩm OCOP đầu năm", "previous"] == 385
    assert "tỉnh Bắc Giang trước khi hợp nhất" in summary.year_over_year_text(plan, previous)


def test_previous_plan_is_the_sibling_year_or_none(tmp_path):
    assert loading.previous_plan_path(loading.load_plan(DEFAULT_PLAN)) is None
    shutil.copytree(DEFAULT_PLAN, tmp_path / "bac-giang" / "2025")
    later = tmp_path / "bac-giang" / "2026"
    shutil.copytree(DEFAULT_PLAN, later)
    meta = yaml.safe_load((later / "plan.yaml").read_text(encoding="utf-8"))
    meta["year"] = 2026
    for r in meta["rounds"]:  # round deadlines lie in the plan's year
        r["deadline"] = r["deadline"].replace(year=2026)
    (later / "plan.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    norms = (later / "norms.csv").read_text(encoding="utf-8").replace(",2025-12-31,", ",2026-12-31,")
    (later / "norms.csv").write_text(norms, encoding="utf-8")  # the norms must be in force in 2026
    assert loading.previous_plan_path(loading.load_plan(later)) == tmp_path / "bac-giang" / "2025"


def test_mismatch_is_named_in_the_overview(plan_copy):
    edit_csv(plan_copy / "budget_lines.csv", 2, "amount_vnd", "10200000001")
    # the loader rejects it, so the overview never shows a silently wrong total
    import pytest

    from ocop_helpers.core.errors import PlanValidationError

    with pytest.raises(PlanValidationError):
        loading.load_plan(plan_copy)


def test_reevaluations_planned_after_their_certificate_expires_are_flagged():
    from ocop_helpers.model import compute, params

    plan = loading.load_plan(DEFAULT_PLAN)
    _, _, schedule = compute.Model(plan).expiry(params.Params({}))
    s = schedule.set_index("product_id")
    # A 3★ re-evaluation in round 2 is scored by the district council (QĐ 148, as filed): due 15/10/2025.
    late = s[
        (s["stream"] == "reevaluation")
        & (s["current_star"] == 3)
        & (s["planned_round"] == 2)
        & (s["expiry_date"] < "2025-10-15")
    ]
    ok = s[
        (s["stream"] == "reevaluation")
        & (s["current_star"] == 3)
        & (s["planned_round"] == 2)
        & (s["expiry_date"] >= "2025-10-15")
    ]
    assert len(late) and late["planned_after_expiry"].all()
    assert (late["planned_deadline"] == "2025-10-15").all()
    assert not ok["planned_after_expiry"].any()

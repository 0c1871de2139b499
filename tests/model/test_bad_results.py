"""A results file that fails its checks never yields a season without it: the plan loads (so every
problem can be reported at once, the payments' included), and the build, the report and the season
stop with the file, row and column."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from ocop_helpers.core.errors import PlanValidationError
from ocop_helpers.domain import season as season_check
from ocop_helpers.inputs.loading import load_plan
from ocop_helpers.model import compute
from ocop_helpers.model.params import Params, defaults
from ocop_helpers.model.season import season_of
from tests.support.plans import DEMO_PLAN, edit_csv


def test_a_bad_results_file_stops_the_season_naming_file_row_and_column(tmp_path: Path) -> None:
    folder = tmp_path / "demo" / "2027"
    shutil.copytree(DEMO_PLAN, folder)
    edit_csv(folder / "results" / "evaluations.csv", 3, "score", "140")
    plan = load_plan(folder)
    assert plan.season_results is None and plan.season_problems
    with pytest.raises(PlanValidationError) as checked:
        season_check.check_loaded(plan)
    assert "evaluations.csv, dòng 3, cột 'score'" in str(checked.value)
    r = compute.Model(plan).results(Params({**defaults(), "draws": 200, "as_of": dt.date(2027, 12, 31)}))
    with pytest.raises(PlanValidationError):
        season_of(r)

"""The plan folders the tests read or copy, and a spreadsheet-like edit of one CSV cell."""

from __future__ import annotations

import csv
from pathlib import Path

from ocop_helpers.core import paths

DEFAULT_PLAN = paths.DEFAULT_PLAN_DIR
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DEMO_PLAN = FIXTURES / "plans" / "demo" / "2027"


def edit_csv(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell of a CSV file; ``row`` counts like a spreadsheet (header = 1)."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    rows[row - 1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)

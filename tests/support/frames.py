"""Tiny typed frames shared by the unit tests (rules, units, rounds, products), built from rows."""

from __future__ import annotations

import pandas as pd

RULE_COLUMNS = ["valid_from", "valid_to", "star", "evaluating_level", "recognising_level", "pre_assessing_level"]
UNIT_COLUMNS = ["province_id", "unit_id", "unit_name", "unit_kind", "level", "valid_from", "valid_to"]

RULES_1048 = [
    (None, "2023-02-23", 3, "province", "province", "district"),
    (None, "2023-02-23", 4, "province", "province", "district"),
    (None, "2023-02-23", 5, "central", "central", "district"),
]
RULES_148 = [
    ("2023-02-24", "2025-07-05", 3, "district", "district", None),
    ("2023-02-24", "2025-07-05", 4, "province", "province", None),
    ("2023-02-24", "2025-07-05", 5, "central", "central", None),
]
RULES_1489 = [
    ("2025-07-06", None, 3, "province", "province", "commune"),
    ("2025-07-06", None, 4, "province", "province", "commune"),
    ("2025-07-06", None, 5, "central", "central", "commune"),
]


def authority_rules(rows: list[tuple]) -> pd.DataFrame:
    """Authority rules typed like the loader's (dates, nullable star)."""
    frame = pd.DataFrame(rows, columns=RULE_COLUMNS)
    frame["valid_from"] = pd.to_datetime(frame["valid_from"])
    frame["valid_to"] = pd.to_datetime(frame["valid_to"])
    frame["star"] = frame["star"].astype("Int64")
    return frame


def units(rows: list[tuple]) -> pd.DataFrame:
    """Administrative units typed like the loader's."""
    frame = pd.DataFrame(rows, columns=UNIT_COLUMNS)
    frame["valid_from"] = pd.to_datetime(frame["valid_from"])
    frame["valid_to"] = pd.to_datetime(frame["valid_to"])
    return frame


def rounds(rows: list[tuple[int, str, str]]) -> pd.DataFrame:
    """Evaluation rounds (round, level, deadline)."""
    frame = pd.DataFrame(rows, columns=["round", "level", "deadline"])
    frame["deadline"] = pd.to_datetime(frame["deadline"])
    return frame


def certificate_terms(year: int = 2025) -> dict[str, int]:
    """Certificate validity and notice in force on 1 January of ``year``, read from the reference data
    (the code holds no legal constant)."""
    from ocop_helpers.core import paths
    from ocop_helpers.domain import stock
    from ocop_helpers.inputs.readers import read_csv_text
    from ocop_helpers.inputs.schema import convert_table

    table, problems = convert_table(
        read_csv_text(paths.REFERENCE_DIR / "certificate_rules.csv"), "certificate_rules", "certificate_rules.csv"
    )
    assert not problems, problems
    return stock.certificate_terms(table, pd.Timestamp(year, 1, 1))


TERMS = certificate_terms()

"""Claims per item and per organisation from tiny inline requests, products and norms."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ocop_helpers.domain import claims

M = 1_000_000


def norms(duplicate: bool = False) -> pd.DataFrame:
    rows = [
        ("NTM", "trademark", None, None, 20 * M, 1.0, "2021-01-01", "2025-12-31"),
        ("NTM", "packaging", None, 3, 30 * M, 0.5, "2021-01-01", "2025-12-31"),
        ("NTM", "packaging", None, 4, 50 * M, 0.5, "2021-01-01", "2025-12-31"),
        ("NTM", "packaging", None, 5, 100 * M, 0.5, "2021-01-01", "2025-12-31"),
        ("NQ 67", "reward", "first", 3, 50 * M, None, "2024-01-01", "2025-12-31"),
    ]
    if duplicate:
        rows += [
            ("NTM mới", "packaging", None, 3, 40 * M, 0.5, "2026-01-01", None),
            ("NTM mới", "trademark", None, None, 20 * M, 1.0, "2026-01-01", None),
        ]
    f = pd.DataFrame(rows, columns=["policy", "line", "case", "star", "amount_vnd", "share", "valid_from", "valid_to"])
    f["star"] = f["star"].astype("Int64")
    f["share"] = f["share"].astype("Float64")
    f["amount_vnd"] = f["amount_vnd"].astype(np.int64)
    f["valid_from"] = pd.to_datetime(f["valid_from"])
    f["valid_to"] = pd.to_datetime(f["valid_to"])
    return f


def products() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "product_id": ["P1", "P2", "P3", "P4"],
            "organisation_id": ["A", "A", "B", "C"],
            "unit_id": ["u1", "u1", "u2", "u2"],
            "stream": ["new", "upgrade", "new", "new"],
            "current_star": pd.array([None, 3, None, None], dtype="Int64"),
            "target_star": pd.array([3, 4, 5, 2], dtype="Int64"),
        }
    )


def organisations() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "organisation_id": ["A", "B", "C"],
            "unit_id": ["u1", "u2", "u2"],
            "organisation_type": ["cooperative", "household", "enterprise"],
            "requests_branding": [True, True, True],
        }
    )


def requests() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "request_id": ["R1", "R2", "R3", "R4", "R5", "R6"],
            "organisation_id": ["A", "A", "A", "B", "C", "C"],
            "item": ["trademark", "packaging", "packaging", "packaging", "packaging", "packaging"],
            "product_id": [None, "P1", "P2", "P3", "P4", "P1"],
            "cost_vnd": np.array([25, 40, 150, 300, 60, 80], dtype=np.int64) * M,
        }
    ).astype({"product_id": "str"})


def items(**kw: object) -> pd.DataFrame:
    return claims.item_claims(requests(), products(), organisations(), norms(), **kw)


def test_item_claims_apply_share_and_norm_by_target_star() -> None:
    it = items().set_index("request_id")
    # trademark: min(1.0 × 25, 20); 3★: 0.5 × 40 = 20; 4★: min(75, 50); potential 5★: min(150, 100)
    assert it["claim_vnd"].to_dict() == {"R1": 20 * M, "R2": 20 * M, "R3": 50 * M, "R4": 100 * M, "R5": 0, "R6": 0}
    assert it["claim_vnd"].dtype == np.int64
    assert it.loc["R1", "target_star"] == 4 and it.loc["R1", "stream"] == "upgrade"  # A's best product
    assert it.loc["R4", "organisation_type"] == "household" and it.loc["R4", "unit_id"] == "u2"


def test_packaging_eligibility() -> None:
    it = items().set_index("request_id")
    assert not it.loc["R5", "eligible"] and "dưới 3" in it.loc["R5", "reason"]  # target 2★
    assert not it.loc["R6", "eligible"] and "chủ thể khác" in it.loc["R6", "reason"]  # P1 belongs to A
    assert it.loc[["R1", "R2", "R3", "R4"], "eligible"].all()


def test_parameters_override_share_and_caps() -> None:
    it = items(co_financing_share=1.0).set_index("request_id")
    assert it.loc["R2", "claim_vnd"] == 30 * M  # min(40, 30)
    it = items(co_financing_share={"packaging": 0.25}).set_index("request_id")
    assert it.loc["R2", "claim_vnd"] == 10 * M and it.loc["R1", "claim_vnd"] == 20 * M
    it = items(item_cap_vnd=25 * M).set_index("request_id")
    assert it.loc["R3", "claim_vnd"] == 25 * M and it.loc["R4", "claim_vnd"] == 25 * M


def test_organisation_cap_scales_items_exactly() -> None:
    it = items(organisation_cap_vnd=60 * M + 1)
    a = it[it["organisation_id"] == "A"]
    assert a["claim_before_cap_vnd"].sum() == 90 * M
    assert a["claim_vnd"].sum() == 60 * M + 1
    assert (a["claim_vnd"] <= a["claim_before_cap_vnd"]).all()


def test_organisation_claims() -> None:
    oc = claims.organisation_claims(items()).set_index("organisation_id")
    assert oc["claim_vnd"].to_dict() == {"A": 90 * M, "B": 100 * M, "C": 0}
    assert oc.loc["A", "target_star"] == 4 and oc.loc["A", "items"] == 3 and oc.loc["A", "products"] == 2
    assert oc.loc["B", "target_star"] == 5
    capped = claims.organisation_claims(items(), organisation_cap_vnd=80 * M).set_index("organisation_id")
    assert capped["claim_vnd"].to_dict() == {"A": 80 * M, "B": 80 * M, "C": 0}
    assert capped["items_claim_vnd"].to_dict() == {"A": 90 * M, "B": 100 * M, "C": 0}


def test_dated_norms_need_a_date() -> None:
    with pytest.raises(ValueError, match="trùng"):
        claims.item_claims(requests(), products(), organisations(), norms(duplicate=True))
    it = claims.item_claims(requests(), products(), organisations(), norms(duplicate=True), as_of="2026-03-01")
    it = it.set_index("request_id")
    assert it.loc["R2", "claim_vnd"] == 20 * M and it.loc["R2", "norm_vnd"] == 40 * M
    assert it.loc["R3", "claim_vnd"] == 0 and it.loc["R3", "reason"] == "không có định mức"  # no 4★ norm in 2026


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"co_financing_share": 1.5}, "0–1"),
        ({"co_financing_share": -0.1}, "0–1"),
        ({"co_financing_share": {"labels": 0.5}}, "không có"),
        ({"item_cap_vnd": -1}, "không được âm"),
        ({"organisation_cap_vnd": -5}, "không được âm"),
    ],
)
def test_bad_parameters_are_rejected(kw: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        items(**kw)


def test_missing_norms_and_unknown_organisations_are_rejected() -> None:
    no_trademark = norms()[lambda f: f["line"] != "trademark"]
    with pytest.raises(ValueError, match="nhãn hiệu"):
        claims.item_claims(requests(), products(), organisations(), no_trademark)
    with pytest.raises(ValueError, match="không có trong organisations"):
        claims.item_claims(requests(), products(), organisations().iloc[:2], norms())

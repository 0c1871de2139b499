"""Season results checked against the domain's support rules (the inputs layer cannot import them).

:func:`check_support` holds support paid (results ``support.csv``) against what the plan's requests
allow, item by item as :func:`ocop_helpers.domain.claims.item_claims` computes it: the norm for the
item (``limit_vnd``) and the grant requested (``claim_before_cap_vnd`` = requested cost × the state's
share, within the norm), and against an organisation cap when one is given.
:func:`load_season_results` is :func:`ocop_helpers.inputs.results.load_results` with this check,
so one error lists every problem of the results files.
"""

from __future__ import annotations

import pandas as pd

from ocop_helpers.core.errors import PlanValidationError, Problem
from ocop_helpers.core.vnformat import money
from ocop_helpers.domain.claims import item_claims
from ocop_helpers.inputs.plan import Plan
from ocop_helpers.inputs.results import SeasonResults, load_results

ITEM_NAMES: dict[str, str] = {"trademark": "đăng ký nhãn hiệu", "packaging": "bao bì, tem nhãn"}


def _dong(value: float) -> str:
    return f"{money(int(value), unit='đồng')}"


_NO_CLAIMS = pd.DataFrame({"eligible": pd.Series([], dtype=bool), "reason": pd.Series([], dtype=str)})


def _norms_in_force(plan: Plan, when: pd.Timestamp) -> tuple[int, ...]:
    """The positions of the norm rows in force on ``when`` (a key for the claims that follow from them)."""
    start, end = plan.norms["valid_from"], plan.norms["valid_to"]
    mask = (start.isna() | (start <= when)) & (end.isna() | (end >= when))
    return tuple(int(i) for i in mask.to_numpy().nonzero()[0])


def check_support(plan: Plan, results: SeasonResults, organisation_cap_vnd: int | None = None) -> list[Problem]:
    """Problems of support paid: per organisation and item, the cumulative payment (in date order)
    above the item norm or above the grant requested; per organisation, above ``organisation_cap_vnd``.

    Each problem names the row of the payment that crosses the limit. The norms are those in force
    on that payment's date.
    """
    frame = results.support
    file = frame.attrs.get("file", "support.csv")
    lines = list(frame.attrs.get("lines") or range(2, len(frame) + 2))
    known = set(plan.organisations["organisation_id"])
    rows = pd.DataFrame(
        {
            "line": lines,
            "organisation_id": frame["organisation_id"].to_numpy(dtype=object),
            "item": frame["item"].to_numpy(dtype=object),
            "paid_vnd": frame["paid_vnd"].to_numpy(),
            "paid_date": frame["paid_date"].to_numpy(),
        }
    )
    # Rows the inputs already reject (unknown organisation, date outside the plan year) are skipped.
    in_year = pd.to_datetime(rows["paid_date"]).dt.year == plan.year
    ok = rows["organisation_id"].isin(known) & rows["item"].notna() & in_year
    rows = rows[ok].sort_values(["paid_date", "line"], kind="stable")
    problems: list[Problem] = []
    # item_claims once per set of norms in force (not once per payment date).
    by_norms: dict[tuple[int, ...], dict[tuple[str, str], pd.DataFrame] | str] = {}
    paid_item: dict[tuple[str, str], int] = {}
    paid_org: dict[str, int] = {}
    flagged: set[tuple[str, str, str]] = set()
    keys: dict[pd.Timestamp, tuple[int, ...]] = {}
    for r in rows.itertuples(index=False):
        when = pd.Timestamp(r.paid_date)
        if when not in keys:
            keys[when] = _norms_in_force(plan, when)
        norms_key = keys[when]
        if norms_key not in by_norms:
            try:
                items = item_claims(plan.requests, plan.products, plan.organisations, plan.norms, as_of=when)
                by_norms[norms_key] = {k: g for k, g in items.groupby(["organisation_id", "item"], sort=False)}
            except ValueError as exc:
                by_norms[norms_key] = str(exc)
        table = by_norms[norms_key]
        key = (r.organisation_id, r.item)
        paid_item[key] = paid_item.get(key, 0) + int(r.paid_vnd)
        paid_org[r.organisation_id] = paid_org.get(r.organisation_id, 0) + int(r.paid_vnd)
        total = paid_item[key]
        if isinstance(table, str):
            if ("norm", *key) not in flagged:
                flagged.add(("norm", *key))
                problems.append(
                    Problem(
                        file, r.line, "paid_date", f"{when:%Y-%m-%d}", f"không có định mức hỗ trợ hiệu lực: {table}"
                    )
                )
            continue
        mine = table.get(key, _NO_CLAIMS)
        what = ITEM_NAMES.get(r.item, r.item)
        if mine.empty or not mine["eligible"].any():
            if ("request", *key) not in flagged:
                flagged.add(("request", *key))
                why = "" if mine.empty else f" ({'; '.join(sorted(set(mine['reason'])))})"
                problems.append(
                    Problem(
                        file,
                        r.line,
                        "item",
                        r.item,
                        f"chủ thể không có đề nghị hỗ trợ {what} hợp lệ trong requests.csv{why}: không được chi",
                    )
                )
            continue
        norm = int(mine["limit_vnd"].sum())
        grant = int(mine["claim_before_cap_vnd"].sum())
        if total > norm and ("norm", *key) not in flagged:
            flagged.add(("norm", *key))
            problems.append(
                Problem(
                    file,
                    r.line,
                    "paid_vnd",
                    str(int(r.paid_vnd)),
                    f"tổng đã chi cho {what} ({_dong(total)}) vượt định mức hỗ trợ ({_dong(norm)}, norms.csv)",
                )
            )
        elif total > grant and ("grant", *key) not in flagged:
            flagged.add(("grant", *key))
            problems.append(
                Problem(
                    file,
                    r.line,
                    "paid_vnd",
                    str(int(r.paid_vnd)),
                    f"tổng đã chi cho {what} ({_dong(total)}) vượt mức hỗ trợ theo đề nghị ({_dong(grant)} = "
                    "chi phí trong requests.csv × tỷ lệ nhà nước hỗ trợ)",
                )
            )
        org_total = paid_org[r.organisation_id]
        if organisation_cap_vnd is not None and org_total > organisation_cap_vnd:
            if ("cap", r.organisation_id, "") not in flagged:
                flagged.add(("cap", r.organisation_id, ""))
                problems.append(
                    Problem(
                        file,
                        r.line,
                        "paid_vnd",
                        str(int(r.paid_vnd)),
                        f"tổng đã chi cho chủ thể ({_dong(org_total)}) vượt mức trần mỗi chủ thể "
                        f"({_dong(organisation_cap_vnd)})",
                    )
                )
    return problems


def load_season_results(plan: Plan, organisation_cap_vnd: int | None = None) -> SeasonResults | None:
    """The plan's season results, validated by the inputs' checks and :func:`check_support` together
    (one PlanValidationError with every problem); None when the plan has no results."""

    def support(p: Plan, r: SeasonResults) -> list[Problem]:
        return check_support(p, r, organisation_cap_vnd)

    return load_results(plan, checks=(support,))


def check_loaded(plan: Plan, organisation_cap_vnd: int | None = None) -> None:
    """Check the results loaded with the plan (``plan.season_results``, the inputs' checks passed)
    against the support norms and grants; raise PlanValidationError with every problem. Nothing to do
    when the plan has no results. Problems the loader kept (``plan.season_problems``) are reported
    with the payment checks, by reading the files again (every problem at once)."""
    if plan.season_problems:
        load_season_results(plan, organisation_cap_vnd)  # raises with every problem
        raise PlanValidationError(list(plan.season_problems))  # (not reached: the same files fail again)
    if plan.season_results is None:
        return
    problems = check_support(plan, plan.season_results, organisation_cap_vnd)
    if problems:
        raise PlanValidationError(problems)

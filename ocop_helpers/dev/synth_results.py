"""Illustrative season results (not real data): evaluations, support paid and spending drawn for a plan.

:func:`synth_results` draws, with a fixed seed, what the plan's rounds might have given:

* each round's councils decide on one day per level, 10–25 days before the level's deadline in
  plan.yaml; a level that cannot sit on that day (the district level after it was abolished) is left
  out, and each product goes to the first council of its round that may award its star on that day
  (authority_rules.csv and the district-level units in force); 5★ goes to the central council 30
  days after the round's last provincial decision;
* pass rates: new products :data:`PASS_RATES` ``new``, re-evaluations ``reevaluation``, upgrades
  ``upgrade``; a passing product scores inside the band of its target star (star_bands.csv), a new
  4★ candidate that fails gets 3★ half the time, anything else failing scores below its band and
  is not recognised (a failed upgrade keeps its certificate: no new decision);
* support paid to organisations taken in random order while the total stays under
  :data:`BRANDING_SHARE` of the branding line, each eligible item paid 80–100 % of what the state
  would pay (:func:`ocop_helpers.domain.claims.item_claims`), in one or two instalments;
* cumulative spending per budget line at the quarter ends, below the planned amount; the branding
  line is the support paid so far.

:func:`write_results` writes the three CSV files; the same plan and seed give the same bytes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ocop_helpers.core.dated import in_force
from ocop_helpers.dev.synth import to_csv_bytes
from ocop_helpers.domain.claims import item_claims
from ocop_helpers.inputs.plan import Plan
from ocop_helpers.inputs.results import RESULT_TABLES, RESULTS_DIR, SeasonResults
from ocop_helpers.inputs.schema import SCHEMAS

PASS_RATES: dict[str, float] = {"new": 0.5, "reevaluation": 0.9, "upgrade": 0.5}
DECISION_DAYS_BEFORE = (10, 25)  # a council decides this many days before its level's deadline
CENTRAL_DAYS_AFTER = 30  # the central council decides this long after the round's provincial decision
BRANDING_SHARE = 0.9  # support paid stays under this share of the branding line
SPENT_SHARE = {"rewards": (0.55, 0.85), "councils": (0.7, 0.95), "promotion": (0.5, 0.9), "training": (0.6, 0.95)}
DECREE_SUFFIX = {"district": "QĐ-UBND", "province": "QĐ-UBND", "central": "QĐ-BNNMT"}


def _councils(plan: Plan, rng: np.random.Generator) -> pd.DataFrame:
    """One decision day per round and level (rounds of plan.yaml), in deadline order."""
    rows = []
    for r in plan.rounds.itertuples(index=False):
        days = int(rng.integers(DECISION_DAYS_BEFORE[0], DECISION_DAYS_BEFORE[1] + 1))
        rows.append(
            {"round": int(r.round), "level": r.level, "date": pd.Timestamp(r.deadline) - pd.Timedelta(days=days)}
        )
    return pd.DataFrame(rows)


def _sits(plan: Plan, level: str, when: pd.Timestamp) -> bool:
    """Whether a council of ``level`` exists on ``when`` (the district level only while its units do)."""
    if level != "district":
        return True
    units = plan.all_units if plan.all_units is not None else plan.units
    districts = units[(units["province_id"] == plan.province_id) & (units["level"] == "district")]
    return not in_force(districts, when).empty


def _council_for(plan: Plan, councils: pd.DataFrame, rnd: int, star: int) -> tuple[str, pd.Timestamp] | None:
    """The first council of round ``rnd`` that may recognise ``star`` on its decision day."""
    mine = councils[councils["round"] == rnd].sort_values("date", kind="stable")
    for c in mine.itertuples(index=False):
        rules = in_force(plan.authority_rules, c.date)
        allowed = set(rules.loc[rules["star"] == star, "recognising_level"])
        if c.level in allowed and _sits(plan, c.level, c.date):
            return c.level, c.date
    if star == 5 and len(mine):
        last = min(mine["date"].max() + pd.Timedelta(days=CENTRAL_DAYS_AFTER), pd.Timestamp(plan.year, 12, 20))
        return "central", last
    return None


def _score(rng: np.random.Generator, low: float, high: float) -> float:
    """A council mean score in [low, high), in quarter points."""
    value = np.floor(rng.uniform(low, high) * 4) / 4
    return float(min(max(value, low), high - 0.25))


def _band(plan: Plan, star: int, when: pd.Timestamp) -> tuple[float, float]:
    bands = in_force(plan.star_bands, when)
    row = bands[bands["star"] == star].iloc[0]
    return float(row["min_score"]), float(min(row["max_score_exclusive"], 100.25))


def _evaluations(plan: Plan, rng: np.random.Generator) -> pd.DataFrame:
    councils = _councils(plan, rng)
    numbers: dict[tuple[str, pd.Timestamp], str] = {}
    rows = []
    products = plan.products.sort_values("product_id", kind="stable")
    for p in products.itertuples(index=False):
        rnd, target, stream = int(p.planned_round), int(p.target_star), p.stream
        passed = rng.random() < PASS_RATES.get(stream, 0.5)
        star: int | None = target
        if not passed:
            star = 3 if stream == "new" and target == 4 and rng.random() < 0.5 else None
        seat = _council_for(plan, councils, rnd, star or min(target, 4))
        if seat is None:
            continue
        level, when = seat
        if star is not None:
            score = _score(rng, *_band(plan, star, when))
        elif stream == "upgrade" and not pd.isna(p.current_star):
            score = _score(rng, *_band(plan, int(p.current_star), when))
        else:
            score = _score(rng, 30.0, 50.0)
        number = ""
        if star is not None:
            key = (level, when)
            if key not in numbers:
                numbers[key] = f"{int(rng.integers(100, 4000))}/{DECREE_SUFFIX[level]}"
            number = numbers[key]
        rows.append(
            {
                "product_id": p.product_id,
                "round": rnd,
                "level": level,
                "score": score,
                "star": star,
                "decision_number": number,
                "decision_date": when,
            }
        )
    return pd.DataFrame(rows, columns=[c.name for c in SCHEMAS["evaluations"]])


def _support(plan: Plan, rng: np.random.Generator) -> pd.DataFrame:
    claims = item_claims(
        plan.requests, plan.products, plan.organisations, plan.norms, as_of=pd.Timestamp(plan.year, 1, 1)
    )
    claims = claims[claims["eligible"] & (claims["claim_before_cap_vnd"] > 0)]
    planned = plan.budget_lines.set_index("line")["amount_vnd"]
    budget = BRANDING_SHARE * float(planned.get("branding", 0))
    organisations = sorted(claims["organisation_id"].unique())
    order = rng.permutation(len(organisations))
    start, end = pd.Timestamp(plan.year, 3, 1), pd.Timestamp(plan.year, 12, 15)
    span = (end - start).days
    rows = []
    total = 0
    for i in order:
        org = organisations[i]
        mine = claims[claims["organisation_id"] == org]
        pays = []
        for c in mine.itertuples(index=False):
            amount = int(c.claim_before_cap_vnd * rng.uniform(0.8, 1.0)) // 1000 * 1000
            first = start + pd.Timedelta(days=int(rng.integers(0, span - 60)))
            if rng.random() < 0.3 and amount >= 2000:
                half = amount // 2000 * 1000
                second = first + pd.Timedelta(days=int(rng.integers(20, 60)))
                pays += [(c.item, half, first), (c.item, amount - half, second)]
            else:
                pays.append((c.item, amount, first))
        cost = sum(a for _, a, _ in pays)
        if total + cost > budget:
            continue
        total += cost
        rows += [{"organisation_id": org, "item": item, "paid_vnd": a, "paid_date": d} for item, a, d in pays]
    frame = pd.DataFrame(rows, columns=[c.name for c in SCHEMAS["support"]])
    return frame.sort_values(["paid_date", "organisation_id", "item"], kind="stable").reset_index(drop=True)


def _spending(plan: Plan, support: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    quarters = [pd.Timestamp(plan.year, m, 1) + pd.offsets.MonthEnd(0) for m in (3, 6, 9, 12)]
    rows = []
    for b in plan.budget_lines.sort_values("line", kind="stable").itertuples(index=False):
        final = rng.uniform(*SPENT_SHARE.get(b.line, (0.5, 0.9)))
        steps = np.cumsum(rng.dirichlet(np.ones(len(quarters))))
        for when, part in zip(quarters, steps, strict=True):
            if b.line == "branding":
                spent = int(support.loc[support["paid_date"] <= when, "paid_vnd"].sum())
            else:
                spent = int(b.amount_vnd * final * part) // 1_000_000 * 1_000_000
            rows.append({"line": b.line, "spent_vnd": spent, "as_of": when})
    return pd.DataFrame(rows, columns=[c.name for c in SCHEMAS["spending"]])


def _typed(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """``frame`` with the column types of the results loader."""
    out = frame.copy()
    for c in SCHEMAS[name]:
        if c.dtype.startswith("datetime64"):
            out[c.name] = pd.to_datetime(out[c.name]).astype(c.dtype)
        elif c.dtype == "str":
            out[c.name] = out[c.name].astype("str")
        else:
            out[c.name] = out[c.name].astype(c.dtype)
    return out


def synth_results(plan: Plan, seed: int = 1) -> SeasonResults:
    """Illustrative results for both rounds of ``plan`` (see the module docstring); deterministic in ``seed``."""
    rng = np.random.default_rng(seed)
    evaluations = _typed(_evaluations(plan, rng), "evaluations")
    support = _typed(_support(plan, rng), "support")
    spending = _typed(_spending(plan, support, rng), "spending")
    return SeasonResults(evaluations, support, spending, source=f"synth_results(seed={seed})")


def results_csv_bytes(results: SeasonResults) -> dict[str, bytes]:
    """The three results files as CSV bytes (ISO dates, whole đồng, empty star when not recognised)."""
    out = {}
    for name in RESULT_TABLES:
        frame = getattr(results, name).copy()
        for c in SCHEMAS[name]:
            col = frame[c.name]
            if c.dtype.startswith("datetime64"):
                frame[c.name] = col.dt.strftime("%Y-%m-%d")
            elif c.name == "score":
                frame[c.name] = [f"{v:g}" for v in col]
            elif c.dtype == "Int64":
                frame[c.name] = ["" if pd.isna(v) else str(int(v)) for v in col]
        out[f"{name}.csv"] = to_csv_bytes(frame)
    return out


def write_results(results: SeasonResults, plan_dir: str | Path) -> list[Path]:
    """Write the three files into ``<plan_dir>/results/``; returns the paths written."""
    folder = Path(plan_dir) / RESULTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in results_csv_bytes(results).items():
        path = folder / name
        path.write_bytes(data)
        written.append(path)
    return written

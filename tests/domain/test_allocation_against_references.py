"""Every allocation rule against an independent, obviously-correct slow implementation (issue 14).

The references below are plain Python loops written from the definitions in
/work/shared/docs/allocation-notes.md (bisection on the rule's parameter λ or μ, a loop down a
ranked list), sharing no code with ``ocop_helpers.domain.allocation``. The greedy rule is also checked
against pabutools' ``greedy_utilitarian_welfare`` (a test dependency). Random instances come from
hypothesis with a fixed seed (``derandomize=True``) and a bounded number of examples.

Tolerance: grants agree within ``ATOL`` = 0,001 đồng plus ``RTOL`` = 1e-9 of the claim (a bisection
of 200 steps is exact to float precision; the vectorised rules are within a few ulps of the total).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocop_helpers.domain import allocation as al
from ocop_helpers.inputs import loading

ATOL = 1e-3  # đồng
RTOL = 1e-9
EXAMPLES = 30
REF = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None)


# ------------------------------------------------------------------ slow references


def _bisect(payout, target: float, hi: float) -> float:
    """The smallest t in [0, hi] with payout(t) >= target (payout non-decreasing), by 200 halvings."""
    lo = 0.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if payout(mid) < target:
            lo = mid
        else:
            hi = mid
    return hi


def ref_proportional(c: list[float], e: float, w: list[float], prio: list[float]) -> list[float]:
    total = sum(c)
    return list(c) if e >= total else [ci * e / total for ci in c]


def ref_equal_awards(c: list[float], e: float, w: list[float], prio: list[float]) -> list[float]:
    if e >= sum(c):
        return list(c)
    lam = _bisect(lambda t: sum(min(ci, t) for ci in c), e, max(c))
    return [min(ci, lam) for ci in c]


def ref_equal_losses(c: list[float], e: float, w: list[float], prio: list[float]) -> list[float]:
    if e >= sum(c):
        return list(c)
    # awards max(0, c_i - mu) fall as mu grows: bisect on the loss -mu's complement
    top = max(c)
    nu = _bisect(lambda t: sum(max(0.0, ci - (top - t)) for ci in c), e, top)
    return [max(0.0, ci - (top - nu)) for ci in c]


def ref_talmud(c: list[float], e: float, w: list[float], prio: list[float]) -> list[float]:
    half = [ci / 2 for ci in c]
    if e <= sum(c) / 2:
        return ref_equal_awards(half, e, w, prio)
    rest = ref_equal_losses(half, e - sum(c) / 2, w, prio)
    return [h + r for h, r in zip(half, rest, strict=True)]


def _ranked(prio: list[float]) -> list[int]:
    return sorted(range(len(prio)), key=lambda i: (-prio[i], i))


def ref_priority(c: list[float], e: float, w: list[float], prio: list[float]) -> list[float]:
    x = [0.0] * len(c)
    left = e
    for i in _ranked(prio):
        x[i] = min(c[i], max(left, 0.0))
        left -= x[i]
    return x


def ref_weighted_proportional(c: list[float], e: float, w: list[float], prio: list[float]) -> list[float]:
    live = [ci if wi > 0 else 0.0 for ci, wi in zip(c, w, strict=True)]
    if e >= sum(live):
        return live
    hi = max(1 / wi for wi in w if wi > 0)
    lam = _bisect(lambda t: sum(min(ci, t * wi * ci) for ci, wi in zip(c, w, strict=True)), e, hi)
    return [min(ci, lam * wi * ci) for ci, wi in zip(c, w, strict=True)]


def ref_weighted_equal_awards(c: list[float], e: float, w: list[float], prio: list[float]) -> list[float]:
    live = [ci if wi > 0 else 0.0 for ci, wi in zip(c, w, strict=True)]
    if e >= sum(live):
        return live
    hi = max(ci / wi for ci, wi in zip(c, w, strict=True) if wi > 0)
    lam = _bisect(lambda t: sum(min(ci, t * wi) for ci, wi in zip(c, w, strict=True)), e, hi)
    return [min(ci, lam * wi) for ci, wi in zip(c, w, strict=True)]


def ref_greedy(c: list[float], e: float, w: list[float], prio: list[float]) -> list[float]:
    def density(i: int) -> float:
        return math.inf if c[i] == 0 else prio[i] / c[i]

    x = [0.0] * len(c)
    left = e
    for i in sorted(range(len(c)), key=lambda i: (-density(i), i)):
        if c[i] <= left + 1e-9:
            x[i] = c[i]
            left -= c[i]
    return x


REFERENCES = {
    "priority": ref_priority,
    "proportional": ref_proportional,
    "equal_awards": ref_equal_awards,
    "equal_losses": ref_equal_losses,
    "talmud": ref_talmud,
    "weighted_proportional": ref_weighted_proportional,
    "weighted_equal_awards": ref_weighted_equal_awards,
    "greedy": ref_greedy,
}


def ref_with_min_grant(rule: str, c, e, w, prio, min_grant: float, min_share: float) -> list[float]:
    """The longest top-k of the priority list in which every grant is useful, by trying every k."""
    order = _ranked(prio)
    need = [min(ci, max(min_grant, min_share * ci)) - 1e-6 * max(ci, 1.0) for ci in c]
    for k in range(len(c), -1, -1):
        inside = set(order[:k])
        ck = [ci if i in inside else 0.0 for i, ci in enumerate(c)]
        x = REFERENCES[rule](ck, e, w, prio)
        if all(x[i] >= need[i] for i in inside):
            return x
    raise AssertionError("k = 0 is always feasible")


# ------------------------------------------------------------------ instances


@st.composite
def instances(draw, positive_weights: bool = False):
    n = draw(st.integers(1, 12))
    claims = draw(st.lists(st.integers(0, 2_000_000_000), min_size=n, max_size=n))
    if sum(claims) == 0:
        claims[0] = 1_000_000
    low = 1 if positive_weights else 0
    weights = draw(st.lists(st.integers(low, 5), min_size=n, max_size=n))
    if not any(weights):
        weights[0] = 1
    prio = draw(st.lists(st.integers(0, 9), min_size=n, max_size=n))
    share = draw(st.one_of(st.sampled_from([0.0, 0.5, 0.5001, 1.0, 1.3]), st.integers(0, 1200).map(lambda k: k / 1000)))
    envelope = float(round(sum(claims) * share))
    return [float(v) for v in claims], envelope, [float(v) for v in weights], [float(v) for v in prio]


def _close(x, ref, c) -> None:
    x = np.asarray(x, dtype=float)
    ref = np.asarray(ref, dtype=float)
    tol = ATOL + RTOL * np.asarray(c, dtype=float)
    assert (np.abs(x - ref) <= tol).all(), f"\nrule: {x.tolist()}\nref:  {ref.tolist()}"


@REF
@pytest.mark.parametrize("rule", list(al.RULES))
@given(inst=instances())
def test_rule_equals_its_slow_reference(rule: str, inst) -> None:
    c, e, w, prio = inst
    x = al.RULES[rule](np.array(c), e, weights=np.array(w), priority=np.array(prio))
    _close(x, REFERENCES[rule](c, e, w, prio), c)


@REF
@pytest.mark.parametrize("rule", [r for r in al.RULES if r != "greedy"])
@given(inst=instances(), m=st.sampled_from([0.0, 1e8, 5e8]), s=st.sampled_from([0.0, 0.3, 0.8]))
def test_rule_with_minimum_grant_equals_the_reference(rule: str, inst, m: float, s: float) -> None:
    c, e, w, prio = inst
    x = al.RULES[rule](np.array(c), e, weights=np.array(w), priority=np.array(prio), min_grant=m, min_share=s)
    _close(x, ref_with_min_grant(rule, c, e, w, prio, m, s), c)


@pytest.mark.parametrize("rule", list(al.RULES))
def test_rule_equals_its_reference_across_the_whole_range_of_envelopes(rule: str) -> None:
    """One fixed instance, the envelope from 0 to 120 % of the claims in 2,5 % steps (every branch of
    every rule: below and above half the claims for Talmud, every kink of the water levels)."""
    rng = np.random.default_rng(14)
    c = np.rint(rng.lognormal(np.log(60e6), 0.8, 15))
    c[4] = 0.0
    w = rng.integers(1, 6, 15).astype(float)
    prio = rng.integers(0, 9, 15).astype(float)
    for k in range(49):
        e = float(round(c.sum() * k * 0.025))
        x = al.RULES[rule](c, e, weights=w, priority=prio)
        _close(x, REFERENCES[rule](c.tolist(), e, w.tolist(), prio.tolist()), c)


# ------------------------------------------------------------------ known properties


@REF
@pytest.mark.parametrize("rule", list(al.RULES))
@given(inst=instances(positive_weights=True))
def test_grants_are_within_claims_and_spend_the_envelope(rule: str, inst) -> None:
    c, e, w, prio = inst
    x = al.RULES[rule](np.array(c), e, weights=np.array(w), priority=np.array(prio))
    assert (x >= -ATOL).all() and (x <= np.array(c) + ATOL).all(), "a grant above its claim"
    if rule == "greedy":
        assert x.sum() <= e + ATOL
        left = e - x.sum()
        # no unfunded claim would still fit into what is left
        assert all(xi > 0 or ci > left or ci == 0 for xi, ci in zip(x, c, strict=True))
    else:
        assert x.sum() == pytest.approx(min(e, sum(c)), rel=1e-9, abs=ATOL)


@REF
@pytest.mark.parametrize("rule", ["proportional", "equal_awards", "equal_losses", "talmud"])
@given(inst=instances())
def test_order_preservation_of_awards_and_losses(rule: str, inst) -> None:
    c, e, w, prio = inst
    x = al.RULES[rule](np.array(c), e)
    for i in range(len(c)):
        for j in range(len(c)):
            if c[i] <= c[j]:
                assert x[i] <= x[j] + ATOL, "a smaller claim got more"
                assert c[i] - x[i] <= c[j] - x[j] + ATOL, "a smaller claim lost more"


@REF
@pytest.mark.parametrize("rule", ["proportional", "equal_awards", "equal_losses", "talmud"])
@given(inst=instances(), data=st.data())
def test_consistency_on_every_subgroup(rule: str, inst, data) -> None:
    """Re-dividing what a subgroup received among its members gives each the same grant."""
    c, e, w, prio = inst
    x = al.RULES[rule](np.array(c), e)
    subset = data.draw(st.sets(st.integers(0, len(c) - 1), min_size=1))
    idx = sorted(subset)
    again = al.RULES[rule](np.array([c[i] for i in idx]), float(sum(x[i] for i in idx)))
    _close(again, [x[i] for i in idx], [c[i] for i in idx])


@REF
@given(inst=instances())
def test_talmud_is_self_dual(inst) -> None:
    c, e, w, prio = inst
    e = min(e, sum(c))
    x = al.talmud(np.array(c), e)
    dual = np.array(c) - al.talmud(np.array(c), sum(c) - e)
    _close(x, dual, c)


# ------------------------------------------------------------------ pabutools


def _pabutools_greedy(costs: list[int], utilities: list[int], budget: int) -> list[int]:
    import pabutools.fractions
    from pabutools.election import Additive_Cardinal_Sat, CardinalBallot, CardinalProfile, Instance, Project
    from pabutools.rules import greedy_utilitarian_welfare

    pabutools.fractions.FRACTION = "float"  # exact fractions are ~40x slower on đồng-sized costs
    projects = [Project(f"{i:05d}", cost=int(v)) for i, v in enumerate(costs)]  # names sort like indices
    inst = Instance(projects, budget_limit=int(budget))
    profile = CardinalProfile(
        [CardinalBallot({p: int(u) for p, u in zip(projects, utilities, strict=True)})], instance=inst
    )
    chosen = greedy_utilitarian_welfare(inst, profile, sat_class=Additive_Cardinal_Sat)
    return sorted(int(p.name) for p in chosen)


@settings(max_examples=40, derandomize=True, deadline=None, database=None)
@given(
    costs=st.lists(st.integers(1, 100_000_000), min_size=1, max_size=25),
    data=st.data(),
)
def test_greedy_matches_pabutools_on_random_instances(costs: list[int], data) -> None:
    utilities = data.draw(st.lists(st.integers(1, 9), min_size=len(costs), max_size=len(costs)))
    budget = data.draw(st.integers(0, sum(costs)))
    x = al.greedy(np.array(costs, dtype=float), float(budget), priority=np.array(utilities, dtype=float))
    assert np.flatnonzero(x).tolist() == _pabutools_greedy(costs, utilities, budget)


def test_greedy_matches_pabutools_on_the_default_plan_claims() -> None:
    from ocop_helpers.model import compute, params
    from tests.support.plans import DEFAULT_PLAN

    plan = loading.load_plan(DEFAULT_PLAN)
    p = params.Params({})
    model = compute.Model(plan)
    _, orgs = model.claims(p)
    costs = orgs["claim_vnd"].astype(int).tolist()
    scores = al.priority_scores(orgs, compute.priority_weights(p))
    utilities = np.rint(scores.to_numpy() * 4).astype(int)  # whole utilities, the same order
    envelope = model.envelope(p)
    x = al.greedy(np.array(costs, dtype=float), float(envelope), priority=utilities.astype(float))
    funded = np.flatnonzero(x).tolist()
    assert 0 < len(funded) < len(costs)  # the envelope (5,2 tỷ) does not cover all 153 claims
    assert funded == _pabutools_greedy(costs, utilities.tolist(), envelope)

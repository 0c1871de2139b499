"""Rationing the branding-support envelope among organisations.

Four stages (``claims`` builds stages 1–2): eligibility, claims, rationing, rounding. This module
holds stage 3 and 4:

* rules ``x = R(c, E)`` with ``0 <= x_i <= c_i`` and ``Σ x = min(E, Σ c)``, all with one signature
  ``rule(claims, envelope, *, weights=None, priority=None, min_grant=0, min_share=0) -> grants``
  and vectorised over Monte Carlo draws (``claims`` is ``(orgs,)`` or ``(draws, orgs)``);
* priority scores from parameters (target star, stream, unit equity, organisation type);
* the optimum as a MILP (``scipy.optimize.milp``, HiGHS);
* integer đồng with a largest-remainder pass, per organisation and back to its items;
* metrics for one allocation and for every draw at once.

References for the rules: W. Thomson, "Axiomatic and game-theoretic analysis of bankruptcy and
taxation problems", Math. Social Sciences 45 (2003) 249–297, and *How to Divide When There Isn't
Enough* (Cambridge UP, 2019); B. O'Neill, Math. Social Sciences 2 (1982) 345–371; R. Aumann and
M. Maschler, J. Economic Theory 36 (1985) 195–213; H. Moulin, Econometrica 68 (2000) 643–684.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, sparse

from ocop_helpers import labels

Rule = Callable[..., np.ndarray]

_TOL = 1e-9
MILLION = 1_000_000


# --------------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------------


def _claims_2d(claims: np.ndarray | pd.Series | list) -> tuple[np.ndarray, bool]:
    """Claims as a float (draws, orgs) array and whether the input was one-dimensional."""
    c = np.asarray(claims, dtype=float)
    if c.ndim not in (1, 2):
        raise ValueError(
            f"claims phải là mảng 1 chiều (chủ thể) hoặc 2 chiều (lượt mô phỏng × chủ thể), nhận {c.ndim} chiều"
        )
    if np.isnan(c).any():
        raise ValueError("claims có giá trị trống (NaN)")
    if (c < 0).any():
        raise ValueError("claims không được âm")
    return (c[None, :], True) if c.ndim == 1 else (c, False)


def _envelope_1d(envelope: float | np.ndarray, draws: int) -> np.ndarray:
    """The envelope as a (draws,) float array; negative or missing values are rejected."""
    e = np.asarray(envelope, dtype=float)
    if e.ndim > 1 or (e.ndim == 1 and e.shape[0] != draws):
        raise ValueError(f"envelope phải là một số hoặc mảng {draws} giá trị (một cho mỗi lượt mô phỏng)")
    if np.isnan(e).any():
        raise ValueError("envelope không được để trống")
    if (e < 0).any():
        raise ValueError(f"envelope (tổng kinh phí hỗ trợ) không được âm, nhận {e.min():,.0f}")
    return np.broadcast_to(e, (draws,)).astype(float)


def _vector(values: np.ndarray | pd.Series | list | None, n: int, name: str, default: float) -> np.ndarray:
    """A per-organisation parameter vector (orgs,) or (draws, orgs), non-negative."""
    if values is None:
        return np.full(n, default)
    v = np.asarray(values, dtype=float)
    if v.shape[-1] != n:
        raise ValueError(f"{name} phải có {n} giá trị (một cho mỗi chủ thể), nhận {v.shape[-1]}")
    if np.isnan(v).any() or (v < 0).any():
        raise ValueError(f"{name} phải là số không âm")
    return v


def _check_min(min_grant: float, min_share: float) -> None:
    if min_grant < 0:
        raise ValueError(f"min_grant (mức hỗ trợ tối thiểu) không được âm, nhận {min_grant}")
    if not 0 <= min_share <= 1:
        raise ValueError(f"min_share (tỷ lệ hỗ trợ tối thiểu) phải trong khoảng 0–1, nhận {min_share}")


def _out(x: np.ndarray, squeeze: bool) -> np.ndarray:
    return x[0] if squeeze else x


# --------------------------------------------------------------------------------------------
# The one routine behind PRO, CEA, WPRO, WCEA: Σ min(c_i, λ a_i) = E
# --------------------------------------------------------------------------------------------


def _argsort_rows(v: np.ndarray, descending: bool = False) -> np.ndarray:
    """Row-wise argsort of non-negative values (``+inf`` allowed), stable for equal values.

    Packs each value's IEEE bits (order-preserving for non-negative floats) with the column index
    in the low bits and sorts the int64 keys: about twice as fast as ``np.argsort``. Values closer
    than ~2^-(52 - log2 n) relative are ordered by column, as if they were equal.
    """
    d, n = v.shape
    shift = max(1, int(n - 1).bit_length())
    bits = (np.asarray(v, dtype=float) + 0.0).view(np.int64)
    if descending:
        bits = np.int64(0x7FF0000000000000) - bits
    key = ((bits >> shift) << shift) | np.arange(n, dtype=np.int64)
    key.sort(axis=1)
    return key & np.int64((1 << shift) - 1)


def _flat(order: np.ndarray) -> np.ndarray:
    """Flat indices of a row-wise permutation, for fast gather/scatter."""
    d, n = order.shape
    return order + (np.arange(d, dtype=np.int64) * n)[:, None]


def _gather(v: np.ndarray, flat: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(v).ravel()[flat]


def _scatter(vals: np.ndarray, flat: np.ndarray) -> np.ndarray:
    out = np.empty(vals.shape, dtype=vals.dtype)
    out.ravel()[flat.ravel()] = vals.ravel()
    return out


def _cea(c: np.ndarray, e: np.ndarray, cs: np.ndarray | None = None) -> np.ndarray:
    """Constrained equal awards ``min(c, λ)`` row by row; ``cs`` = ``np.sort(c, axis=1)`` if known."""
    d, n = c.shape
    if n == 0:
        return c.copy()
    if cs is None:
        cs = np.sort(c, axis=1)
    cum_c = np.cumsum(cs, axis=1)
    # payout when λ equals the k-th smallest claim: Σ_{j<=k} c_j + c_k (n-1-k)
    f = cs * (n - 1 - np.arange(n))
    f += cum_c
    k = np.count_nonzero(f < e[:, None], axis=1)
    rows = np.arange(d)
    prev_c = np.where(k > 0, cum_c[rows, np.maximum(k - 1, 0)], 0.0)
    rest = n - k
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = np.where(rest > 0, (e - prev_c) / np.maximum(rest, 1), np.inf)
    return np.minimum(c, lam[:, None])


def _wcea(c: np.ndarray, w: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Weighted constrained equal awards: ``min(c_i, λ w_i)`` with ``Σ = min(E, C)``, row by row.

    Sort ``c_i / w_i``; the payout at λ = r_k is ``Σ_{j<=k} c_j + r_k Σ_{j>k} w_j``. Organisations
    with ``w_i = 0`` get 0.
    """
    d, n = c.shape
    live = np.flatnonzero(w > 0)
    x = np.zeros_like(c)
    if live.size == 0:
        return x
    cl, wl = (c, w) if live.size == n else (c[:, live], w[live])
    r = cl / wl
    order = _argsort_rows(r)
    flat = _flat(order)
    rs = _gather(r, flat)
    cum_c = np.cumsum(_gather(cl, flat), axis=1)
    cum_w = np.cumsum(wl[order], axis=1)
    total_w = float(wl.sum())
    f = (total_w - cum_w) * rs
    f += cum_c
    k = np.count_nonzero(f < e[:, None], axis=1)
    rows = np.arange(d)
    prev_c = np.where(k > 0, cum_c[rows, np.maximum(k - 1, 0)], 0.0)
    prev_w = np.where(k > 0, cum_w[rows, np.maximum(k - 1, 0)], 0.0)
    denom = total_w - prev_w
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = np.where(denom > _TOL * total_w, (e - prev_c) / denom, np.inf)
    if live.size == n:
        return np.minimum(cl, lam[:, None] * wl)
    x[:, live] = np.minimum(cl, lam[:, None] * wl)
    return x


def _ranks(priority: np.ndarray | None, n: int) -> np.ndarray:
    """Position of every organisation in the priority list (0 = first); ties keep input order."""
    if priority is None:
        return np.arange(n)
    order = np.argsort(-np.asarray(priority, dtype=float), kind="stable")
    ranks = np.empty(n, dtype=np.int64)
    ranks[order] = np.arange(n)
    return ranks


def _with_min_grant(
    core: Callable[[np.ndarray, np.ndarray], np.ndarray],
    c: np.ndarray,
    e: np.ndarray,
    priority: np.ndarray | None,
    min_grant: float,
    min_share: float,
) -> np.ndarray:
    """Apply ``core`` to the longest top-k of the priority list in which every grant is useful.

    A grant is useful when it is at least ``min(c_i, max(min_grant, min_share · c_i))``. The rules
    here are population-monotonic (adding claimants never raises anyone's award), so the largest
    feasible k is found by binary search, separately for every draw.
    """
    if min_grant <= 0 and min_share <= 0:
        return core(c, e)
    d, n = c.shape
    need = np.minimum(c, np.maximum(min_grant, min_share * c)) - 1e-6 * np.maximum(c, 1.0)
    ranks = _ranks(priority, n)
    lo = np.zeros(d, dtype=np.int64)
    hi = np.full(d, n, dtype=np.int64)
    while (lo < hi).any():
        mid = (lo + hi + 1) // 2
        inside = ranks[None, :] < mid[:, None]
        x = core(np.where(inside, c, 0.0), e)
        ok = ((x >= need) | ~inside).all(axis=1)
        lo = np.where(ok & (lo < hi), mid, lo)
        hi = np.where(~ok & (lo < hi), mid - 1, hi)
    inside = ranks[None, :] < lo[:, None]
    return core(np.where(inside, c, 0.0), e)


# --------------------------------------------------------------------------------------------
# Rules: one core per rule on (draws, orgs) arrays; the public functions check their inputs
# --------------------------------------------------------------------------------------------

Core = Callable[[np.ndarray, np.ndarray, np.ndarray, "np.ndarray | None", "np.ndarray | None"], np.ndarray]


def _priority_core(
    c: np.ndarray, e: np.ndarray, w: np.ndarray, prio: np.ndarray | None, cs: np.ndarray | None
) -> np.ndarray:
    inverse = _ranks(prio, c.shape[1])
    order = np.empty_like(inverse)
    order[inverse] = np.arange(inverse.size)
    s = c[:, order]
    before = np.cumsum(s, axis=1)
    before -= s
    xs = np.clip(e[:, None] - before, 0.0, s)
    return xs[:, inverse]


def _proportional_core(
    c: np.ndarray, e: np.ndarray, w: np.ndarray, prio: np.ndarray | None, cs: np.ndarray | None
) -> np.ndarray:
    total = c.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(total > e, e / np.where(total > 0, total, 1.0), 1.0)
    return c * f[:, None]


def _cea_core(
    c: np.ndarray, e: np.ndarray, w: np.ndarray, prio: np.ndarray | None, cs: np.ndarray | None
) -> np.ndarray:
    return _cea(c, e, cs)


def _cel_core(
    c: np.ndarray, e: np.ndarray, w: np.ndarray, prio: np.ndarray | None, cs: np.ndarray | None
) -> np.ndarray:
    losses = _cea(c, np.maximum(c.sum(axis=1) - e, 0.0), cs)
    return np.clip(c - losses, 0.0, c)


def _talmud_core(
    c: np.ndarray, e: np.ndarray, w: np.ndarray, prio: np.ndarray | None, cs: np.ndarray | None
) -> np.ndarray:
    half = c / 2.0
    total = c.sum(axis=1)
    low = e <= total / 2.0
    # E <= C/2: CEA(c/2, E); otherwise c/2 + CEL(c/2, E - C/2) = c - CEA(c/2, C - E)
    y = _cea(half, np.where(low, e, np.maximum(total - e, 0.0)), None if cs is None else cs / 2.0)
    return np.where(low[:, None], y, c - y)


def _wpro_core(
    c: np.ndarray, e: np.ndarray, w: np.ndarray, prio: np.ndarray | None, cs: np.ndarray | None
) -> np.ndarray:
    # x_i = c_i min(1, λ w_i): organisations are paid in full in decreasing w, the same order in
    # every draw; the payout at λ = 1 / w_k is Σ_{j<=k} c_j + Σ_{j>k} w_j c_j / w_k.
    d, n = c.shape
    live = np.flatnonzero(w > 0)
    order = live[np.argsort(-w[live], kind="stable")]
    x = np.zeros_like(c)
    if order.size == 0:
        return x
    wo = w[order]
    s = c[:, order]
    cum_c = np.cumsum(s, axis=1)
    cum_wc = np.cumsum(s * wo, axis=1)
    tail = cum_wc[:, -1:] - cum_wc
    f = tail / wo
    f += cum_c
    k = np.count_nonzero(f < e[:, None], axis=1)
    rows = np.arange(d)
    prev_c = np.where(k > 0, cum_c[rows, np.maximum(k - 1, 0)], 0.0)
    prev_wc = np.where(k > 0, cum_wc[rows, np.maximum(k - 1, 0)], 0.0)
    denom = cum_wc[:, -1] - prev_wc
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = np.where(denom > 0, (e - prev_c) / denom, np.inf)
    if live.size == n:
        return c * np.minimum(1.0, lam[:, None] * w)
    x[:, live] = c[:, live] * np.minimum(1.0, lam[:, None] * w[live])
    return x


def _wcea_core(
    c: np.ndarray, e: np.ndarray, w: np.ndarray, prio: np.ndarray | None, cs: np.ndarray | None
) -> np.ndarray:
    return _wcea(c, w, e)


def _greedy_core(
    c: np.ndarray, e: np.ndarray, w: np.ndarray, prio: np.ndarray | None, cs: np.ndarray | None
) -> np.ndarray:
    d, n = c.shape
    value = np.ones(n) if prio is None else prio
    with np.errstate(divide="ignore", invalid="ignore"):
        density = np.where(c > 0, value / np.where(c > 0, c, 1.0), np.inf)
    flat = _flat(_argsort_rows(density, descending=True))
    s = _gather(c, flat)
    take = _greedy_loop(s, e) if n <= 4 * d or n <= 64 else _greedy_passes(s, e)
    return _scatter(np.where(take, s, 0.0), flat)


def _greedy_loop(cs: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Sequential greedy over sorted claims, one vector step per position (many draws, few orgs)."""
    cols = np.ascontiguousarray(cs.T)
    remaining = e.copy()
    take = np.empty(cols.shape, dtype=bool)
    for j in range(cols.shape[0]):
        fits = cols[j] <= remaining + _TOL
        take[j] = fits
        remaining -= np.where(fits, cols[j], 0.0)
    return take.T


def _greedy_passes(cs: np.ndarray, e: np.ndarray) -> np.ndarray:
    """The same greedy in vectorised passes (few draws, many orgs).

    Each pass drops claims larger than what is left (they can never fit later), takes the longest
    prefix that fits, and drops the first claim after it (it no longer fits either).
    """
    d, n = cs.shape
    remaining = e.copy()
    active = np.ones(cs.shape, dtype=bool)
    take = np.zeros(cs.shape, dtype=bool)
    rows = np.arange(d)
    while True:
        active &= cs <= remaining[:, None] + _TOL
        if not active.any():
            break
        cum = np.cumsum(np.where(active, cs, 0.0), axis=1)
        now = active & (cum <= remaining[:, None] + _TOL)
        take |= now
        remaining = remaining - np.where(now, cs, 0.0).sum(axis=1)
        active &= ~now
        has = active.any(axis=1)
        active[rows[has], np.argmax(active, axis=1)[has]] = False
    return take


_CORES: dict[str, Core] = {}


def _run(
    name: str,
    claims: np.ndarray,
    envelope: float | np.ndarray,
    weights: np.ndarray | None,
    priority: np.ndarray | None,
    min_grant: float,
    min_share: float,
) -> np.ndarray:
    """Check the inputs, apply the rule's core (with minimum grants) and keep the input's shape."""
    c, squeeze = _claims_2d(claims)
    e = _envelope_1d(envelope, c.shape[0])
    _check_min(min_grant, min_share)
    n = c.shape[1]
    w = _vector(weights, n, "weights", 1.0)
    prio = None if priority is None else _vector(priority, n, "priority", 0.0)
    core = _CORES[name]
    if name == "greedy":  # whole claims only: every grant is useful
        return _out(core(c, e, w, prio, None), squeeze)
    return _out(_with_min_grant(lambda cc, ee: core(cc, ee, w, prio, None), c, e, prio, min_grant, min_share), squeeze)


def priority_rule(
    claims: np.ndarray,
    envelope: float | np.ndarray,
    *,
    weights: np.ndarray | None = None,
    priority: np.ndarray | None = None,
    min_grant: float = 0,
    min_share: float = 0,
) -> np.ndarray:
    """Norm-based funding in priority order (Ưu tiên theo thứ tự).

    Definition: rank organisations by ``priority`` (highest first, ties in input order); fund each
    claim in full down the list until the envelope runs out; the last one funded gets the rest.
    With a minimum useful grant, a last partial grant below it is dropped (that money stays unspent).
    Reference: Thomson (2019), ch. 2 "priority rules"; Moulin (2000), Econometrica 68, §4.
    """
    return _run("priority", claims, envelope, weights, priority, min_grant, min_share)


def proportional(
    claims: np.ndarray,
    envelope: float | np.ndarray,
    *,
    weights: np.ndarray | None = None,
    priority: np.ndarray | None = None,
    min_grant: float = 0,
    min_share: float = 0,
) -> np.ndarray:
    """Proportional rationing (Hỗ trợ theo tỷ lệ).

    Definition: ``x_i = min(1, E / C) · c_i`` — everyone receives the same share of their claim.
    Reference: O'Neill (1982), Math. Social Sciences 2; Thomson (2003), §2.1.
    """
    return _run("proportional", claims, envelope, weights, priority, min_grant, min_share)


def equal_awards(
    claims: np.ndarray,
    envelope: float | np.ndarray,
    *,
    weights: np.ndarray | None = None,
    priority: np.ndarray | None = None,
    min_grant: float = 0,
    min_share: float = 0,
) -> np.ndarray:
    """Constrained equal awards, "water-filling" (Chia đều có giới hạn).

    Definition: ``x_i = min(c_i, λ)`` with λ chosen so that ``Σ x_i = min(E, C)``: small claims are
    paid in full, large ones are cut to a common ceiling.
    Reference: Thomson (2003), §2.1 (CEA); Aumann and Maschler (1985) (Maimonides' rule).
    """
    return _run("equal_awards", claims, envelope, weights, priority, min_grant, min_share)


def equal_losses(
    claims: np.ndarray,
    envelope: float | np.ndarray,
    *,
    weights: np.ndarray | None = None,
    priority: np.ndarray | None = None,
    min_grant: float = 0,
    min_share: float = 0,
) -> np.ndarray:
    """Constrained equal losses (Chia đều phần thiếu hụt).

    Definition: ``x_i = max(0, c_i − μ)`` with μ chosen so that ``Σ x_i = min(E, C)``: everyone
    loses the same amount, never more than their claim. Dual of CEA: ``CEL(c, E) = c − CEA(c, C − E)``.
    Reference: Thomson (2003), §2.1 (CEL); Aumann and Maschler (1985).
    """
    return _run("equal_losses", claims, envelope, weights, priority, min_grant, min_share)


def talmud(
    claims: np.ndarray,
    envelope: float | np.ndarray,
    *,
    weights: np.ndarray | None = None,
    priority: np.ndarray | None = None,
    min_grant: float = 0,
    min_share: float = 0,
) -> np.ndarray:
    """Talmud rule (Quy tắc Talmud).

    Definition: if ``E <= C/2``: ``CEA(c/2, E)``; otherwise ``c/2 + CEL(c/2, E − C/2)``. Reproduces the
    Talmud's 100/200/300 example (E = 100, 200, 300 → 33⅓ each; 50/75/75; 50/100/150).
    Reference: Aumann and Maschler (1985), J. Economic Theory 36, 195–213.
    """
    return _run("talmud", claims, envelope, weights, priority, min_grant, min_share)


def weighted_proportional(
    claims: np.ndarray,
    envelope: float | np.ndarray,
    *,
    weights: np.ndarray | None = None,
    priority: np.ndarray | None = None,
    min_grant: float = 0,
    min_share: float = 0,
) -> np.ndarray:
    """Weighted proportional rationing (Theo tỷ lệ có trọng số ưu tiên).

    Definition: ``x_i = min(c_i, λ w_i c_i)`` with ``Σ x_i = min(E, C)``: the funded share grows with
    the priority weight ``w_i`` until the claim is met. Organisations with weight 0 get nothing.
    Reference: Thomson (2019), ch. 4 (weighted rules); Moulin (2000).
    """
    return _run("weighted_proportional", claims, envelope, weights, priority, min_grant, min_share)


def weighted_equal_awards(
    claims: np.ndarray,
    envelope: float | np.ndarray,
    *,
    weights: np.ndarray | None = None,
    priority: np.ndarray | None = None,
    min_grant: float = 0,
    min_share: float = 0,
) -> np.ndarray:
    """Weighted constrained equal awards (Chia đều có giới hạn theo trọng số ưu tiên).

    Definition: ``x_i = min(c_i, λ w_i)`` with ``Σ x_i = min(E, C)``: water-filling in which the
    common ceiling is scaled by each organisation's priority weight.
    Reference: Thomson (2019), ch. 4 (weighted constrained equal awards).
    """
    return _run("weighted_equal_awards", claims, envelope, weights, priority, min_grant, min_share)


def greedy(
    claims: np.ndarray,
    envelope: float | np.ndarray,
    *,
    weights: np.ndarray | None = None,
    priority: np.ndarray | None = None,
    min_grant: float = 0,
    min_share: float = 0,
) -> np.ndarray:
    """All-or-nothing greedy by priority per đồng (Chọn trọn gói theo ưu tiên trên chi phí).

    Definition: sort organisations by ``priority_i / c_i`` (highest first, ties in input order) and
    fund each whole claim that still fits in what is left; no partial grants, so minimum grants
    hold automatically. The participatory-budgeting view: pabutools' ``greedy_utilitarian_welfare``
    with additive utilities ``priority_i`` picks the same set.
    Reference: Dantzig (1957), Oper. Res. 5 (knapsack greedy); Aziz and Shah, "Participatory
    budgeting: models and approaches" (2021).
    """
    return _run("greedy", claims, envelope, weights, priority, min_grant, min_share)


_CORES.update(
    {
        "priority": _priority_core,
        "proportional": _proportional_core,
        "equal_awards": _cea_core,
        "equal_losses": _cel_core,
        "talmud": _talmud_core,
        "weighted_proportional": _wpro_core,
        "weighted_equal_awards": _wcea_core,
        "greedy": _greedy_core,
    }
)

RULES: dict[str, Rule] = {
    "priority": priority_rule,
    "proportional": proportional,
    "equal_awards": equal_awards,
    "equal_losses": equal_losses,
    "talmud": talmud,
    "weighted_proportional": weighted_proportional,
    "weighted_equal_awards": weighted_equal_awards,
    "greedy": greedy,
}
"""The heuristic rules by code; ``"optimum"`` (the MILP) is handled by :func:`allocate`."""

_SORTED_CLAIMS_RULES = frozenset({"equal_awards", "equal_losses", "talmud"})


def solve_rules(
    claims: np.ndarray,
    envelope: float | np.ndarray,
    rules: list[str] | tuple[str, ...] | None = None,
    *,
    weights: np.ndarray | None = None,
    priority: np.ndarray | None = None,
    min_grant: float = 0,
    min_share: float = 0,
) -> dict[str, np.ndarray]:
    """Several rules on the same claims (typically all Monte Carlo draws at once).

    Same results as calling each rule; without minimum grants the row-sorted claims are computed
    once and shared by CEA, CEL and Talmud.
    """
    names = list(RULES) if rules is None else list(rules)
    for name in names:
        get_rule(name)
    c, squeeze = _claims_2d(claims)
    e = _envelope_1d(envelope, c.shape[0])
    _check_min(min_grant, min_share)
    if min_grant > 0 or min_share > 0:
        return {
            name: RULES[name](
                claims, envelope, weights=weights, priority=priority, min_grant=min_grant, min_share=min_share
            )
            for name in names
        }
    n = c.shape[1]
    w = _vector(weights, n, "weights", 1.0)
    prio = None if priority is None else _vector(priority, n, "priority", 0.0)
    cs = np.sort(c, axis=1) if _SORTED_CLAIMS_RULES & set(names) else None
    return {name: _out(_CORES[name](c, e, w, prio, cs), squeeze) for name in names}


OPTIMUM = "optimum"


def get_rule(name: str) -> Rule:
    """The rule function for ``name``; a clear ValueError for an unknown name."""
    try:
        return RULES[name]
    except KeyError:
        known = ", ".join([*RULES, OPTIMUM])
        raise ValueError(f"Không có quy tắc phân bổ '{name}'. Các quy tắc: {known}") from None


def rule_description(name: str) -> dict[str, str]:
    """Name, definition and reference of a rule, read from its docstring."""
    if name == OPTIMUM:
        doc = optimum.__doc__ or ""
    else:
        doc = get_rule(name).__doc__ or ""
    parts = [p.strip() for p in doc.strip().split("\n\n")]
    title = parts[0]
    body = " ".join(" ".join(line.strip() for line in p.splitlines()) for p in parts[1:])
    definition = body.split("Definition:", 1)[-1].split("Reference:", 1)[0].strip()
    reference = body.split("Reference:", 1)[-1].strip() if "Reference:" in body else ""
    return {"rule": name, "name": title, "definition": definition, "reference": reference}


# --------------------------------------------------------------------------------------------
# Integer đồng
# --------------------------------------------------------------------------------------------


def round_grants(grants: np.ndarray, claims: np.ndarray, total: int | np.ndarray | None = None) -> np.ndarray:
    """Round grants to whole đồng with a largest-remainder pass, row by row.

    ``claims`` must be whole đồng. The rounded grants stay within ``[0, claims]`` and sum exactly to
    ``total`` (default: the rounded sum of ``grants``). Ties go to the earlier organisation.
    """
    x = np.asarray(grants, dtype=float)
    c = np.asarray(claims, dtype=float)
    squeeze = x.ndim == 1
    x2 = np.clip(np.atleast_2d(x), 0.0, np.atleast_2d(c))
    base = np.floor(x2 + 1e-7)
    base = np.minimum(base, np.atleast_2d(c))
    frac = x2 - base
    if total is None:
        target = np.rint(x2.sum(axis=1))
    else:
        target = np.broadcast_to(np.asarray(total, dtype=float), (x2.shape[0],))
    extra = (target - base.sum(axis=1)).astype(np.int64)
    room = (base < np.atleast_2d(c)).sum(axis=1)
    if (extra < 0).any() or (extra > room).any():
        raise ValueError("Không thể làm tròn: tổng mục tiêu nằm ngoài khoảng cho phép")
    frac = np.where(base < np.atleast_2d(c), frac, -1.0)
    order = np.argsort(-frac, axis=1, kind="stable")
    bump_sorted = np.arange(x2.shape[1])[None, :] < extra[:, None]
    bump = np.empty_like(bump_sorted)
    np.put_along_axis(bump, order, bump_sorted, axis=1)
    out = (base + bump).astype(np.int64)
    return out[0] if squeeze else out


def split_exact(amounts: np.ndarray, groups: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Split each group's integer total over its members in proportion to ``amounts`` (largest remainder).

    ``groups`` are integer codes 0..G-1, ``totals`` (G,) whole đồng not above each group's sum of
    ``amounts``; no member gets more than its amount and each group's parts add up to its total.
    """
    amounts = amounts.astype(float)
    group_sum = np.bincount(groups, weights=amounts, minlength=len(totals))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(group_sum[groups] > 0, amounts / group_sum[groups], 0.0)
    raw = totals[groups] * share
    base = np.floor(raw + 1e-7)
    base = np.minimum(base, amounts)
    extra = totals - np.bincount(groups, weights=base, minlength=len(totals))
    frac = np.where(base < amounts, raw - base, -1.0)
    order = np.lexsort((np.arange(len(raw)), -frac, groups))
    sorted_groups = groups[order]
    starts = np.searchsorted(sorted_groups, sorted_groups, side="left")
    pos_in_group = np.arange(len(order)) - starts
    bump_sorted = pos_in_group < np.rint(extra[sorted_groups])
    bump = np.empty(len(raw), dtype=bool)
    bump[order] = bump_sorted
    return (base + bump).astype(np.int64)


# --------------------------------------------------------------------------------------------
# Priority scores
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PriorityWeights:
    """Additive priority score: ``base + star[t] + stream[s] + organisation_type[o] + unit_equity · q``.

    ``q`` in [0, 1] is 1 for the unit with the fewest claimants (or fewest organisations funded
    before, when given) and 0 for the unit with the most. Planner parameters, not law.
    """

    star: Mapping[int, float] = field(default_factory=lambda: {3: 1.0, 4: 2.0, 5: 3.0})
    stream: Mapping[str, float] = field(default_factory=lambda: {"new": 1.0, "upgrade": 1.0, "reevaluation": 0.5})
    organisation_type: Mapping[str, float] = field(
        default_factory=lambda: {"cooperative": 1.0, "cooperative_group": 1.0, "household": 0.5, "enterprise": 0.5}
    )
    unit_equity: float = 1.0
    base: float = 1.0

    def __post_init__(self) -> None:
        for name in ("star", "stream", "organisation_type"):
            for key, value in dict(getattr(self, name)).items():
                if not np.isfinite(value) or value < 0:
                    raise ValueError(f"Trọng số ưu tiên {name}[{key}] phải là số không âm, nhận {value}")
        if self.unit_equity < 0 or self.base < 0:
            raise ValueError("Trọng số unit_equity và base phải không âm")

    @classmethod
    def from_mapping(cls, values: Mapping[str, object] | None) -> PriorityWeights:
        """Weights from a params mapping (YAML); missing keys keep their defaults."""
        if not values:
            return cls()
        unknown = set(values) - {"star", "stream", "organisation_type", "unit_equity", "base"}
        if unknown:
            raise ValueError(f"Trọng số ưu tiên không rõ: {sorted(unknown)}")
        default = cls()
        kw: dict[str, object] = {}
        for name in ("star", "stream", "organisation_type"):
            merged = dict(getattr(default, name))
            merged.update(
                {
                    (int(k) if name == "star" else str(k)): float(v)  # type: ignore[arg-type]
                    for k, v in dict(values.get(name) or {}).items()
                }
            )  # type: ignore[arg-type]
            kw[name] = merged
        for name in ("unit_equity", "base"):
            kw[name] = float(values.get(name, getattr(default, name)))  # type: ignore[arg-type]
        return cls(**kw)  # type: ignore[arg-type]


def priority_scores(
    organisations: pd.DataFrame,
    weights: PriorityWeights | None = None,
    funded_before_per_unit: Mapping[str, int] | None = None,
) -> pd.Series:
    """Priority score per organisation (higher = funded first / weighted more).

    ``organisations`` needs ``unit_id, organisation_type, target_star, stream`` (as made by
    ``claims.organisation_claims``). Unknown codes score 0 on that component.
    """
    w = weights or PriorityWeights()
    star = organisations["target_star"].astype("Float64").fillna(0).astype(int).map(dict(w.star)).fillna(0.0)
    stream = organisations["stream"].map(dict(w.stream)).astype(float).fillna(0.0)
    otype = organisations["organisation_type"].map(dict(w.organisation_type)).astype(float).fillna(0.0)
    if funded_before_per_unit is not None:
        count = organisations["unit_id"].map(dict(funded_before_per_unit)).astype(float).fillna(0.0)
    else:
        count = organisations.groupby("unit_id")["unit_id"].transform("size").astype(float)
    spread = count.max() - count.min() if len(count) else 0.0
    equity = (count.max() - count) / spread if spread > 0 else count * 0.0
    score = w.base + star.astype(float) + stream + otype + w.unit_equity * equity
    return pd.Series(score.to_numpy(dtype=float), index=organisations.index, name="priority_score")


# --------------------------------------------------------------------------------------------
# The optimum (MILP)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OptimumResult:
    """The MILP solution: integer grants, objective (priority-weighted coverage), solver status."""

    grants: np.ndarray
    coverage: float
    status: str
    seconds: float
    optimal: bool


def optimum(
    claims: np.ndarray,
    envelope: float,
    *,
    weights: np.ndarray | None = None,
    min_grant: float = 0,
    min_share: float = 0,
    time_limit: float = 10.0,
    mip_rel_gap: float = 1e-6,
) -> OptimumResult:
    """The optimum: maximise priority-weighted coverage (Phương án tối ưu, quy hoạch nguyên).

    Definition: maximise ``Σ w_i s_i / Σ w_i`` over funded shares ``s_i = g_i / c_i`` subject to
    ``Σ g_i <= E``, ``g_i <= c_i y_i`` and ``g_i >= min(c_i, max(m, ρ c_i)) y_i`` with ``y_i`` binary
    (minimum useful grant). Money is in millions of đồng inside the model; HiGHS via
    ``scipy.optimize.milp`` with a wall-time limit; the rounded answer is checked against the
    envelope and the claims.
    Reference: Martello and Toth, *Knapsack Problems* (1990); Huangfu and Hall, Math. Prog. Comp.
    10 (2018) (HiGHS).
    """
    c, _ = _claims_2d(claims)
    if c.shape[0] != 1:
        raise ValueError("optimum giải cho một bộ đề nghị (mảng 1 chiều), không theo lượt mô phỏng")
    c = c[0]
    e = float(_envelope_1d(envelope, 1)[0])
    _check_min(min_grant, min_share)
    if time_limit <= 0:
        raise ValueError(f"time_limit phải dương, nhận {time_limit}")
    n = c.size
    w = _vector(weights, n, "weights", 1.0)
    start = time.perf_counter()
    live = np.flatnonzero((c > 0) & (w > 0))
    grants = np.zeros(n, dtype=np.int64)
    if live.size == 0 or e <= 0 or c[live].sum() <= e:  # nothing to ration
        if live.size and e > 0:
            grants[live] = np.rint(c[live]).astype(np.int64)
        cov = _coverage(c, grants.astype(float), w)
        return OptimumResult(grants, cov, "trivial", time.perf_counter() - start, True)
    cl = c[live] / MILLION
    wl = w[live] / w[live].max()
    floor = np.ceil(np.minimum(c[live], np.maximum(min_grant, min_share * c[live]))) / c[live]
    k = live.size
    binary = bool((floor > 0).any())
    if binary:
        # variables: s (k shares in [0,1]), y (k binaries)
        cost = np.concatenate([-wl, np.zeros(k)])
        eye = sparse.identity(k, format="csr")
        a = sparse.vstack(
            [
                sparse.hstack([sparse.csr_matrix(cl[None, :]), sparse.csr_matrix((1, k))]),
                sparse.hstack([eye, -eye]),  # s - y <= 0
                sparse.hstack([eye, -sparse.diags(floor)]),  # s - floor·y >= 0
            ],
            format="csr",
        )
        lb = np.concatenate([[-np.inf], np.full(k, -np.inf), np.zeros(k)])
        ub = np.concatenate([[e / MILLION], np.zeros(k), np.full(k, np.inf)])
        integrality = np.concatenate([np.zeros(k), np.ones(k)])
        bounds = optimize.Bounds(np.zeros(2 * k), np.ones(2 * k))
    else:
        cost = -wl
        a = sparse.csr_matrix(cl[None, :])
        lb, ub = np.array([-np.inf]), np.array([e / MILLION])
        integrality = np.zeros(k)
        bounds = optimize.Bounds(np.zeros(k), np.ones(k))
    res = optimize.milp(
        cost,
        constraints=optimize.LinearConstraint(a, lb, ub),
        integrality=integrality,
        bounds=bounds,
        options={"time_limit": float(time_limit), "mip_rel_gap": mip_rel_gap, "presolve": k <= 20_000},
    )
    seconds = time.perf_counter() - start
    if res.x is None:
        raise RuntimeError(f"MILP không tìm được phương án trong {time_limit} giây: {res.message}")
    s = np.clip(res.x[:k], 0.0, 1.0)
    if binary:
        s = np.where(res.x[k:] > 0.5, s, 0.0)
    s = np.where(s > 1 - 1e-7, 1.0, s)
    raw = s * c[live]
    target = min(int(e), int(np.floor(raw.sum() + 0.5)))
    grants[live] = round_grants(raw, c[live], target)
    # the checks the notes ask for: the envelope, the claims and the minimum grants hold
    if grants.sum() > e or (grants > c + 0.5).any() or (grants < 0).any():
        raise RuntimeError("MILP trả về phương án vượt tổng kinh phí hoặc vượt mức đề nghị")
    low = np.ceil(np.minimum(c, np.maximum(min_grant, min_share * c)))
    if ((grants > 0) & (grants < low - 1)).any():
        raise RuntimeError("MILP trả về mức hỗ trợ dưới mức tối thiểu")
    return OptimumResult(
        grants, _coverage(c, grants.astype(float), w), str(res.message), seconds, bool(res.status == 0)
    )


# --------------------------------------------------------------------------------------------
# Parameters and the frame-level API
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AllocationParams:
    """Rationing parameters: priority weights, minimum useful grant, MILP time bound."""

    weights: PriorityWeights = field(default_factory=PriorityWeights)
    min_grant_vnd: int = 0
    min_share: float = 0.0
    milp_time_limit: float = 10.0
    funded_before_per_unit: Mapping[str, int] | None = None

    def __post_init__(self) -> None:
        _check_min(self.min_grant_vnd, self.min_share)
        if self.milp_time_limit <= 0:
            raise ValueError(f"milp_time_limit phải dương, nhận {self.milp_time_limit}")


def _coverage(c: np.ndarray, x: np.ndarray, w: np.ndarray) -> float:
    """Priority-weighted coverage ``Σ w_i (x_i / c_i) / Σ w_i`` over organisations with a claim."""
    m = c > 0
    if not m.any() or w[m].sum() == 0:
        return 1.0
    return float((w[m] * x[m] / c[m]).sum() / w[m].sum())


def allocate(
    org_claims: pd.DataFrame, envelope_vnd: int, rule: str, params: AllocationParams | None = None
) -> pd.DataFrame:
    """Grants per organisation under ``rule``, in whole đồng.

    ``org_claims`` as made by ``claims.organisation_claims`` (``organisation_id, unit_id,
    organisation_type, target_star, stream, claim_vnd``). Returns a new frame with
    ``priority_score, priority_rank, granted_vnd`` (int64), ``funded_share`` and ``status``
    (``full`` / ``partial`` / ``none``). ``Σ granted_vnd = min(E, Σ claim_vnd)`` exactly for the
    rules that spend the whole envelope.
    """
    p = params or AllocationParams()
    if envelope_vnd is None or envelope_vnd < 0:
        raise ValueError(f"envelope_vnd (tổng kinh phí hỗ trợ) không được âm, nhận {envelope_vnd}")
    if rule != OPTIMUM:
        fn = get_rule(rule)
    c = org_claims["claim_vnd"].to_numpy(dtype=float)
    score = priority_scores(org_claims, p.weights, p.funded_before_per_unit).to_numpy()
    out = org_claims.copy()
    out["priority_score"] = score
    out["priority_rank"] = (_ranks(score, len(out)) + 1).astype(np.int64)
    if rule == OPTIMUM:
        res = optimum(
            c,
            envelope_vnd,
            weights=score,
            min_grant=p.min_grant_vnd,
            min_share=p.min_share,
            time_limit=p.milp_time_limit,
        )
        granted = res.grants
    else:
        x = fn(c, float(envelope_vnd), weights=score, priority=score, min_grant=p.min_grant_vnd, min_share=p.min_share)
        spent = x.sum()
        full_target = min(int(envelope_vnd), int(c.sum()))
        target = full_target if abs(spent - full_target) < 1e-3 * max(1, len(c)) else int(np.floor(spent + 1e-6))
        granted = round_grants(x, c, target)
    out["granted_vnd"] = np.asarray(granted, dtype=np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["funded_share"] = np.where(c > 0, out["granted_vnd"].to_numpy() / np.where(c > 0, c, 1), 1.0)
    out["status"] = np.select(
        [out["granted_vnd"] >= out["claim_vnd"], out["granted_vnd"] > 0], ["full", "partial"], "none"
    )
    out["status"] = out["status"].astype("str")
    return out


def compare_rules(
    org_claims: pd.DataFrame,
    envelope_vnd: int,
    rules: list[str] | None = None,
    params: AllocationParams | None = None,
    with_optimum: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Allocate under several rules: (long frame of allocations with ``rule, rule_label``, metrics table).

    The metrics table has one row per rule (scalar metrics of :class:`AllocationMetrics`) with the
    gap to the MILP optimum when ``with_optimum``.
    """
    names = list(RULES) if rules is None else [r for r in rules if r != OPTIMUM]
    for name in names:
        get_rule(name)
    if with_optimum:
        names.append(OPTIMUM)
    frames = {name: allocate(org_claims, envelope_vnd, name, params) for name in names}
    best = metrics(frames[OPTIMUM], envelope_vnd).weighted_coverage if with_optimum else None
    rows = []
    for name, frame in frames.items():
        row = metrics(frame, envelope_vnd, best).as_series()
        row["rule"] = name
        rows.append(row)
    long = pd.concat([f.assign(rule=name) for name, f in frames.items()], ignore_index=True)
    long["rule_label"] = long["rule"].map(lambda r: labels.label(labels.ALLOCATION_RULE, r)).astype("str")
    table = pd.DataFrame(rows).set_index("rule")
    table.insert(0, "rule_label", [labels.label(labels.ALLOCATION_RULE, r) for r in table.index])
    return long, table


def distribute_to_items(items: pd.DataFrame, allocation: pd.DataFrame) -> pd.DataFrame:
    """Split each organisation's grant over its items in proportion to the item claims.

    Largest-remainder rounding per organisation: the item grants add up to the organisation's
    grant exactly, and no item gets more than its claim. Returns a copy of ``items`` with
    ``granted_vnd`` (int64).
    """
    granted = allocation.set_index("organisation_id")["granted_vnd"]
    missing = set(items["organisation_id"]) - set(granted.index)
    if missing:
        raise ValueError(f"Các chủ thể có hạng mục nhưng không có trong kết quả phân bổ: {sorted(missing)[:5]}")
    codes, uniques = pd.factorize(items["organisation_id"])
    totals = granted.reindex(uniques).to_numpy(dtype=float)
    out = items.copy()
    out["granted_vnd"] = split_exact(items["claim_vnd"].to_numpy(dtype=float), codes, totals)
    return out


# --------------------------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------------------------


def gini(values: np.ndarray) -> np.ndarray | float:
    """Gini coefficient of non-negative values, along the last axis (0 when all are 0)."""
    v = np.sort(np.asarray(values, dtype=float), axis=-1)
    n = v.shape[-1]
    if n == 0:
        return 0.0
    total = v.sum(axis=-1)
    idx = 2 * np.arange(1, n + 1) - n - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.where(total > 0, (v * idx).sum(axis=-1) / (n * total), 0.0)
    return float(g) if np.ndim(g) == 0 else g


def lorenz_points(shares: np.ndarray) -> pd.DataFrame:
    """Lorenz curve of funded shares: cumulative share of organisations vs of the total funded share."""
    v = np.sort(np.asarray(shares, dtype=float))
    n = v.size
    total = v.sum()
    cum = np.concatenate([[0.0], np.cumsum(v) / total if total > 0 else np.linspace(0, 1, n + 1)[1:]])
    return pd.DataFrame({"population_share": np.linspace(0.0, 1.0, n + 1), "funded_share_cum": cum})


@dataclass(frozen=True)
class AllocationMetrics:
    """Metrics of one allocation; ``as_series()`` gives the scalar ones for a comparison table."""

    organisations: int
    fully_funded: int
    partly_funded: int
    not_funded: int
    requested_vnd: int
    granted_vnd: int
    share_funded: float
    unspent_vnd: int
    gini_funded_share: float
    weighted_coverage: float
    optimum_coverage: float | None
    gap_to_optimum: float | None
    lowest_unit_coverage: float
    highest_unit_coverage: float
    by_unit: pd.DataFrame
    by_organisation_type: pd.DataFrame

    def as_series(self) -> pd.Series:
        """The scalar metrics (no frames), for one column of a rule comparison."""
        return pd.Series(
            {k: getattr(self, k) for k in self.__dataclass_fields__ if k not in ("by_unit", "by_organisation_type")},
            dtype=object,
        )


def coverage_by(allocation: pd.DataFrame, key: str) -> pd.DataFrame:
    """Claims, grants and funded share per ``key`` (``unit_id`` or ``organisation_type``)."""
    g = (
        allocation.groupby(key, sort=True)
        .agg(
            organisations=("organisation_id", "size"),
            funded=("granted_vnd", lambda s: int((s > 0).sum())),
            claim_vnd=("claim_vnd", "sum"),
            granted_vnd=("granted_vnd", "sum"),
        )
        .reset_index()
    )
    g["claim_vnd"] = g["claim_vnd"].astype(np.int64)
    g["granted_vnd"] = g["granted_vnd"].astype(np.int64)
    claimed = g["claim_vnd"] > 0
    g["funded_share"] = np.where(claimed, g["granted_vnd"] / g["claim_vnd"].where(claimed, 1), 1.0)
    return g


def metrics(allocation: pd.DataFrame, envelope_vnd: int, optimum_coverage: float | None = None) -> AllocationMetrics:
    """Metrics of an allocation made by :func:`allocate`.

    Weighted coverage is ``Σ w_i (x_i / c_i) / Σ w_i`` with the priority scores as weights — the
    MILP's objective, so ``gap_to_optimum = optimum_coverage − weighted_coverage`` (≥ 0).
    """
    c = allocation["claim_vnd"].to_numpy(dtype=float)
    x = allocation["granted_vnd"].to_numpy(dtype=float)
    w = allocation["priority_score"].to_numpy(dtype=float) if "priority_score" in allocation else np.ones_like(c)
    has = c > 0
    share = np.where(has, x / np.where(has, c, 1.0), 1.0)
    by_unit = coverage_by(allocation, "unit_id")
    by_type = coverage_by(allocation, "organisation_type")
    cov = _coverage(c, x, w)
    requested = int(c.sum())
    granted = int(x.sum())
    return AllocationMetrics(
        organisations=int(has.sum()),
        fully_funded=int((has & (x >= c)).sum()),
        partly_funded=int((has & (x > 0) & (x < c)).sum()),
        not_funded=int((has & (x <= 0)).sum()),
        requested_vnd=requested,
        granted_vnd=granted,
        share_funded=granted / requested if requested else 1.0,
        unspent_vnd=int(envelope_vnd) - granted,
        gini_funded_share=float(gini(share[has])),
        weighted_coverage=cov,
        optimum_coverage=optimum_coverage,
        gap_to_optimum=None if optimum_coverage is None else optimum_coverage - cov,
        lowest_unit_coverage=float(by_unit["funded_share"].min()) if len(by_unit) else 1.0,
        highest_unit_coverage=float(by_unit["funded_share"].max()) if len(by_unit) else 1.0,
        by_unit=by_unit,
        by_organisation_type=by_type,
    )


@dataclass(frozen=True)
class _DrawFrame:
    """What every rule's draw metrics share: claims, 1 / claims, weights, unit indicator."""

    c: np.ndarray
    e: np.ndarray
    inv_c: np.ndarray
    has_all: bool
    has: np.ndarray
    w: np.ndarray
    wsum: np.ndarray
    requested: np.ndarray
    unit_matrix: np.ndarray | None  # orgs x units, 1 where the organisation is in the unit
    unit_claims: np.ndarray | None
    gini_idx: np.ndarray

    @classmethod
    def build(cls, c: np.ndarray, e: np.ndarray, w: np.ndarray, unit_codes: np.ndarray | None) -> _DrawFrame:
        has = c > 0
        with np.errstate(divide="ignore"):
            inv_c = np.where(has, 1.0 / np.where(has, c, 1.0), 0.0)
        wh = np.where(has, w, 0.0)
        unit_matrix = unit_claims = None
        if unit_codes is not None:
            # 0/1 indicator (orgs x units): per-unit sums of every draw are one matrix product.
            u = np.asarray(unit_codes, dtype=np.int64)
            _, col = np.unique(u, return_inverse=True)
            unit_matrix = np.zeros((len(u), int(col.max()) + 1 if len(u) else 0))
            unit_matrix[np.arange(len(u)), col] = 1.0
            unit_claims = c @ unit_matrix
        n = c.shape[1]
        return cls(
            c,
            e,
            inv_c,
            bool(has.all()),
            has,
            w,
            wh.sum(axis=1),
            c.sum(axis=1),
            unit_matrix,
            unit_claims,
            (2 * np.arange(1, n + 1) - n - 1).astype(float),
        )

    def metrics(self, x: np.ndarray, shape: str | np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Metrics of grants ``x``. ``shape`` is a hint from the rule that saves the Gini sort:
        ``"binary"`` (whole claims or nothing), ``"equal"`` (same share for all) or a column order
        along which the funded shares are monotone."""
        _c, n = self.c, self.c.shape[1]
        share = x * self.inv_c
        if not self.has_all:
            share = np.where(self.has, share, 1.0)
        full = np.count_nonzero(share >= 1.0 - 1e-9, axis=1)
        funded = np.count_nonzero(x > 1e-6, axis=1)
        no_claim = n - np.count_nonzero(self.has, axis=1)
        granted = x.sum(axis=1)
        if not self.has_all:
            g = np.array([gini(r[h]) for r, h in zip(share, self.has, strict=False)])
        elif isinstance(shape, str) and shape == "binary":
            g = np.where(funded > 0, (n - funded) / n, 0.0)
        elif isinstance(shape, str) and shape == "equal":
            g = np.zeros(len(x))
        else:
            s = share[:, shape] if isinstance(shape, np.ndarray) else np.sort(share, axis=1)
            tot = s.sum(axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                g = np.where(tot > 0, np.abs(np.einsum("dn,n->d", s, self.gini_idx)) / (n * tot), 0.0)
        if self.w.ndim == 1 and self.has_all:
            wshare = np.einsum("dn,n->d", share, self.w)
        else:
            wshare = (share * np.where(self.has, self.w, 0.0)).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = {
                "fully_funded": full - no_claim,
                "partly_funded": funded - (full - no_claim),
                "not_funded": n - no_claim - funded,
                "share_funded": np.where(
                    self.requested > 0, granted / np.where(self.requested > 0, self.requested, 1.0), 1.0
                ),
                "unspent_vnd": self.e - granted,
                "gini_funded_share": g,
                "weighted_coverage": np.where(self.wsum > 0, wshare / np.where(self.wsum > 0, self.wsum, 1.0), 1.0),
            }
            if self.unit_matrix is not None:
                xu = x @ self.unit_matrix
                uc = self.unit_claims
                out["lowest_unit_coverage"] = np.where(uc > 0, xu / np.where(uc > 0, uc, 1.0), np.inf).min(axis=1)
        return out


def draw_metrics(
    claims: np.ndarray,
    grants: np.ndarray,
    envelope: float | np.ndarray,
    weights: np.ndarray | None = None,
    unit_codes: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """The same metrics as :func:`metrics` for every Monte Carlo draw at once; each a (draws,) array.

    ``unit_codes`` (orgs,) integer unit index enables ``lowest_unit_coverage``.
    """
    c, _ = _claims_2d(claims)
    x = np.atleast_2d(np.asarray(grants, dtype=float))
    if x.shape != c.shape:
        raise ValueError(f"grants {x.shape} và claims {c.shape} phải cùng kích thước")
    e = _envelope_1d(envelope, c.shape[0])
    w = _vector(weights, c.shape[1], "weights", 1.0)
    return _DrawFrame.build(c, e, w, unit_codes).metrics(x)


def evaluate_draws(
    claims: np.ndarray,
    envelope: float | np.ndarray,
    rules: list[str] | tuple[str, ...] | None = None,
    *,
    weights: np.ndarray | None = None,
    priority: np.ndarray | None = None,
    unit_codes: np.ndarray | None = None,
    min_grant: float = 0,
    min_share: float = 0,
    keep_grants: bool = False,
) -> dict[str, dict[str, np.ndarray]]:
    """Every rule on every draw, with its metrics: ``{rule: {metric: (draws,) array}}``.

    The Monte Carlo workload in one call (rules via :func:`solve_rules`, metrics sharing 1 / claims
    and the unit indicator). With ``keep_grants`` each rule's entry also holds ``"grants"``.
    """
    c, _ = _claims_2d(claims)
    e = _envelope_1d(envelope, c.shape[0])
    w = _vector(weights, c.shape[1], "weights", 1.0)
    grants = solve_rules(c, e, rules, weights=w, priority=priority, min_grant=min_grant, min_share=min_share)
    frame = _DrawFrame.build(c, e, w, unit_codes)
    plain = min_grant <= 0 and min_share <= 0
    hints: dict[str, str | np.ndarray] = {"greedy": "binary"}
    if plain:  # funded shares are monotone along a fixed order (or equal) for these rules
        hints |= {
            "proportional": "equal",
            "priority": np.argsort(_ranks(None if priority is None else np.asarray(priority, float), c.shape[1])),
            "weighted_proportional": np.argsort(w, kind="stable"),
        }
    out: dict[str, dict[str, np.ndarray]] = {}
    for name, x in grants.items():
        out[name] = frame.metrics(x, hints.get(name))
        if keep_grants:
            out[name]["grants"] = x
    return out

"""Allocation rules ``x = R(c, E)`` (stage 3 of rationing), integer đồng (stage 4) and priority scores.

Every rule has one signature ``rule(claims, envelope, *, weights=None, priority=None, min_grant=0,
min_share=0) -> grants`` and is vectorised over Monte Carlo draws (``claims`` is ``(orgs,)`` or
``(draws, orgs)``). Codes only: rule names are the keys of ``RULES``; each rule is declared, with its
label and glossary, in :mod:`.registry`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

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


@dataclass(frozen=True)
class _Award:
    """A rule of the form ``x_i = a_i(λ)``, increasing in λ, with ``Σ x_i = min(E, C)``: ``award(c, w,
    λ)`` is ``a(λ)`` on (draws, orgs) claims and (draws, 1) levels, ``level(c, w, need)`` the λ at
    which ``a_i`` reaches ``need_i`` (``+inf`` if never, ``-inf`` if already at λ = 0 or below)."""

    award: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
    level: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` with ``+inf`` (num > 0) or ``-inf`` (num <= 0) where ``den`` is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.where(num > 0, np.inf, -np.inf))


_AWARDS: dict[str, _Award] = {
    "proportional": _Award(lambda c, w, lam: c * np.minimum(1.0, lam), lambda c, w, need: _ratio(need, c)),
    "equal_awards": _Award(lambda c, w, lam: np.minimum(c, lam), lambda c, w, need: need),
    # x_i = max(0, c_i - μ): λ = -μ
    "equal_losses": _Award(lambda c, w, lam: np.clip(c + lam, 0.0, None), lambda c, w, need: need - c),
    "weighted_proportional": _Award(
        lambda c, w, lam: c * np.minimum(1.0, lam * w), lambda c, w, need: _ratio(_ratio(need, c), w)
    ),
    "weighted_equal_awards": _Award(lambda c, w, lam: np.minimum(c, lam * w), lambda c, w, need: _ratio(need, w)),
}
# Rules that pay the top of the priority list the same whatever follows it (see _with_min_grant).
_PREFIX_RULES = frozenset({"priority"})


def _with_min_grant(
    core: Callable[[np.ndarray, np.ndarray], np.ndarray],
    c: np.ndarray,
    e: np.ndarray,
    priority: np.ndarray | None,
    min_grant: float,
    min_share: float,
    award: _Award | None = None,
    w: np.ndarray | None = None,
    prefix: bool = False,
) -> np.ndarray:
    """Apply ``core`` to the longest top-k of the priority list in which every grant is useful.

    A grant is useful when it is at least ``min(c_i, max(min_grant, min_share · c_i))``. The rules
    here are population-monotonic (adding claimants never raises anyone's award), so the largest
    feasible k is found by binary search, separately for every draw. Each step runs the rule on the
    top-k, or, for a rule ``x_i = a_i(λ)`` (``award``), checks without running it: every grant is
    useful exactly when the rule's λ reaches the highest ``λ_i`` at which ``a_i`` meets the need,
    that is when ``Σ a_i(max λ_i) <= E``. A ``prefix`` rule (priority order) pays the top of the list
    the same whatever follows: k is the first organisation its full run leaves below the need.
    """
    if min_grant <= 0 and min_share <= 0:
        return core(c, e)
    d, n = c.shape
    need = np.minimum(c, np.maximum(min_grant, min_share * c)) - 1e-6 * np.maximum(c, 1.0)
    ranks = _ranks(priority, n)
    if prefix:
        short = (core(c, e) < need)[:, np.argsort(ranks)]  # in priority order
        lo = np.where(short.any(axis=1), np.argmax(short, axis=1), n).astype(np.int64)
        inside = ranks[None, :] < lo[:, None]
        return core(np.where(inside, c, 0.0), e)
    w = np.ones(n) if w is None else w
    # a need of nothing (a zero claim) is met at any level
    level = None if award is None else np.where(need <= 0, -np.inf, award.level(c, w, need))
    lo = np.zeros(d, dtype=np.int64)
    hi = np.full(d, n, dtype=np.int64)
    while (lo < hi).any():
        mid = (lo + hi + 1) // 2
        inside = ranks[None, :] < mid[:, None]
        if level is None:
            x = core(np.where(inside, c, 0.0), e)
            ok = ((x >= need) | ~inside).all(axis=1)
        else:  # award is not None
            top = np.where(inside, level, -np.inf).max(axis=1)
            cin = np.where(inside, c, 0.0)
            at = np.where(np.isfinite(top), top, 0.0)[:, None]
            paid = np.where(inside, award.award(cin, w, at), 0.0).sum(axis=1)
            ok = (top == -np.inf) | ((top < np.inf) & ((cin.sum(axis=1) <= e) | (paid <= e)))
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


_CORES: dict[str, Core] = {}  # filled from :mod:`.registry`, like ``RULES``


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
    x = _with_min_grant(
        lambda cc, ee: core(cc, ee, w, prio, None),
        c,
        e,
        prio,
        min_grant,
        min_share,
        award=_AWARDS.get(name),
        w=w,
        prefix=name in _PREFIX_RULES,
    )
    return _out(x, squeeze)


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


RULES: dict[str, Rule] = {}
"""The heuristic rules by code, in the registry's order, filled from :mod:`.registry` (the one list of
rules with their labels and glossary); ``"optimum"`` (the MILP) is handled by :func:`allocate`."""

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

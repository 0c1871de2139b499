"""Metrics of an allocation (coverage, funded counts, Gini, Lorenz, by unit and type) and the same
metrics for every Monte Carlo draw at once. Plain figures and codes, no display labels."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .rules import _claims_2d, _envelope_1d, _vector


def _coverage(c: np.ndarray, x: np.ndarray, w: np.ndarray) -> float:
    """Priority-weighted coverage ``Σ w_i (x_i / c_i) / Σ w_i`` over organisations with a claim."""
    m = c > 0
    if not m.any() or w[m].sum() == 0:
        return 1.0
    return float((w[m] * x[m] / c[m]).sum() / w[m].sum())


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

    def with_optimum(self, optimum_coverage: float) -> AllocationMetrics:
        """The same metrics with the optimum's weighted coverage and the gap to it."""
        return dataclasses.replace(
            self, optimum_coverage=optimum_coverage, gap_to_optimum=optimum_coverage - self.weighted_coverage
        )

    def as_series(self) -> pd.Series:
        """The scalar metrics (no frames), for one column of a rule comparison."""
        return pd.Series(
            {k: getattr(self, k) for k in self.__dataclass_fields__ if k not in ("by_unit", "by_organisation_type")},
            dtype=object,
        )


def coverage_by(allocation: pd.DataFrame, key: str) -> pd.DataFrame:
    """Claims, grants and funded share per ``key`` (``unit_id`` or ``organisation_type``), sorted by
    ``key``; organisations without a ``key`` are left out (as a pandas group-by does)."""
    # Sums by integer code (numpy): the Lab computes this for every rule on every change.
    codes, keys = pd.factorize(allocation[key], sort=True)
    held = codes >= 0
    codes = codes[held]
    n = len(keys)
    claim = allocation["claim_vnd"].to_numpy(dtype=np.int64)[held]
    granted = allocation["granted_vnd"].to_numpy(dtype=np.int64)[held]
    claim_sum = np.zeros(n, dtype=np.int64)
    granted_sum = np.zeros(n, dtype=np.int64)
    np.add.at(claim_sum, codes, claim)
    np.add.at(granted_sum, codes, granted)
    claimed = claim_sum > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(claimed, granted_sum / np.where(claimed, claim_sum, 1), 1.0)
    return pd.DataFrame(
        {
            key: keys,
            "organisations": np.bincount(codes, minlength=n).astype(np.int64),
            "funded": np.bincount(codes, weights=granted > 0, minlength=n).astype(np.int64),
            "claim_vnd": claim_sum,
            "granted_vnd": granted_sum,
            "funded_share": share,
        }
    )


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

    def metrics(
        self, x: np.ndarray, shape: str | np.ndarray | None = None, per_organisation: bool = False
    ) -> dict[str, np.ndarray]:
        """Metrics of grants ``x``. ``shape`` is a hint from the rule that saves the Gini sort:
        ``"binary"`` (whole claims or nothing), ``"equal"`` (same share for all) or a column order
        along which the funded shares are monotone. ``per_organisation`` adds two (orgs,) sums over
        the draws: ``organisation_funded_draws`` (draws with a grant) and ``organisation_share_sum``
        (funded shares, 1 where there is no claim)."""
        _c, n = self.c, self.c.shape[1]
        share = x * self.inv_c
        if not self.has_all:
            share = np.where(self.has, share, 1.0)
        full = np.count_nonzero(share >= 1.0 - 1e-9, axis=1)
        funded_mask = x > 1e-6
        funded = np.count_nonzero(funded_mask, axis=1)
        columns = (
            {
                "organisation_funded_draws": np.count_nonzero(funded_mask, axis=0),
                "organisation_share_sum": share.sum(axis=0),
            }
            if per_organisation
            else {}
        )
        del funded_mask
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
        return out | columns


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

"""Rationing under uncertainty: every rule on every Monte Carlo draw with its metrics (the
rationing workload of ``ocop_helpers.domain.simulation``, which draws the claims)."""

from __future__ import annotations

import numpy as np

from .metrics import _DrawFrame
from .rules import _claims_2d, _envelope_1d, _ranks, _vector, solve_rules


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
    per_organisation: bool = False,
) -> dict[str, dict[str, np.ndarray]]:
    """Every rule on every draw, with its metrics: ``{rule: {metric: (draws,) array}}``.

    The Monte Carlo workload in one call (rules via :func:`solve_rules`, metrics sharing 1 / claims
    and the unit indicator). With ``keep_grants`` each rule's entry also holds ``"grants"``; with
    ``per_organisation`` it holds ``organisation_funded_draws`` and ``organisation_share_sum``
    ((orgs,) sums over the draws, see ``_DrawFrame.metrics``), so a caller need not keep the grants.
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
    for name in list(grants):
        x = grants.pop(name)
        out[name] = frame.metrics(x, hints.get(name), per_organisation=per_organisation)
        if keep_grants:
            out[name]["grants"] = x
        del x
    return out

"""Rationing the branding-support envelope among organisations.

Four stages (``claims`` builds stages 1–2): eligibility, claims, rationing, rounding. This package
holds stages 3 and 4, one module per purpose:

* ``rules``: the rules ``x = R(c, E)`` with ``0 <= x_i <= c_i`` and ``Σ x = min(E, Σ c)``, all with
  one signature ``rule(claims, envelope, *, weights=None, priority=None, min_grant=0, min_share=0)
  -> grants`` and vectorised over Monte Carlo draws (``claims`` is ``(orgs,)`` or ``(draws, orgs)``);
  integer đồng with a largest-remainder pass; priority scores from parameters;
* ``optimum``: the MILP (``scipy.optimize.milp``, HiGHS) with a bounded wall time and a documented
  fallback;
* ``metrics``: metrics for one allocation and for every draw at once, Gini and Lorenz points;
* ``uncertainty``: every rule on every Monte Carlo draw with its metrics;
* ``frames``: the frame-level API (``allocate``, ``compare_rules``, ``distribute_to_items``);
* ``registry``: every rule declared once, with its Vietnamese name and glossary text (``REGISTRY``).

The names below are re-exported so ``from ocop_helpers import allocation; allocation.allocate(...)``
works as before. (``allocation.metrics`` and ``allocation.optimum`` are the functions; the modules
are ``ocop_helpers.domain.allocation.metrics`` / ``.optimum`` in ``sys.modules``.)

References for the rules: W. Thomson, "Axiomatic and game-theoretic analysis of bankruptcy and
taxation problems", Math. Social Sciences 45 (2003) 249–297, and *How to Divide When There Isn't
Enough* (Cambridge UP, 2019); B. O'Neill, Math. Social Sciences 2 (1982) 345–371; R. Aumann and
M. Maschler, J. Economic Theory 36 (1985) 195–213; H. Moulin, Econometrica 68 (2000) 643–684.
"""

from __future__ import annotations

# Submodules first; the function names below then replace the module attributes of the same name.
# ``registry`` fills the rules' dispatch tables (``RULES``).
from . import frames, registry, rules, uncertainty  # noqa: F401  (loaded for their side effect on the package)
from .frames import AllocationParams, allocate, compare_rules, distribute_to_items, rule_description
from .metrics import (
    AllocationMetrics,
    _coverage,
    _DrawFrame,
    coverage_by,
    draw_metrics,
    gini,
    lorenz_points,
    metrics,
)
from .optimum import OptimumResult, optimum
from .registry import REGISTRY, AllocationRule
from .rules import (
    MILLION,
    OPTIMUM,
    RULES,
    Core,
    PriorityWeights,
    Rule,
    equal_awards,
    equal_losses,
    get_rule,
    greedy,
    priority_rule,
    priority_scores,
    proportional,
    round_grants,
    solve_rules,
    split_exact,
    talmud,
    weighted_equal_awards,
    weighted_proportional,
)
from .uncertainty import evaluate_draws

__all__ = [
    "MILLION",
    "OPTIMUM",
    "REGISTRY",
    "RULES",
    "AllocationMetrics",
    "AllocationRule",
    "AllocationParams",
    "Core",
    "OptimumResult",
    "PriorityWeights",
    "Rule",
    "_DrawFrame",
    "_coverage",
    "allocate",
    "compare_rules",
    "coverage_by",
    "distribute_to_items",
    "draw_metrics",
    "equal_awards",
    "equal_losses",
    "evaluate_draws",
    "get_rule",
    "gini",
    "greedy",
    "lorenz_points",
    "metrics",
    "optimum",
    "priority_rule",
    "priority_scores",
    "proportional",
    "round_grants",
    "rule_description",
    "solve_rules",
    "split_exact",
    "talmud",
    "weighted_equal_awards",
    "weighted_proportional",
]

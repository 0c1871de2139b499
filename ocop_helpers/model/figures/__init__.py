"""The figure builders of the ledger (:mod:`ocop_helpers.model.ledger`), one module per document area,
and :func:`ledger_of`, the ledger of one scenario's Results.

Importing this package registers the builders, in this order: the plan's targets, rounds, budget and
support (:mod:`.plan`), then the options of the submission's decisions (:mod:`.proposals`) and the
successor's adjusted plan (:mod:`.adjustment`). Each builder reads one scenario's Results and adds named figures.
"""

from __future__ import annotations

from ocop_helpers.model.compute import Results
from ocop_helpers.model.figures import (
    adjustment,  # noqa: F401  (registers its builders, after plan)
    plan,  # registers its builders (first)
    proposals,  # noqa: F401  (registers its builders, after plan)
    season,  # registers its builders (after plan)
)
from ocop_helpers.model.ledger import BUILDERS, Ledger


def report_ledger(r: Results) -> Ledger:
    """The ledger of the season's report: the plan's targets, rounds and budget lines, the outcome
    targets and the season's figures — only the builders the báo cáo quotes, so a report reads no
    stage it does not show (the allocation and the budget's Monte Carlo are not computed for it)."""
    cached = r.__dict__.get("_report_ledger")
    if cached is not None:
        return cached
    led = Ledger(r.plan.slug, str(r.params.scenario))
    for fn in (plan.targets, plan.rounds, plan.budget, season.outcome_targets, season.season_results):
        fn(r, led)
    object.__setattr__(r, "_report_ledger", led)
    return led


def ledger_of(r: Results) -> Ledger:
    """The ledger of ``r``'s figures (built once per Results object and kept on it)."""
    cached = r.__dict__.get("_ledger")
    if cached is not None:
        return cached
    led = Ledger(r.plan.slug, str(r.params.scenario))
    for fn in BUILDERS:
        fn(r, led)
    object.__setattr__(r, "_ledger", led)
    return led

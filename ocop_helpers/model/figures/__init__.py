"""The figure builders of the ledger (:mod:`ocop_helpers.model.ledger`), one module per document area.

Importing this package registers them, in this order: the plan's targets, rounds, support and
budget (:mod:`.plan`). Each builder reads one scenario's Results and adds named figures.
"""

from ocop_helpers.model.figures import plan  # noqa: F401  (registers its builders)

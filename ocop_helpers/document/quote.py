"""Quoting the ledger in a document: ``q(ledger, id)`` is the figure's text, marked with its id.

Sentences and cells take every number from here (:mod:`ocop_helpers.model.ledger`); the HTML keeps
the mark as ``<span class="fig" data-fig="id">`` so a reader test can find each figure's id.
"""

from __future__ import annotations

from ocop_helpers.document.docmodel import fig
from ocop_helpers.model.ledger import Ledger


def q(ledger: Ledger, figure_id: str) -> str:
    """The figure ``figure_id`` as written in every document, marked with its id."""
    f = ledger[figure_id]
    return fig(f.id, f.shown)


def about(ledger: Ledger, figure_id: str) -> str:
    """``q`` preceded by "khoảng " when the source states the figure approximately."""
    f = ledger[figure_id]
    return ("khoảng " if f.approximate else "") + q(ledger, figure_id)

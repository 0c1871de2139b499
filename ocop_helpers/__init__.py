"""OCOP planning workbook.

The package is layered (``docs/architecture.md``); lower layers never import higher ones::

    lab, runs            the planner's Lab; build, scenarios, comparisons, command line
    render               HTML, DOCX, PDF, XLSX, notebook display
    document             blocks, sections, the plan document, the annex
    model                params, compute (Results once per scenario), findings
    domain               units, authority, calendar, stock, claims, allocation, budget, ...
    inputs               read, check and load a Plan
    core                 errors, vnformat, paths, dated, atomic writes

The notebooks call four names from the top of the package (``from ocop_helpers import panels,
params, report, widgets``); they are kept here, resolved on first use, so a notebook written for
the flat package keeps working.
"""

from __future__ import annotations

import importlib
from types import ModuleType

# The notebook API: name -> module (resolved lazily, so importing the package imports no layer).
NOTEBOOK_API: dict[str, str] = {
    "panels": "ocop_helpers.lab.panels",
    "params": "ocop_helpers.model.params",
    "report": "ocop_helpers.render.notebook",
    "widgets": "ocop_helpers.lab.widgets",
}

__all__ = sorted(NOTEBOOK_API)


def __getattr__(name: str) -> ModuleType:
    if name in NOTEBOOK_API:
        return importlib.import_module(NOTEBOOK_API[name])
    raise AttributeError(f"module 'ocop_helpers' has no attribute {name!r}")

"""The notebooks' Lab API: ``widgets.start`` and ``widgets.section``.

The notebooks call them as ``from ocop_helpers import widgets``. ``start`` validates, loads the plan
and computes the scenario once; in JupyterLab it shows the scenario toolbar of a
:class:`~ocop_helpers.lab.workbench.Workbench`, and ``section`` shows a panel with its live controls.
With ``interactive=False`` (the build) no widget is created at all: papermill hangs on widgets and
offline HTML shows them as empty space; ``section`` then shows the section's static output.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from IPython.display import HTML, display

from ocop_helpers.inputs import loading
from ocop_helpers.lab.workbench import RERUN_CSS, Workbench
from ocop_helpers.model.compute import Model
from ocop_helpers.model.params import Params
from ocop_helpers.render import notebook
from ocop_helpers.runs import artifacts, scenarios

Render = Callable[[Params], Sequence[object]]

# Kept for callers of the earlier API.
scenario_dir = scenarios.scenario_dir
scenario_slug = scenarios.slug


def start(params: Params, plan: Any | None = None, controls: bool = True) -> tuple[Any, Workbench | None]:
    """Begin a notebook: validate, load the plan and compute the scenario once.

    Returns (results, workbench). In JupyterLab (``interactive=True``) the workbench holds the
    model and shows the scenario toolbar; with ``interactive=False`` (the build) no widget is
    created, nor when the notebook has no ``controls``. A build passes ``results_path``: the results
    it computed once are read, not recomputed.
    """

    if params.results_path:
        results = artifacts.read_results(params.results_path)
        return results, None
    the_plan = plan if plan is not None else loading.load_plan(params.plan_path)
    if not (params.interactive and controls):
        results = Model(the_plan).results(params)
        if params.interactive:
            display(HTML(f"<style>{RERUN_CSS}</style>"))
        return results, None

    bench = Workbench(the_plan, params, source=_notebook_name(), refine="background")
    display(bench.toolbar())
    return bench.results, bench


def _notebook_name() -> str:
    """The running notebook's file name when JupyterLab tells the kernel (else '')."""
    name = os.environ.get("JPY_SESSION_NAME", "")
    return Path(name).name if name else ""


def section(bench: Workbench | None, results: Any, panel: Any) -> None:
    """Show one panel: live controls over it in JupyterLab, else the section's static output."""
    if bench is None:
        notebook.show(*panel.render(results))
        return

    display(bench.panel(panel))

"""The Jupyter server's pre-save hook: what a notebook saved from the Lab holds.

``jupyter-config/jupyter_server_config.py`` names :func:`notebook_pre_save`. A plan notebook of the
project is written as git stores it (:mod:`ocop_helpers.lab.nbclean`); any other notebook keeps its
outputs, with a Vietnamese "run the notebook again" line in place of each widget view (live controls
cannot be restored from a file).
"""

from __future__ import annotations

import fnmatch
import html
from pathlib import Path
from typing import Any

from ocop_helpers.core import paths
from ocop_helpers.lab import nbclean

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
# What a saved notebook shows where the live controls were (see notebook_pre_save).
RERUN_NOTE = (
    "Bảng điều khiển chỉ hoạt động khi notebook đang chạy. Để hiện lại các điều khiển và số liệu, "
    "chạy lại notebook: menu Run → Run All Cells."
)


def rerun_note_output() -> dict:
    """The output a saved notebook holds where live controls were."""
    text = RERUN_NOTE
    return {
        "output_type": "display_data",
        "metadata": {},
        "data": {
            "text/plain": text,
            "text/html": f'<p class="ocop-rerun" style="color:#555;font-style:italic">{html.escape(text)}</p>',
        },
    }


def strip_widget_views(notebook: dict) -> int:
    """Replace every widget view in a notebook (a dict as JupyterLab saves it) by the rerun note.

    A widget view saved without its state only shows "model not found" when the notebook is opened
    again; the note says, in Vietnamese, to run the notebook. Returns how many views were replaced.
    """
    replaced = 0
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        outputs = cell.get("outputs") or []
        new = []
        for out in outputs:
            if WIDGET_MIME in (out.get("data") or {}):
                replaced += 1
                if not new or new[-1].get("data", {}).get("text/plain") != RERUN_NOTE:
                    new.append(rerun_note_output())
            else:
                new.append(out)
        cell["outputs"] = new
    notebook.get("metadata", {}).pop("widgets", None)
    return replaced


def notebook_pre_save(model: dict, path: str = "", **kwargs: Any) -> None:
    """Jupyter server ``pre_save_hook`` (jupyter-config/jupyter_server_config.py).

    A plan notebook of the project (``notebooks/NN-*.ipynb``, tracked by git) is written exactly as
    git stores it (:func:`ocop_helpers.lab.nbclean.clean`: no outputs, no session metadata), so a Lab
    session leaves ``git status`` clean while the planner's own edits to cells are kept; its
    lab-only lines tell a reader to run it. Any other notebook keeps its outputs, with a Vietnamese
    rerun line in place of each widget view (which a file cannot restore). The open tab is unchanged.
    """

    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    if is_plan_notebook(path):
        nbclean.clean(model["content"])
    else:
        strip_widget_views(model["content"])


def is_plan_notebook(path: str) -> bool:
    """A path relative to the Lab's root naming one of the project's plan notebooks."""

    parts = Path(str(path).strip("/")).parts
    return len(parts) == 2 and parts[0] == paths.NOTEBOOKS_DIR.name and fnmatch.fnmatch(parts[1], "[0-9][0-9]-*.ipynb")

"""A git clean filter for the committed notebooks: what git stores has no outputs.

JupyterLab saves outputs (and execution counts, widget state, kernel details) into the working copy
of a notebook, which the planner wants to keep. git stores the notebook as this filter prints it:
outputs and execution counts removed, notebook metadata reduced to the kernelspec and the language
name, cell metadata reduced to tags — so a Lab session leaves ``git status`` clean and a commit
never carries outputs. ``make setup`` registers it (``.gitattributes`` names it for notebooks/):

    git config filter.ocop-nbclean.clean '.venv/bin/python -m ocop_helpers.lab.nbclean'

Usage as a filter: notebook JSON on stdin, the cleaned notebook on stdout. ``--check FILE...``
exits 1 listing the files that are not clean (used by the tests on the committed notebooks).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

KEPT_CELL_METADATA = ("tags",)


def clean(notebook: dict) -> dict:
    """The notebook without outputs, execution counts, widget state and session metadata."""
    meta = notebook.get("metadata", {})
    kept: dict = {}
    if "kernelspec" in meta:
        kept["kernelspec"] = meta["kernelspec"]
    if "language_info" in meta:
        kept["language_info"] = {"name": meta["language_info"].get("name", "python")}
    notebook["metadata"] = kept
    for cell in notebook.get("cells", []):
        cell["metadata"] = {k: v for k, v in cell.get("metadata", {}).items() if k in KEPT_CELL_METADATA}
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        else:
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
        if not cell.get("attachments"):
            cell.pop("attachments", None)
    return notebook


def clean_text(text: str) -> str:
    """Cleaned notebook text in Jupyter's own layout (indent 1, sorted keys, UTF-8, final newline);
    text that is not a notebook (e.g. during a merge conflict) is returned unchanged."""
    try:
        notebook = json.loads(text)
    except ValueError:
        return text
    if not isinstance(notebook, dict) or "cells" not in notebook:
        return text
    return json.dumps(clean(notebook), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "--check":
        dirty = [
            f
            for f in args[1:]
            if clean_text(Path(f).read_text(encoding="utf-8")) != Path(f).read_text(encoding="utf-8")
        ]
        for f in dirty:
            print(f"{f}: có kết quả chạy hoặc siêu dữ liệu phiên làm việc (chạy make setup rồi git add lại)")
        return 1 if dirty else 0
    data = sys.stdin.buffer.read().decode("utf-8")
    sys.stdout.buffer.write(clean_text(data).encode("utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

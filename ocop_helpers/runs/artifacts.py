"""What a build leaves behind besides the notebooks: the computed results, the documents, the fingerprints of its inputs."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ocop_helpers.core import atomic, paths

# ----------------------------------------------------------------------------- computed results
RESULTS_FILE = "results.pickle"


def write_results(target: str | os.PathLike, results: object) -> Path:
    """Write one scenario's computed results for the build's notebooks (atomically; pickle, which
    only this build reads back: it never leaves the build's own folder)."""
    import pickle

    target = Path(target)
    atomic.write_atomic(
        target, lambda tmp: Path(tmp).write_bytes(pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL))
    )
    return target


def read_results(source: str | os.PathLike) -> object:
    """The results written by :func:`write_results`."""
    import pickle

    return pickle.loads(Path(source).read_bytes())


DOCUMENT_FILES: dict[str, str] = {"html": "plan.html", "docx": "plan.docx", "pdf": "plan.pdf"}


def write_documents(
    doc, folder: str | os.PathLike, formats: tuple[str, ...] = ("html", "docx", "pdf")
) -> dict[str, Path]:
    """Render ``doc`` (a docmodel.Document) in each format, then write plan.html / plan.docx / plan.pdf.

    Every format is rendered before any file is written, and each file goes through a temporary file,
    so a renderer that fails leaves the previous documents untouched. Returns format -> path.
    """
    from ocop_helpers.render.docx import render_docx
    from ocop_helpers.render.html import render_html
    from ocop_helpers.render.pdf import render_pdf

    renderers = {"html": lambda d: render_html(d).encode("utf-8"), "docx": render_docx, "pdf": render_pdf}
    unknown = [f for f in formats if f not in renderers]
    if unknown:
        raise ValueError(f"định dạng không có: {', '.join(unknown)}; dùng: {', '.join(renderers)}")
    payloads = {f: renderers[f](doc) for f in formats}
    out = Path(folder)
    written: dict[str, Path] = {}
    for fmt, data in payloads.items():
        target = out / DOCUMENT_FILES[fmt]
        atomic.write_atomic(target, lambda tmp, data=data: Path(tmp).write_bytes(data))
        written[fmt] = target
    return written


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def input_hashes(plan_path: Path) -> dict[str, str]:
    """SHA-256 of every input file of the plan and of the reference tables."""
    files = sorted(plan_path.glob("*")) if plan_path.is_dir() else [plan_path]
    files += sorted(paths.REFERENCE_DIR.glob("*.csv"))
    root = paths.ROOT
    return {
        str(f.resolve().relative_to(root)) if f.resolve().is_relative_to(root) else str(f): _sha256(f)
        for f in files
        if f.is_file()
    }

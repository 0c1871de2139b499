"""What a build leaves behind besides the notebooks: the computed results, the documents, the fingerprints of its inputs."""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Iterable
from pathlib import Path

from ocop_helpers.core import atomic, paths
from ocop_helpers.render import docx, html, pdf

# ----------------------------------------------------------------------------- computed results
RESULTS_FILE = "results.pickle"


def write_results(target: str | os.PathLike, results: object) -> Path:
    """Write one scenario's computed results for the build's notebooks (atomically; pickle, which
    only this build reads back: it never leaves the build's own folder)."""

    target = Path(target)
    atomic.write_atomic(
        target, lambda tmp: Path(tmp).write_bytes(pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL))
    )
    return target


def read_results(source: str | os.PathLike) -> object:
    """The results written by :func:`write_results`."""

    return pickle.loads(Path(source).read_bytes())


DOCUMENT_FILES: dict[str, str] = {"html": "plan.html", "docx": "plan.docx", "pdf": "plan.pdf"}
PLAN_STEM = "plan"
SUBMISSION_STEM = "to-trinh"  # the covering submission (Tờ trình) with the decisions, beside the plan

# The successor's adjusted plan (document.adjustment), written next to the plan when there is one.
ADJUSTMENT_STEM = "dieu-chinh"


def document_files(stem: str = PLAN_STEM) -> dict[str, str]:
    """format -> file name of one document: ``plan.html`` … or ``to-trinh.html`` …"""
    return {fmt: f"{stem}.{fmt}" for fmt in DOCUMENT_FILES}


def write_documents(
    doc, folder: str | os.PathLike, formats: tuple[str, ...] = ("html", "docx", "pdf"), stem: str = PLAN_STEM
) -> dict[str, Path]:
    """Render ``doc`` (a docmodel.Document) in each format, then write <stem>.html / .docx / .pdf
    (``plan`` for the plan, ``to-trinh`` for the submission).

    Every format is rendered before any file is written, and each file goes through a temporary file,
    so a renderer that fails leaves the previous documents untouched. Returns format -> path.
    """

    renderers = {
        "html": lambda d: html.render_html(d).encode("utf-8"),
        "docx": lambda d: docx.render_docx(d),
        "pdf": lambda d: pdf.render_pdf(d),
    }
    unknown = [f for f in formats if f not in renderers]
    if unknown:
        raise ValueError(f"định dạng không có: {', '.join(unknown)}; dùng: {', '.join(renderers)}")
    payloads = {f: renderers[f](doc) for f in formats}
    out = Path(folder)
    written: dict[str, Path] = {}
    for fmt, data in payloads.items():
        target = out / document_files(stem)[fmt]
        atomic.write_atomic(target, lambda tmp, data=data: Path(tmp).write_bytes(data))
        written[fmt] = target
    return written


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def input_hashes(files: Iterable[str | os.PathLike]) -> dict[str, str]:
    """SHA-256 of each input file, keyed by its path (relative to the project when inside it)."""
    return {paths.shown(f): _sha256(Path(f)) for f in files if Path(f).is_file()}


def plan_files(plan_path: str | os.PathLike) -> list[Path]:
    """The files a plan is loaded from before it is loaded: its folder's files (or the workbook) and
    the reference tables (:attr:`Plan.input_files` lists them, last year's plans included, once loaded)."""
    plan_path = Path(plan_path)
    files = sorted(plan_path.glob("*")) if plan_path.is_dir() else [plan_path]
    return files + sorted(paths.REFERENCE_DIR.glob("*"))

"""Every document of one scenario, written from its Results alone (no notebook needed).

:func:`write_all` writes the XLSX annex, the ledger of figures (``figures.json``) and the plan in
HTML, DOCX and PDF into a folder; the build calls it while the notebooks run, and tests call it to
read the documents of several plans without running notebooks.
"""

from __future__ import annotations

import time
from pathlib import Path

from ocop_helpers.document import adjustment, plan_document, registry, submission
from ocop_helpers.model.compute import Results
from ocop_helpers.model.figures import ledger_of
from ocop_helpers.render import html as render_html
from ocop_helpers.render import xlsx
from ocop_helpers.runs import artifacts

ANALYSIS = "phu-luc-phan-tich"  # the analysis behind the plan: its own file, not part of the signed plan


class DocumentBuildError(RuntimeError):
    """A document that may not be delivered (e.g. one that reaches the network)."""


def write_all(results: Results, folder: str | Path, citation: str | None = None) -> tuple[dict[str, float], list[str]]:
    """Write annex.xlsx, figures.json, plan.html/.docx/.pdf, the submission (to-trinh.*, when there is
    something to decide; ``citation`` is its sentence on a scenario comparison) and the analysis
    (phu-luc-phan-tich.*) into ``folder``, and the successor's adjusted plan (dieu-chinh.*) when a
    change falls inside the plan year. Returns (seconds per step, the files written)."""
    folder = Path(folder)
    took: dict[str, float] = {}
    files: list[str] = []
    t0 = time.perf_counter()
    xlsx.write_annex(folder / "annex.xlsx", registry.annex_sheets(results), when=results.plan.issued_on)
    took["annex"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    doc = plan_document.compose(results)
    submitted = submission.compose_submission(results, citation)
    # The ledger every figure of the documents is quoted from.
    (folder / "figures.json").write_text(ledger_of(results).to_json(), encoding="utf-8")
    took["compose"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    written = [artifacts.write_documents(doc, folder)]
    if submitted is not None:
        written.append(artifacts.write_documents(submitted, folder, stem=artifacts.SUBMISSION_STEM))
    successor = adjustment.compose_adjustment(results)  # None unless a change falls inside the plan year
    if successor is not None:
        written.append(artifacts.write_documents(successor, folder, stem=artifacts.ADJUSTMENT_STEM))
    took["documents"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    written.append(artifacts.write_documents(plan_document.compose_analysis(results), folder, stem=ANALYSIS))
    took["analysis"] = time.perf_counter() - t0
    for paths in written:
        leaks = render_html.external_references(paths["html"].read_text(encoding="utf-8"))
        if leaks:
            raise DocumentBuildError(f"Tài liệu HTML {paths['html'].name} còn tham chiếu mạng ngoài: {leaks[:5]}")
        files += [p.name for p in paths.values()]
    return took, [*files, "annex.xlsx", "figures.json"]


__all__ = ["write_all", "DocumentBuildError"]

"""The yearly plan build: the scenario computed once, every plan notebook through papermill, then one
HTML, the annex, a manifest.

Inputs and parameters are validated before any notebook runs. The scenario's
:class:`~ocop_helpers.model.compute.Results` are computed once in the build's process and handed to every
notebook kernel (``results_path``) and to the annex writer, so no figure is computed twice. The build writes into a temporary
folder next to the target and swaps it in only when everything succeeded, so a failed build leaves
the previous good plan exactly as it was and keeps the partial notebooks for debugging.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import papermill

from ocop_helpers.core import atomic, paths, vnformat
from ocop_helpers.document import official
from ocop_helpers.domain import season
from ocop_helpers.inputs import loading
from ocop_helpers.inputs.checks import check_as_of
from ocop_helpers.inputs.plan import Plan
from ocop_helpers.model import compute
from ocop_helpers.model.params import ParamError, Params, validate
from ocop_helpers.render import notebook
from ocop_helpers.runs import artifacts, compare_report, documents
from ocop_helpers.runs.artifacts import input_hashes
from ocop_helpers.runs.scenarios import merge_files

NOTEBOOK_GLOB = "[0-9][0-9]-*.ipynb"
EXECUTION_TIMEOUT_S = 900
# The kernel's own start-up log (e.g. ipykernel's note on TCP transport) is not the build's business.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]
VERSIONED_PACKAGES = (
    "pandas",
    "numpy",
    "scipy",
    "altair",
    "vl-convert-python",
    "papermill",
    "nbconvert",
    "ipykernel",
    "ipywidgets",
    "openpyxl",
    "jupyterlab",
)


class BuildError(RuntimeError):
    """A build that stopped; the message says where and what to look at."""


@dataclass
class BuildResult:
    """Where a finished build put its files, and how long each step took."""

    out_dir: Path
    html: Path
    docx: Path
    pdf: Path
    annex: Path
    manifest: Path
    notebooks: list[Path]
    analysis: Path | None = None  # phu-luc-phan-tich.html: the analysis behind the plan, with its charts
    timings: dict[str, float] = field(default_factory=dict)
    submission: Path | None = None  # to-trinh.html, None when the plan asks for no decision
    adjustment_html: Path | None = None  # dieu-chinh.html: the successor's adjusted plan, when there is one


def plan_notebooks(folder: Path = paths.NOTEBOOKS_DIR) -> list[Path]:
    """The plan notebooks, in step order (NN-topic.ipynb)."""
    return sorted(folder.glob(NOTEBOOK_GLOB))


def declared_parameters(notebook: Path) -> set[str]:
    """Names in a notebook's cell tagged ``parameters``."""
    return set(papermill.inspect_notebook(str(notebook)).keys())


def parameters_by_notebook() -> dict[str, list[str]]:
    """Parameter name -> the step numbers (NN) of the notebooks that declare it."""
    used: dict[str, list[str]] = {}
    for nb in plan_notebooks():
        for name in sorted(declared_parameters(nb)):
            used.setdefault(name, []).append(nb.stem[:2])
    return used


def _papermill_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def _versions() -> dict[str, str]:
    out = {}
    for name in VERSIONED_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _failure_message(nb_name: str, exc: Exception, partial: Path) -> str:
    cell = getattr(exc, "exec_count", None)
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    where = f"ô số {cell}" if cell is not None else "một ô"
    return (
        f"Notebook {nb_name} lỗi tại {where}: {ename}: {evalue}\n"
        f"Notebook đã chạy một phần được giữ để kiểm tra: {partial}\n"
        f"Kế hoạch đã dựng trước đó (nếu có) không bị thay đổi."
    )


def build(
    plan: str | os.PathLike | None = None,
    params_files: list[str | os.PathLike] = (),
    overrides: dict[str, Any] | None = None,
    out_root: str | os.PathLike = paths.OUTPUTS_DIR,
    notebooks: list[Path] | None = None,
    workers: int = 2,
    progress: Callable[[str], None] = print,
    built_at: dt.datetime | None = None,
) -> BuildResult:
    """Build the yearly plan; raise ParamError / PlanValidationError before running anything,
    BuildError if a notebook fails (old outputs untouched)."""
    started = time.perf_counter()
    notebooks = list(notebooks) if notebooks is not None else plan_notebooks()
    if not notebooks:
        raise BuildError(f"Không có notebook nào khớp {NOTEBOOK_GLOB} trong {paths.NOTEBOOKS_DIR}")
    declared = {nb: declared_parameters(nb) for nb in notebooks}
    allowed = set().union(*declared.values())

    merged = merge_files(params_files, overrides)
    for line in merged.report:
        progress(f"Tham số: {line}")
    values = dict(merged.values)
    if plan is not None:
        values["plan_dir"] = str(Path(plan).resolve())
    values["interactive"] = False
    checked = validate(values, allowed=allowed)
    P = Params(checked)
    if "plan_dir" not in checked or not checked["plan_dir"]:
        checked["plan_dir"] = str(P.plan_path)
    the_plan = loading.load_plan(P.plan_path)  # raises PlanValidationError listing every problem
    the_plan = official.check_frame(the_plan)  # the document's frame on every date it may change; defaults warned
    season.check_loaded(the_plan)  # results entered so far, checked with the support norms, before anything runs
    # The comparison of this plan that the submission (Tờ trình) cites is an input like any other: read once here,
    # its SHA-256 in the manifest.
    cited = compare_report.comparison_workbook(the_plan, out_root)
    citation = compare_report.citation(cited) if cited is not None else None
    for warning in the_plan.warnings:
        progress(f"Cảnh báo dữ liệu: {warning}")

    plan_problems = compute.check_params(the_plan, P) + check_as_of(the_plan.year, P.as_of)
    if plan_problems:
        raise ParamError(plan_problems)
    checked.setdefault("province", the_plan.province_id)
    checked.setdefault("year", the_plan.year)
    if checked["province"] != the_plan.province_id or checked["year"] != the_plan.year:
        raise ParamError(
            [
                f"province/year ({checked['province']}/{checked['year']}) không khớp plan.yaml "
                f"({the_plan.province_id}/{the_plan.year}) của {P.plan_path}"
            ]
        )
    scenario = P.scenario
    out_dir = Path(out_root).resolve() / the_plan.province_id / str(the_plan.year) / scenario
    tmp = atomic.staging_dir(out_dir)
    failed = atomic.failed_dir(out_dir)
    timings: dict[str, float] = {"validate": time.perf_counter() - started}
    progress(
        f"Dựng kế hoạch {the_plan.province_name} {the_plan.year}, kịch bản '{scenario}': {len(notebooks)} notebook"
    )

    t0 = time.perf_counter()
    try:
        results = compute.Model(the_plan).results(P)
        results_file = artifacts.write_results(tmp / f".{artifacts.RESULTS_FILE}", results)
    except OSError as exc:  # e.g. a full disk: nothing was published
        atomic.remove_dir(tmp)
        raise BuildError(
            f"Không ghi được kết quả tính toán ({exc}).\nKế hoạch đã dựng trước đó (nếu có) không bị thay đổi."
        ) from exc
    except Exception:
        atomic.remove_dir(tmp)
        raise
    timings["compute"] = time.perf_counter() - t0

    def run(nb: Path) -> float:
        t0 = time.perf_counter()
        nb_params = {k: _papermill_value(v) for k, v in checked.items() if k in declared[nb]}
        if "results_path" in declared[nb]:
            nb_params["results_path"] = str(results_file)
        papermill.execute_notebook(
            str(nb),
            str(tmp / nb.name),
            parameters=nb_params,
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            execution_timeout=EXECUTION_TIMEOUT_S,
            report_mode=False,
            extra_arguments=KERNEL_ARGUMENTS,
        )
        return time.perf_counter() - t0

    # The document thread's modules are imported at the top of this module, in the main thread (two
    # threads importing one package at once is not safe); charts render to inline SVG.
    notebook.setup_notebook()

    written_documents: list[str] = []

    def write_documents() -> dict[str, float]:
        """The annex, the ledger and the documents, from the results only."""
        took, files = documents.write_all(results, tmp, citation)
        written_documents.extend(files)
        return took

    # The documents read the results only: write them while the kernels run.
    annex_pool = ThreadPoolExecutor(max_workers=1)
    annex_future = annex_pool.submit(write_documents)
    errors: list[str] = []
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        # Later steps carry the heavier analysis: start them first so the light overview fills the tail.
        submitted = {nb: pool.submit(run, nb) for nb in reversed(notebooks)}
        futures = {nb: submitted[nb] for nb in notebooks}
        for i, (nb, fut) in enumerate(futures.items(), start=1):
            try:
                seconds = fut.result()
                timings[nb.stem] = seconds
                progress(f"  [{i}/{len(notebooks)}] {nb.stem}: xong ({vnformat.number(seconds, 1)} giây)")
            except Exception as exc:
                progress(f"  [{i}/{len(notebooks)}] {nb.stem}: LỖI")
                errors.append(_failure_message(nb.name, exc, failed / nb.name))
    try:
        timings.update(annex_future.result())
    except Exception as exc:  # any failure is reported like a notebook's, and the old plan stays
        errors.append(
            f"Dựng tài liệu kế hoạch (plan.*, to-trinh.*, dieu-chinh.*, phu-luc-phan-tich.*, annex.xlsx, figures.json) lỗi: {type(exc).__name__}: {exc}"
        )
    annex_pool.shutdown()
    atomic.remove_file(results_file)
    if errors:
        atomic.keep_failed(tmp, out_dir)
        raise BuildError("\n\n".join(errors))

    has_submission = f"{artifacts.SUBMISSION_STEM}.html" in written_documents
    if not has_submission:
        progress("Tờ trình: không có nội dung cần quyết định với các thông số này, không viết to-trinh.*")
    try:
        _write_manifest(
            tmp,
            notebooks,
            the_plan,
            P,
            checked,
            scenario,
            built_at or dt.datetime.now(),
            timings,
            started,
            cited,
            written_documents,
        )
    except Exception as exc:
        atomic.keep_failed(tmp, out_dir)
        raise BuildError(
            f"Dựng tài liệu lỗi sau khi các notebook đã chạy xong: {type(exc).__name__}: {exc}\n"
            f"Các tệp đã tạo được giữ để kiểm tra: {failed}\n"
            "Kế hoạch đã dựng trước đó (nếu có) không bị thay đổi."
        ) from exc

    atomic.replace_dir(tmp, out_dir)  # one atomic exchange: a kill never leaves no plan at out_dir
    atomic.remove_dir(failed)
    # The companions first; the last line names the plan itself.
    for label, stem in (
        ("Tờ trình", artifacts.SUBMISSION_STEM),
        ("Kế hoạch điều chỉnh", artifacts.ADJUSTMENT_STEM),
        ("Phân tích", documents.ANALYSIS),
    ):
        if (out_dir / f"{stem}.html").exists():
            progress(f"{label}: {_display(out_dir / f'{stem}.html')}")
    progress(f"Kế hoạch: {_display(out_dir / 'plan.html')}")
    return BuildResult(
        out_dir=out_dir,
        html=out_dir / "plan.html",
        docx=out_dir / "plan.docx",
        pdf=out_dir / "plan.pdf",
        annex=out_dir / "annex.xlsx",
        manifest=out_dir / "manifest.json",
        adjustment_html=adjusted if (adjusted := out_dir / f"{artifacts.ADJUSTMENT_STEM}.html").exists() else None,
        notebooks=[out_dir / nb.name for nb in notebooks],
        analysis=out_dir / f"{documents.ANALYSIS}.html",
        timings=timings,
        submission=out_dir / "to-trinh.html" if has_submission else None,
    )


def _write_manifest(
    tmp: Path,
    notebooks: list[Path],
    the_plan: Plan,
    P: Params,
    checked: dict[str, Any],
    scenario: str,
    when: dt.datetime,
    timings: dict[str, float],
    started: float,
    cited: Path | None = None,
    documents: list[str] | None = None,
) -> None:
    """Write manifest.json into ``tmp`` (the documents and the annex are already there): the
    SHA-256 of every file the plan was loaded from and of the comparison its proposals cite."""
    timings["total"] = time.perf_counter() - started

    manifest = {
        "province_id": the_plan.province_id,
        "year": the_plan.year,
        "scenario": scenario,
        "built_at": when.isoformat(timespec="seconds"),
        "parameters": {k: _papermill_value(v) for k, v in sorted(checked.items())},
        "seed": P.seed,
        "inputs_sha256": input_hashes([*the_plan.input_files, *([cited] if cited is not None else [])]),
        "cited_comparison": paths.shown(cited) if cited is not None else None,
        "input_warnings": [str(w) for w in the_plan.warnings],
        "notebooks": [nb.name for nb in notebooks],
        "documents": documents or ["plan.html", "plan.docx", "plan.pdf", "annex.xlsx"],
        "packages": _versions(),
        "timings_s": {k: round(v, 3) for k, v in timings.items()},
    }
    atomic.write_bytes(
        tmp / "manifest.json", (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    )


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)

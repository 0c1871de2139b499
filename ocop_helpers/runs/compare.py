"""Several scenarios of one plan side by side: computed in parallel, reduced to decision figures.

``compare(plan, scenarios)`` computes every scenario with :func:`ocop_helpers.model.compute.Model.results`
(the same :class:`~ocop_helpers.model.compute.Results` the plan shows) through a standard
:class:`concurrent.futures.Executor` — a process pool by default, or a Dask cluster's executor — and
reduces each to one row of figures read from its Results (never recomputed). Scenarios that share
the expensive stages (the Monte Carlo depends on the envelope but not on the rule) are sent to the
same worker in one batch, whose :class:`~ocop_helpers.model.compute.Model` cache then computes them once.

:mod:`ocop_helpers.runs.compare_report` turns the rows into ``compare.html`` and ``compare.xlsx``.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from ocop_helpers.core import paths, vnformat
from ocop_helpers.domain import labels
from ocop_helpers.inputs import loading
from ocop_helpers.inputs.plan import Plan
from ocop_helpers.model import compute
from ocop_helpers.model.params import ParamError, Params, specs, validate
from ocop_helpers.runs.artifacts import input_hashes, plan_files
from ocop_helpers.runs.scenarios import Scenario, read
from ocop_helpers.runs.sweep import Sweep, point_name, points

# What a saved scenario holds that does not change a figure (the plan is chosen by --plan).
IGNORED_KEYS = ("interactive", "results_path", "plan_dir", "scenario")
WORKER_MODELS_KEPT = 2


# ----------------------------------------------------------------------------- scenarios
def read_scenario(path: str | os.PathLike) -> tuple[str, dict[str, Any]]:
    """A scenario file as the Lab saves it (or any params YAML), read by :func:`scenarios.read`: (name,
    validated values without the keys that do not change a figure)."""
    p = Path(path)
    if not p.is_file():
        raise ParamError([f"{p}: không có tệp kịch bản này"])
    saved = read(p)
    return saved.name, {k: v for k, v in saved.values.items() if k not in IGNORED_KEYS}


def _unique(name: str, used: set[str]) -> str:
    out, n = name, 2
    while out in used:
        out, n = f"{name} ({n})", n + 1
    used.add(out)
    return out


def scenarios(
    plan: Plan,
    files: Iterable[str | os.PathLike] = (),
    sweeps: list[Sweep] | None = None,
    overrides: dict[str, Any] | None = None,
) -> list[Scenario]:
    """The scenarios to compare: each file (or the plan's defaults when there is none), times every
    point of the sweeps, with ``overrides`` (e.g. fewer Monte Carlo draws) applied to all.

    Every problem — unknown parameter, bad value, a file saved for another plan, a value this plan
    cannot accept — is raised as one :class:`ParamError` before anything is computed.
    """
    base: list[tuple[str, str, dict[str, Any]]] = []
    problems: list[str] = []
    extra = validate(dict(overrides or {})) if overrides else {}
    for f in files:
        try:
            name, values = read_scenario(f)
        except ParamError as exc:
            problems += exc.problems
            continue
        for key, own in (("province", plan.province_id), ("year", plan.year)):
            if key in values and values[key] != own:
                problems.append(
                    f"{f}: kịch bản lưu cho {key} = {values[key]!r}, kế hoạch đang so sánh là {own!r} "
                    f"({plan.province_name} {plan.year})"
                )
        base.append((name, str(f), values))
    if not base:
        base.append(("mặc định", "tham số mặc định", {}))
    out: list[Scenario] = []
    used: set[str] = set()
    grid = points(sweeps or [])
    for name, source, values in base:
        for point in grid:
            merged = {**values, **extra, **point}
            merged.setdefault("province", plan.province_id)
            merged.setdefault("year", plan.year)
            label = name if not point else (point_name(point) if len(base) == 1 else f"{name} · {point_name(point)}")
            scen = Scenario(_unique(label, used), source, merged, dict(point))
            for problem in compute.check_params(plan, scen.params):
                problems.append(f"{scen.name}: {problem}")
            out.append(scen)
    if problems:
        raise ParamError(sorted(set(problems), key=problems.index))
    return out


# ----------------------------------------------------------------------------- one row of figures
@dataclass(frozen=True)
class Figure:
    """One row of the comparison: key, Vietnamese label, kind ('money', 'int', 'share', 'points',
    'float', 'text') and whether a higher value is better (for the reading of a difference)."""

    key: str
    label: str
    kind: str
    higher_is_better: bool | None = None


def figures(line_labels: dict[str, str]) -> list[Figure]:
    """The rows of the comparison, in order (budget lines as the plan names them)."""
    return [
        Figure("rule_label", "Quy tắc phân bổ", "text"),
        Figure("total_vnd", "Tổng kinh phí", "money"),
        *(Figure(f"line_{code}", f"– {label}", "money") for code, label in line_labels.items()),
        Figure("requested_vnd", "Nhu cầu hỗ trợ nhãn hiệu, bao bì theo định mức", "money"),
        Figure("share_funded", "Tỷ lệ nhu cầu được đáp ứng", "share", True),
        Figure("organisations", "Số chủ thể đề nghị hỗ trợ", "int"),
        Figure("fully_funded", "Chủ thể được hỗ trợ đủ", "int", True),
        Figure("partly_funded", "Chủ thể được hỗ trợ một phần", "int"),
        Figure("not_funded", "Chủ thể không được hỗ trợ", "int", False),
        Figure("weighted_coverage", "Mức đáp ứng có trọng số ưu tiên", "share", True),
        Figure("gap_to_optimum", "Cách phương án tối ưu", "points", False),
        Figure("unspent_vnd", "Kinh phí chưa phân bổ", "money", False),
        Figure("gini_funded_share", "Hệ số Gini của tỷ lệ đáp ứng", "float", False),
        Figure("lowest_unit", "Đơn vị được đáp ứng thấp nhất", "text"),
        Figure("lowest_unit_coverage", "Tỷ lệ đáp ứng của đơn vị thấp nhất", "share", True),
        Figure("highest_unit_coverage", "Tỷ lệ đáp ứng của đơn vị cao nhất", "share"),
        Figure("unit_spread", "Chênh lệch giữa các đơn vị (cao nhất − thấp nhất)", "points", False),
        Figure("rewards_p10_vnd", "Thưởng sau công nhận: mức thấp (P10)", "money"),
        Figure("rewards_p50_vnd", "Thưởng sau công nhận: trung vị (P50)", "money"),
        Figure("rewards_p90_vnd", "Thưởng sau công nhận: mức cao (P90)", "money"),
        Figure("rewards_prob_over", "Xác suất thưởng vượt dòng chi", "share", False),
        Figure("total_p90_vnd", "Tổng chi: mức cao (P90)", "money"),
        Figure("prob_overrun", "Xác suất vượt tổng kinh phí", "share", False),
        Figure("rounds_over_capacity", "Đợt đánh giá vượt năng lực hội đồng", "int", False),
        Figure("products_level_gone", "Sản phẩm xếp vào đợt ở cấp không còn tổ chức", "int", False),
        Figure("busiest_round_products", "Sản phẩm ở đợt đông nhất", "int"),
        Figure("end_stock", "Số sản phẩm OCOP dự kiến cuối năm", "int", True),
        Figure("stock_reached", "Đạt mục tiêu số sản phẩm OCOP", "text"),
        Figure("draws", "Số lượt mô phỏng Monte Carlo", "int"),
    ]


def decision_row(r: compute.Results) -> dict[str, Any]:
    """The decision figures of one scenario, each read from its Results."""
    m = r.allocation_metrics
    comparison = r.budget_comparison.set_index("line")
    by_unit = m.by_unit
    lowest = by_unit.loc[by_unit["funded_share"].idxmin()] if len(by_unit) else None
    rounds = r.calendar.rounds
    level_gone = ~rounds["level_in_force"].fillna(True).astype(bool)
    row: dict[str, Any] = {
        "rule": r.params.rule,
        "rule_label": labels.ALLOCATION_RULE.get(r.params.rule, r.params.rule),
        "total_vnd": int(comparison.loc["total", "planned_vnd"]),
        **{
            f"line_{code}": int(amount)
            for code, amount in zip(r.budget_lines["line"], r.budget_lines["amount_vnd"], strict=True)
        },
        "envelope_vnd": r.envelope_vnd,
        "requested_vnd": m.requested_vnd,
        "granted_vnd": m.granted_vnd,
        "share_funded": m.share_funded,
        "organisations": m.organisations,
        "fully_funded": m.fully_funded,
        "partly_funded": m.partly_funded,
        "not_funded": m.not_funded,
        "weighted_coverage": m.weighted_coverage,
        "gap_to_optimum": m.gap_to_optimum,
        "unspent_vnd": m.unspent_vnd,
        "gini_funded_share": m.gini_funded_share,
        "lowest_unit": "–" if lowest is None else r.unit_names.get(lowest["unit_id"], lowest["unit_id"]),
        "lowest_unit_id": None if lowest is None else lowest["unit_id"],
        "lowest_unit_coverage": m.lowest_unit_coverage,
        "highest_unit_coverage": m.highest_unit_coverage,
        "unit_spread": m.highest_unit_coverage - m.lowest_unit_coverage,
        "rewards_p10_vnd": _get(comparison, "rewards", "p10_vnd"),
        "rewards_p50_vnd": _get(comparison, "rewards", "p50_vnd"),
        "rewards_p90_vnd": _get(comparison, "rewards", "p90_vnd"),
        "rewards_prob_over": _get(comparison, "rewards", "prob_over_planned", float),
        "total_p90_vnd": _get(comparison, "total", "p90_vnd"),
        "prob_overrun": r.simulation.prob_overrun,
        "rounds_over_capacity": int(rounds["over_capacity"].sum()),
        "products_level_gone": int(rounds.loc[level_gone, "products"].sum()),
        "busiest_round_products": int(rounds["products"].max()) if len(rounds) else 0,
        "end_stock": int(round(r.stock.end_stock)),
        "stock_target": r.plan.targets.stock_target,
        "stock_reached": "Đạt" if r.stock.can_reach else "Chưa đạt",
        "draws": r.params.draws,
    }
    return row


def _get(frame: pd.DataFrame, line: str, column: str, kind: type = int) -> Any:
    if line not in frame.index:
        return None
    value = frame.loc[line, column]
    return None if pd.isna(value) else kind(value)


# ----------------------------------------------------------------------------- workers
_MODELS: dict[str, compute.Model] = {}


def plan_fingerprint(plan_path: Path) -> str:
    """A digest of the plan's input files and reference tables: a worker keeps one Model per
    fingerprint, so a long-lived worker (a Dask cluster) never reuses a plan whose files changed."""

    return hashlib.sha256(json.dumps(input_hashes(plan_files(plan_path)), sort_keys=True).encode()).hexdigest()


def _model(plan_path: str, fingerprint: str) -> compute.Model:
    model = _MODELS.get(fingerprint)
    if model is None:
        while len(_MODELS) >= WORKER_MODELS_KEPT:
            _MODELS.pop(next(iter(_MODELS)))
        model = _MODELS[fingerprint] = compute.Model(loading.load_plan(plan_path), keep=8)
    return model


def compute_batch(plan_path: str, fingerprint: str, batch: list[tuple[int, dict[str, Any]]]) -> list[tuple[int, dict]]:
    """Worker task: load the plan once per worker, compute each scenario, return (index, row)."""
    model = _model(plan_path, fingerprint)
    return [(i, decision_row(model.results(Params(values)))) for i, values in batch]


def batches(items: list[Scenario], workers: int) -> list[list[int]]:
    """Scenario indexes grouped so that scenarios sharing the Monte Carlo go to one worker together
    (computed once there), then groups split when there are fewer groups than workers."""
    groups: dict[tuple, list[int]] = {}
    for i, s in enumerate(items):
        key = tuple(repr(getattr(s.params, p)) for p in compute.STAGE_PARAMS["simulation"])
        groups.setdefault(key, []).append(i)
    out = list(groups.values())
    while len(out) < workers and any(len(g) > 1 for g in out):
        out.sort(key=len)
        largest = out.pop()
        half = len(largest) // 2
        out += [largest[:half], largest[half:]]
    return sorted(out, key=lambda g: g[0])


# ----------------------------------------------------------------------------- executors
class CompareError(RuntimeError):
    """A scenario whose computation failed in a worker; names the scenarios of the failed batch."""


class ExecutorError(ParamError):
    """An executor that cannot be used (bad address, Dask not installed, scheduler unreachable)."""


@contextmanager
def executor(spec: str = "process", workers: int | None = None):
    """``process`` (a local process pool, one worker per core) or ``dask://host:port`` (the executor of
    a running dask.distributed scheduler). Yields (executor, number of workers)."""
    if spec in ("process", "", None):
        n = workers or os.cpu_count() or 1
        with ProcessPoolExecutor(max_workers=n) as pool:
            yield pool, n
        return
    if spec == "serial":
        yield _SerialExecutor(), 1
        return
    if spec.startswith("dask://") or spec.startswith("tcp://"):
        try:
            from distributed import Client  # deferred: Dask is optional (pip install .[dask])
        except ImportError:
            raise ExecutorError(
                ["--executor dask://…: cần gói 'distributed' (cài bằng: pip install -e '.[dask]')"]
            ) from None
        address = "tcp://" + spec.split("://", 1)[1]
        try:
            client = Client(address, timeout=10)
        except OSError as exc:
            raise ExecutorError([f"--executor {spec}: không kết nối được bộ điều phối Dask ({exc})"]) from None
        try:
            n = workers or max(1, sum(client.nthreads().values()))
            yield client.get_executor(pure=False), n
        finally:
            client.close()
        return
    raise ExecutorError(
        [f"--executor '{spec}': cần 'process', 'serial' hoặc 'dask://máy:cổng' (ví dụ dask://127.0.0.1:8786)"]
    )


class _SerialExecutor(Executor):
    """Runs tasks in the calling process (tests, profiling); same interface as the pools."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the caller through the future, as a pool does
            future.set_exception(exc)
        return future


# ----------------------------------------------------------------------------- progress
class Progress:
    """A plain-text progress bar on stderr: redrawn in place on a terminal, a line per tenth otherwise."""

    def __init__(self, total: int, label: str = "Tính các phương án", stream: TextIO | None = None, width: int = 30):
        self.total, self.label, self.width = total, label, width
        self.stream = stream if stream is not None else sys.stderr
        self.done = 0
        self.started = time.perf_counter()
        self._last_tenth = -1
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.update(0)

    def update(self, n: int) -> None:
        self.done += n
        share = self.done / self.total if self.total else 1.0
        tenth = int(share * 10)
        if not self._tty and tenth == self._last_tenth and self.done < self.total:
            return
        self._last_tenth = tenth
        elapsed = time.perf_counter() - self.started
        rate = self.done / elapsed if elapsed > 0 and self.done else 0.0
        filled = int(round(share * self.width))
        bar = "#" * filled + "." * (self.width - filled)
        text = (
            f"{self.label}: [{bar}] {self.done}/{self.total} ({share * 100:.0f}%), "
            f"{vnformat.number(rate, 1)} phương án/giây"
        )
        self.stream.write(("\r" + text) if self._tty else text + "\n")
        if self._tty and self.done >= self.total:
            self.stream.write("\n")
        self.stream.flush()


# ----------------------------------------------------------------------------- the comparison
@dataclass
class Comparison:
    """The rows of a comparison (one per scenario, in the given order) and what they came from."""

    plan: Plan
    scenarios: list[Scenario]
    rows: pd.DataFrame
    sweeps: list[Sweep]
    line_labels: dict[str, str]
    seconds: float = 0.0
    workers: int = 1

    @property
    def base(self) -> Scenario:
        return self.scenarios[0]


def compute_rows(
    plan: Plan,
    items: list[Scenario],
    executor_spec: str = "process",
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """Every scenario's decision row, computed through the executor (order kept), and the number of
    workers the executor offered."""
    plan_path = str(Path(plan.source).resolve())
    fingerprint = plan_fingerprint(Path(plan_path))
    rows: list[dict[str, Any] | None] = [None] * len(items)
    with executor(executor_spec, workers) as (pool, n):
        groups = batches(items, n)
        futures = {
            pool.submit(compute_batch, plan_path, fingerprint, [(i, items[i].values) for i in g]): g for g in groups
        }
        for future in as_completed(futures):
            try:
                done = future.result()
            except ParamError:
                raise
            except Exception as exc:  # a worker failed: say which scenarios, keep the cause
                names = ", ".join(items[i].name for i in futures[future][:5])
                raise CompareError(f"Tính phương án lỗi ({names}): {type(exc).__name__}: {exc}") from exc
            for i, row in done:
                rows[i] = row
            if progress is not None:
                progress(len(futures[future]))
    return [r for r in rows if r is not None], n


def compare(
    plan: Plan,
    items: list[Scenario],
    sweeps: list[Sweep] | None = None,
    executor_spec: str = "process",
    workers: int | None = None,
    show_progress: bool = True,
    stream: TextIO | None = None,
) -> Comparison:
    """Compute every scenario and collect the rows (raise ParamError on a scenario problem)."""
    started = time.perf_counter()
    bar = Progress(len(items), stream=stream) if show_progress else None
    rows, n = compute_rows(plan, items, executor_spec, workers, progress=bar.update if bar else None)
    frame = pd.DataFrame(rows)
    frame.insert(0, "scenario", [s.name for s in items])
    for s in sweeps or []:
        frame[f"sweep_{s.name}"] = [it.swept.get(s.name) for it in items]
    line_labels = {code: labels.BUDGET_LINE.get(code, code) for code in plan.budget_lines["line"]}
    return Comparison(plan, items, frame, list(sweeps or []), line_labels, time.perf_counter() - started, n)


def output_dir(plan: Plan, out_root: str | os.PathLike = paths.OUTPUTS_DIR) -> Path:
    """``<out>/<province>/<year>/compare``."""
    return Path(out_root).resolve() / plan.province_id / str(plan.year) / "compare"


def swept_parameters(items: list[Scenario]) -> list[str]:
    """Parameter names whose value differs between the scenarios (registry order)."""
    registry = specs()
    return [
        name
        for name in registry
        if name not in IGNORED_KEYS and len({repr(s.params.__getattr__(name)) for s in items}) > 1
    ]

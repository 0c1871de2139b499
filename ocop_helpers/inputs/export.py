"""A plan folder written out as one Excel workbook for planners who work in Excel."""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import yaml

from ocop_helpers.core import atomic
from ocop_helpers.core.errors import PlanValidationError, Problem
from ocop_helpers.inputs.checks import DOCUMENT_KEYS
from ocop_helpers.inputs.loading import PLAN_OVERRIDABLE, PLAN_TABLES
from ocop_helpers.inputs.readers import read_csv_text, read_text_input


def plan_to_xlsx(plan_dir: str | os.PathLike, target: str | os.PathLike) -> Path:
    """Write a plan folder as one Excel workbook (the template planners edit); text cells stay text."""

    src = Path(plan_dir)
    display = f"{src.name}/plan.yaml"
    text = read_text_input(src / "plan.yaml", display, "tệp plan.yaml (YAML, UTF-8) trong thư mục kế hoạch")
    try:
        meta = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        mark = getattr(exc, "problem_mark", None)
        what = getattr(exc, "problem", None) or str(exc)
        raise PlanValidationError(
            [Problem(display, mark.line + 1 if mark else None, None, None, f"YAML không hợp lệ: {what}")]
        ) from None
    if not isinstance(meta, dict):
        raise PlanValidationError([Problem(display, None, None, None, "tệp phải là một bảng khóa: giá trị")])
    meta = {
        **meta,
        "targets": meta.get("targets") if isinstance(meta.get("targets"), dict) else {},
        "rounds": [r for r in meta.get("rounds") or [] if isinstance(r, dict)]
        if isinstance(meta.get("rounds"), list)
        else [],
        "sources": meta.get("sources") if isinstance(meta.get("sources"), dict) else {},
    }
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "plan"
    ws.append(["key", "value"])
    for key in ("province_id", "province_name", "year", "units_as_of", "plan_document", *DOCUMENT_KEYS):
        if key in meta:
            ws.append([key, str(meta[key])])
    for key, value in (meta.get("provenance") or {}).items():
        ws.append([f"provenance.{key}", str(value)])
    if meta.get("approximate"):
        ws.append(["approximate", ", ".join(str(a) for a in meta["approximate"])])
    for key, value in meta.get("targets", {}).items():
        ws.append([f"targets.{key}", value if isinstance(value, (int, float, str)) else str(value)])
    rounds = book.create_sheet("rounds")
    rounds.append(["round", "level", "deadline"])
    for r in meta.get("rounds", []):
        rounds.append([str(r.get("round", "")), str(r.get("level", "")), str(r.get("deadline", ""))])
    sources = book.create_sheet("sources")
    sources.append(["key", "text"])
    for key, text in (meta.get("sources") or {}).items():
        sources.append([str(key), str(text)])
    for name in PLAN_TABLES + PLAN_OVERRIDABLE:
        path = src / f"{name}.csv"
        if not path.exists():
            continue
        frame = read_csv_text(path, f"{src.name}/{name}.csv")
        sheet = book.create_sheet(name)
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            sheet.append([str(v) for v in row])
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.data_type = "s"
    out = Path(target)
    atomic.write_atomic(out, lambda tmp: book.save(tmp))
    return out

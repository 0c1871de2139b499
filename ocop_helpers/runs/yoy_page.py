"""The year-over-year comparison as a page of its own (make yoy)."""

from __future__ import annotations

import datetime as dt
import html as _html
from pathlib import Path

from ocop_helpers.core import atomic, paths
from ocop_helpers.document import registry, sections
from ocop_helpers.domain import yoy
from ocop_helpers.inputs.plan import Plan
from ocop_helpers.model import compute
from ocop_helpers.model.params import Params
from ocop_helpers.render import notebook
from ocop_helpers.runs import compare_report
from ocop_helpers.runs.compare import output_dir

# ----------------------------------------------------------------------------- the page
PAGE_NAME = "year-over-year.html"


def page_html(plan: Plan, built: dt.datetime | None = None) -> str:
    """The year-over-year section of the plan as a page of its own (self-contained, Vietnamese)."""

    previous, table, rekeyed, detail = compute.Model(plan).year_over_year(Params({}))
    items = sections.year_over_year_items(
        plan, previous, table, rekeyed, detail, compute.unit_display_names(plan), registry.title("year_over_year")
    )
    if not items:
        body = f'<div class="ocop-notice ocop-warning">{_html.escape(yoy.nothing_to_compare(plan))}</div>'
    else:
        body = "\n".join(notebook.to_display(item).data for item in items)
    return compare_report.page(
        f"So sánh kế hoạch năm {plan.year} với năm {plan.year - 1}",
        plan,
        body,
        built,
    )


def write_page(plan: Plan, out_root: str | Path = paths.OUTPUTS_DIR, built: dt.datetime | None = None) -> Path:
    """Write ``<out>/<province>/<year>/compare/year-over-year.html`` (atomically)."""

    text = page_html(plan, built)
    target = output_dir(plan, out_root) / PAGE_NAME
    atomic.write_atomic(target, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    return target

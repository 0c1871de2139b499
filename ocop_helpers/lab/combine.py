"""Combining saved scenarios from the Lab, as ``python -m ocop_helpers.runs.scenarios a.yaml b.yaml``
and ``make plan PARAMS="a.yaml b.yaml"`` do: the same :func:`ocop_helpers.runs.scenarios.merge_files`
(later files win), the same report of every override, shown with the parameters' Vietnamese names
and which scenario each value came from.

DOM contract (browser tests): ``ocop-combine`` (the multi-select of saved scenarios),
``ocop-combine-button``, ``ocop-combine-msg`` and ``ocop-combine-report`` (a table whose rows carry
``data-param``).
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Sequence
from typing import Any

from ocop_helpers.model.compute import unit_display_names
from ocop_helpers.model.params import ParamError, specs, validate
from ocop_helpers.runs import scenarios

PLAN_KEYS = ("province", "year", "plan_dir")


def label(bench: Any, name: str) -> str:
    """A parameter's Vietnamese name: its control's label in this notebook, else the registry's help
    up to its first ';' (never the internal name)."""
    known = bench._labels.get(name)
    if known:
        return known
    return specs()[name].help.split(";")[0] if name in specs() else name


def readable(bench: Any, line: str) -> str:
    """A line of the merge report with every quoted parameter name replaced by its Vietnamese name."""
    return re.sub(r"'(\w+)'", lambda m: f"«{label(bench, m.group(1))}»" if m.group(1) in specs() else m.group(0), line)


def combine(bench: Any, files: Sequence[str | os.PathLike]) -> tuple[str, bool, str]:
    """Merge saved scenario files (in the order given, later wins) into the controls.

    Returns (message, ok, report HTML). Every value the files do not set returns to its default, as
    loading one scenario does; the merge is refused, with the last result kept, when a file cannot be
    read, belongs to another plan or the model cannot use the combination.
    """
    if len(files) < 2:
        return "Chọn ít nhất hai kịch bản đã lưu để kết hợp.", False, ""
    try:
        merged = scenarios.merge_files(files)
    except (ParamError, OSError, ValueError) as exc:
        return f"Không đọc được kịch bản: {exc}", False, ""
    try:
        checked = validate(merged.values)
    except ParamError as exc:

        def where(problem: str) -> str:
            m = re.match(r"'(\w+)'", problem)
            origin = merged.origin.get(m.group(1), "") if m else ""
            return (f"{origin}: " if origin else "") + readable(bench, problem)

        return "Không kết hợp được: " + "; ".join(where(p) for p in exc.problems), False, ""
    reg = specs()
    for key in PLAN_KEYS:
        if key in checked and checked[key] != bench.values.get(key, reg[key].default):
            return (
                f"Kịch bản {merged.origin.get(key, '')} thuộc kế hoạch khác ({label(bench, key)} = {checked[key]}); "
                "mở notebook với kế hoạch đó để kết hợp.",
                False,
                "",
            )
    own = set(bench.values)
    changes = {k: reg[k].default for k in own if k not in scenarios.NOT_SAVED and k not in PLAN_KEYS}
    changes.update({k: v for k, v in checked.items() if k in own and k != "scenario"})
    if not bench.apply(changes):
        return "Không kết hợp được (xem thông báo ở trên); giữ kết quả trước đó.", False, ""
    name = str(checked.get("scenario") or "")
    if bench._name is not None:
        bench._name.value = name
    if bench._note is not None:
        bench._note.value = "Kết hợp: " + ", ".join(os.path.basename(str(f)) for f in files)
    return (
        f"Đã kết hợp {len(files)} kịch bản thành «{name}». Lưu kịch bản để dựng kế hoạch.",
        True,
        report_html(bench, merged, checked),
    )


def report_html(bench: Any, merged: scenarios.Merged, checked: dict[str, Any]) -> str:
    """Which value came from which scenario (a table) and every override the merge made."""
    names = unit_display_names(bench.plan)
    own = set(bench.values)
    rows = "".join(
        f'<tr data-param="{html.escape(k)}"><td>{html.escape(label(bench, k))}</td>'
        f"<td>{html.escape(scenarios.shown_value(k, v, names))}</td>"
        f"<td>{html.escape(merged.origin.get(k, ''))}</td></tr>"
        for k, v in checked.items()
        if k in own and k != "scenario"
    )
    unused = [label(bench, k) for k in checked if k not in own and k != "scenario"]
    lines = [readable(bench, r) for r in merged.report] or ["Không có giá trị nào bị ghi đè."]
    text = (
        "<b>Giá trị của kịch bản kết hợp:</b>"
        "<table style='border-collapse:collapse;font-size:90%'><thead><tr><th>Tham số</th><th>Giá trị</th>"
        f"<th>Lấy từ</th></tr></thead><tbody>{rows}</tbody></table>"
        "<b>Ghi đè:</b><ul>" + "".join(f'<li class="ocop-override">{html.escape(r)}</li>' for r in lines) + "</ul>"
    )
    if unused:
        text += "<i>Không dùng trong notebook này: " + html.escape(", ".join(unused)) + ".</i>"
    return text


def panel(bench: Any):
    """The toolbar row: the saved scenarios (pick several, in order), 'Kết hợp', its message and report.

    The list follows the toolbar's list of saved scenarios (refreshed when a scenario is saved)."""
    import ipywidgets as w  # deferred: ipywidgets only when controls are shown (papermill runs create none)

    def options() -> list[tuple[str, str]]:
        return [(text, value) for text, value in bench._load_options() if value]

    pick = w.SelectMultiple(
        options=options(),
        description="Kết hợp các kịch bản",
        tooltip="Chọn hai kịch bản trở lên (Ctrl + nhấp); kịch bản đứng sau trong danh sách ghi đè kịch bản trước",
        layout=w.Layout(width="42rem", height="6rem"),
        style={"description_width": "8rem"},
    )
    pick.add_class("ocop-combine")
    button = w.Button(
        description="Kết hợp",
        icon="object-group",
        tooltip="Đặt vào điều khiển các giá trị gộp từ những kịch bản đã chọn, báo giá trị nào bị ghi đè",
        layout=w.Layout(width="auto", flex="0 0 auto"),
    )
    button.add_class("ocop-combine-button")
    msg = w.HTML(value="", tooltip="")
    msg.add_class("ocop-combine-msg")
    report = w.HTML(value="", tooltip="")
    report.add_class("ocop-combine-report")

    def run(_: Any) -> None:
        order = [value for _, value in pick.options]
        chosen = sorted(pick.value, key=order.index)
        text, ok, body = combine(bench, chosen)
        bench._show_message(msg, text, ok)
        report.value = body

    def follow(_: Any) -> None:
        chosen = pick.value
        pick.options = options()
        pick.value = tuple(v for v in chosen if v in {value for _, value in pick.options})

    button.on_click(run)
    if bench._load is not None:
        bench._load.observe(follow, names="options")
    return w.VBox([w.HBox([pick, button]), msg, report])

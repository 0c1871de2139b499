"""What-if control panels for JupyterLab over one computed scenario.

A :class:`Workbench` holds the current parameter values of one notebook and the
:class:`~ocop_helpers.model.compute.Model` of its plan. Each panel shows controls (ipywidgets) above an
Output filled by a section (``Results -> display items``, the same function the build calls). A
change goes through the same validation (``params.coerce``) and the same compute as a papermill
build; the model recomputes only the stages that depend on the changed parameter, and every panel
whose figures changed is redrawn from the new results — so what the planner sees is what a saved
scenario builds.

The controls and their value conversion are :mod:`ocop_helpers.lab.controls`.

DOM contract (used by the browser tests): every control has the CSS class ``ocop-ctl-<name>``,
views are Outputs with class ``ocop-view`` (``ocop-stale`` while a recompute runs), messages
``ocop-msg`` (errors ``ocop-msg-error``); the toolbar has ``ocop-status``, ``ocop-scenario-name``,
``ocop-note``, ``ocop-overwrite``, ``ocop-save``, ``ocop-reset``, ``ocop-diff``, ``ocop-load`` (a
dropdown) with ``ocop-load-button``, ``ocop-build``, ``ocop-build-log`` and ``ocop-build-links``.
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ocop_helpers.core import paths, vnformat
from ocop_helpers.core.errors import PlanValidationError
from ocop_helpers.document import elements
from ocop_helpers.document.charts import drafting
from ocop_helpers.lab import combine
from ocop_helpers.lab.controls import MONEY_UNIT, TEXT_DISPLAYS, Control, from_widget_value, to_widget_value
from ocop_helpers.model.compute import Model, field_params, preview_params, unit_display_names
from ocop_helpers.model.params import ParamError, Params, coerce, specs
from ocop_helpers.render import notebook
from ocop_helpers.runs import build, scenarios


class _Traced:
    """Records which attributes a section reads (of the results, and of their parameters)."""

    def __init__(self, target: Any, seen: set[str], params_seen: set[str] | None = None):
        self._target, self._seen, self._params_seen = target, seen, params_seen

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if self._params_seen is None:  # tracing the parameters
            self._seen.add("*" if name == "values" else name)
            return value
        self._seen.add(name)
        return _Traced(value, self._params_seen) if name == "params" else value


@dataclass
class _PanelState:
    panel: Any
    controls: dict[str, Any]
    out: Any
    msg: Any
    fields: set[str] = field(default_factory=set)
    params: set[str] = field(default_factory=set)
    shown: dict[str, Any] = field(default_factory=dict)  # the field values the panel was drawn from
    # to be refined: drawn from a preview (fewer Monte Carlo draws) or with its charts not yet redrawn
    preview: bool = False
    charts: tuple[dict, ...] = ()  # the output records of the charts last drawn (kept while they redraw)

    def depends_on(self) -> frozenset[str]:
        """The parameters whose change can change what this panel shows (``*``: any)."""
        return frozenset(self.params).union(*(field_params(f) for f in self.fields))

    def can_change(self, changed: set[str]) -> bool:
        """Whether a change of these parameters can change this panel's figures."""
        deps = self.depends_on()
        return "*" in deps or bool(deps & changed)


# Greyed panels and the busy line appear only when a recompute lasts more than 0,3 s (CSS delays):
# quick changes do not flicker, slow ones are visibly marked out of date while they run.
STALE_CSS = (
    ".ocop-view{transition:opacity .1s linear}"
    ".ocop-stale{opacity:.35;transition:opacity .15s linear .3s}"
    "@keyframes ocop-appear{from{visibility:hidden}to{visibility:visible}}"
    ".ocop-busy{color:#b86e00;font-weight:bold;animation:ocop-appear 0s linear .3s both}"
    ".ocop-preview{border-left:3px dashed #b86e00;padding-left:4px}"
    ".ocop-preview-note{color:#b86e00;font-style:italic}"
    ".ocop-chart-pending{opacity:.4}"
    ".ocop-chart-pending-note{color:#b86e00;font-style:italic;font-size:90%}"
    ".ocop-diff table{border-collapse:collapse;font-size:90%}"
    ".ocop-diff td,.ocop-diff th{padding:1px 8px;text-align:left}"
)
# The notebooks' "run the notebook" lines (markdown cells tagged lab-only, class ocop-rerun) are for a
# notebook opened without running it; once it shows outputs they are hidden.
RERUN_CSS = ".jp-Notebook:has(.jp-OutputArea-output) .ocop-rerun{display:none}"
BUSY_HTML = '<span class="ocop-busy">Đang tính lại…</span>'
# A panel that reads the Monte Carlo is first drawn from at most this many draws (fewer on a large
# plan: PREVIEW_CELLS draws × organisations), then refined to the scenario's own number of draws.
PREVIEW_DRAWS = 500
PREVIEW_MIN_DRAWS = 50
PREVIEW_CELLS = 500_000
# With a minimum grant the eight rules cost about this many times as much per draw (each looks for its
# longest useful priority list; measured 260 against 70 ms at 50 draws × 6 120 organisations).
MIN_GRANT_COST = 4
Refine = Literal["at_once", "manual", "background"]


def preview_note(draws: int) -> str:
    """The line above a panel drawn from a preview."""
    return (
        f'<span class="ocop-preview-note">Xem trước ({vnformat.number(draws)} lượt mô phỏng) — đang tính đầy đủ…</span>'
    )


CHARTS_NOTE = '<span class="ocop-preview-note">Số liệu đã cập nhật — đang vẽ lại biểu đồ…</span>'


def pending_chart(previous: dict | None) -> dict:
    """The output record shown where a chart is being redrawn: the chart it replaces, faded and
    labelled as such (or only the label when the panel had no chart there)."""
    note = '<div class="ocop-chart-pending-note">Biểu đồ đang vẽ lại theo giá trị mới…</div>'
    svg = (previous or {}).get("data", {}).get("image/svg+xml", "")
    body = f'<div class="ocop-chart-pending">{svg}</div>' if svg else ""
    return {"output_type": "display_data", "data": {"text/html": note + body}, "metadata": {}}


@dataclass
class _Drawing:
    """A panel's new content, made without touching its widgets (a refinement makes it outside the
    drawing lock and shows it only if no newer change came meanwhile)."""

    fields: set[str]
    params: set[str]
    shown: dict[str, Any]
    outputs: tuple[dict, ...]
    charts: tuple[dict, ...] | None  # None: not redrawn (the panel shows the last ones, faded)
    charts_pending: bool  # has charts still to redraw
    draws_preview: bool
    draws: int


def preview_draws(plan: Any, params: Params | None = None) -> int:
    """How many Monte Carlo draws a preview uses on this plan: about PREVIEW_CELLS draws ×
    organisations of work, so fewer the more organisations; with a minimum grant every rule looks
    for its longest useful priority list (MIN_GRANT_COST times the work), so fewer again."""
    organisations = max(1, len(plan.organisations))
    cost = organisations
    if params is not None and (params.min_grant_vnd or 0) > 0:
        cost *= MIN_GRANT_COST
    return max(PREVIEW_MIN_DRAWS, min(PREVIEW_DRAWS, PREVIEW_CELLS // cost))


def output_root() -> Path:
    """Where the build button writes plans: $OCOP_OUTPUT_DIR, else <repo>/outputs (as `make plan`)."""
    return Path(os.environ.get("OCOP_OUTPUT_DIR") or paths.OUTPUTS_DIR)


def _html(value: str = "", cls: str | None = None):
    """An HTML widget with an empty tooltip (ipywidgets writes a missing one as title="null")."""
    import ipywidgets as w  # deferred: ipywidgets only when controls are shown (papermill runs create none)

    widget = w.HTML(value=value, tooltip="")
    if cls:
        widget.add_class(cls)
    return widget


class Workbench:
    """The current what-if values of one notebook, its model and the panels that show it.

    ``refine`` says what happens when a change needs a new Monte Carlo: ``"at_once"`` computes the
    scenario's own draws before returning (no preview); ``"background"`` (JupyterLab) draws the panels
    that read it from a preview with fewer draws at once, marked as such, and refines them in a
    background thread — a newer change cancels a refinement under way, and of a burst of changes only
    the last is refined; ``"manual"`` draws the preview and refines when :meth:`wait_refined` is
    called (tests, benchmark: the same steps, synchronously)."""

    def __init__(self, plan: Any, params: Params, source: str = "", refine: Refine = "at_once"):

        self.plan = plan
        self.refine_mode: Refine = refine
        self.preview_draws = preview_draws(plan)
        self._generation = 0  # bumped by every accepted change: a refinement of an older one is dropped
        self._pending: tuple[int, Params] | None = None  # the refinement to run (manual mode)
        self._worker: threading.Thread | None = None
        self._refine_lock = threading.Lock()  # one refinement computes at a time
        self._draw_lock = threading.RLock()  # panels are drawn by one thread at a time
        self.model = Model(plan)
        self.base = dict(params.values)
        self.values = dict(params.values)
        self.results = self.model.lazy(params)  # fields computed when a panel first reads them
        self.source = source
        self._panels: list[_PanelState] = []
        self._labels: dict[str, str] = {}
        self._fallbacks: dict[str, Any] = {}
        self._toolbar_msg = None
        self._status = None
        self._diff = None
        self._load = None
        self._name = None
        self._note = None
        self._build_log = None
        self._build_links = None
        self._saved: tuple[Path, dict[str, Any]] | None = None
        self._busy = False
        self._syncing = False  # controls being set from the values: their events are not changes

    # ---------------------------------------------------------------- building
    def _widget(self, control: Control):
        """The control's widget (:class:`~ocop_helpers.lab.fields.Field`): label, the box where the value
        is typed the Vietnamese way (or a drop-down), a slider without readout for ranges, hover help."""
        from ocop_helpers.lab.fields import Field  # deferred: ipywidgets only when controls are shown

        spec = specs()[control.name]
        shown = to_widget_value(control, self.values.get(control.name, spec.default))
        hint = ""
        if control.display == "percent":
            hint = "vd. 40%, 45 % hoặc 0,4"
        elif control.display in TEXT_DISPLAYS:
            unit = MONEY_UNIT[control.display]
            hint = f"vd. 1,5 (= 1,5 {unit}) hoặc 500 triệu" if unit == "tỷ" else "vd. 50 (= 50 triệu) hoặc 1,2 tỷ"
            if spec.nullable and control.fallback is None:
                hint += "; trống = không đặt"
        elif control.display == "date":
            hint = f"ngày/tháng/năm, vd. 15/6/{control.maximum:.0f}"
        elif control.display not in ("choice", "bool"):
            hint = "vd. 0,5 hoặc 1.000"
        widget = Field(control, shown, hint)
        widget.add_class(f"ocop-ctl-{control.name}")
        return widget

    def panel(self, panel: Any):
        """A box: the panel's controls (with a message line) above an Output filled by its section."""
        import ipywidgets as w  # deferred: ipywidgets only when controls are shown (papermill runs create none)

        controls = tuple(panel.controls(self.plan))
        made = {c.name: self._widget(c) for c in controls}
        for c in controls:
            self._labels.setdefault(c.name, c.label)
            if c.fallback is not None:
                self._fallbacks.setdefault(c.name, c.fallback)
        msg = _html("", "ocop-msg")
        out = w.Output()
        out.add_class("ocop-view")
        state = _PanelState(panel, made, out, msg)
        self._panels.append(state)
        for c in controls:
            made[c.name].observe(lambda change, c=c, state=state: self._changed(c, change["new"], state), names="value")
        head = [_html(f"<b>{html.escape(panel.title)}</b>")] if panel.title else []
        box = w.VBox(head + [w.VBox(list(made.values())), msg, out])
        box.add_class("ocop-panel")
        self._draw(state)
        self._show_diff()
        return box

    def toolbar(self):
        """The scenario toolbar: status line; name, note, 'overwrite', save, reset; the saved scenarios
        with 'load'; what differs from the base; 'build the plan' with its progress and links."""
        import ipywidgets as w  # deferred: ipywidgets only when controls are shown (papermill runs create none)

        current = self.values.get("scenario", "default")
        name = w.Text(
            value="" if current == "default" else current,
            placeholder="vd. Tăng tỷ lệ đạt",
            description="Tên kịch bản",
            tooltip="Tên tệp kịch bản (scenarios/<tên>.yaml) và thư mục kế hoạch trong outputs/",
            layout=w.Layout(width="28rem"),
            style={"description_width": "initial"},
        )
        name.add_class("ocop-scenario-name")
        note = w.Textarea(
            value="",
            placeholder="Ghi chú (không bắt buộc): giả định, người đề xuất…",
            description="Ghi chú",
            tooltip="Ghi vào đầu tệp kịch bản; bản dựng bỏ qua",
            layout=w.Layout(width="42rem", height="3.2rem"),
        )
        note.add_class("ocop-note")
        overwrite = w.Checkbox(
            value=False, description="Ghi đè nếu đã có", indent=False, tooltip="Cho phép thay tệp cùng tên"
        )
        overwrite.add_class("ocop-overwrite")
        button = {"layout": w.Layout(width="auto", flex="0 0 auto")}
        save = w.Button(
            description="Lưu kịch bản",
            button_style="success",
            icon="save",
            tooltip="Lưu các giá trị khác mặc định",
            **button,
        )
        save.add_class("ocop-save")
        reset = w.Button(
            description="Khôi phục mặc định", icon="undo", tooltip="Trả mọi điều khiển về giá trị mặc định", **button
        )
        reset.add_class("ocop-reset")
        load = w.Dropdown(
            options=self._load_options(),
            description="Kịch bản đã lưu",
            tooltip=f"Các tệp .yaml trong {scenarios.scenario_dir()}",
            layout=w.Layout(width="34rem"),
            style={"description_width": "8rem"},
        )
        load.add_class("ocop-load")
        load_button = w.Button(
            description="Tải vào điều khiển",
            icon="folder-open",
            tooltip="Đặt các giá trị của kịch bản đã chọn",
            **button,
        )
        load_button.add_class("ocop-load-button")
        build = w.Button(
            description="Dựng kế hoạch",
            icon="cogs",
            button_style="primary",
            tooltip="Chạy cùng bản dựng như make plan với kịch bản đã lưu",
            **button,
        )
        build.add_class("ocop-build")
        msg, status, diff = _html("", "ocop-msg"), _html("", "ocop-status"), _html("", "ocop-diff")
        build_log, build_links = _html("", "ocop-build-log"), _html("", "ocop-build-links")
        self._toolbar_msg, self._status, self._diff, self._load = msg, status, diff, load
        self._name, self._note, self._build_log, self._build_links = name, note, build_log, build_links
        save.on_click(lambda _: self._show_message(msg, *self.save(name.value, overwrite.value, note.value)))
        reset.on_click(lambda _: self.reset())
        load_button.on_click(lambda _: self._show_message(msg, *self.load(load.value)) if load.value else None)
        build.on_click(lambda _: self._show_message(msg, *self.build()))
        self._show_diff()
        return w.VBox(
            [
                _html(f"<style>{STALE_CSS}{RERUN_CSS}</style>"),
                status,
                w.HBox([name, overwrite, save, reset]),
                note,
                w.HBox([load, load_button]),
                combine.panel(self),
                msg,
                diff,
                w.HBox([build, build_links]),
                build_log,
            ]
        )

    # ---------------------------------------------------------------- behaviour
    def _show_message(self, msg, text: str, ok: bool) -> None:
        kind = "ocop-msg-ok" if ok else "ocop-msg-error"
        colour = "#1b6f3a" if ok else "#b8452f"
        body = "<br>".join(html.escape(line) for line in text.splitlines())
        msg.value = f'<span class="{kind}" style="color:{colour}">{body}</span>'

    def _draw(self, state: _PanelState, results: Any = None, preview: bool = False, charts: bool = True) -> None:
        """Fill a panel's Output from ``results`` (the current ones by default), recording what it
        reads; drawn from a ``preview``, a panel whose figures depend on the draws is marked so;
        without ``charts``, its figures are new and its charts are redrawn by the refinement."""
        self._show(state, self._render(state, results, preview, charts))

    def _render(self, state: _PanelState, results: Any = None, preview: bool = False, charts: bool = True) -> _Drawing:
        """A panel's content for ``results`` (see :meth:`_draw`), without touching its widgets."""
        results = self.results if results is None else results
        fields_seen: set[str] = set()
        params_seen: set[str] = set()
        with contextlib.nullcontext() if charts else drafting():  # charts left to the refinement
            items = list(state.panel.render(_Traced(results, fields_seen, params_seen)))
        fields_seen.discard("params")
        items = items or [elements.notice(state.panel.empty(results), "info")]
        if charts:
            outputs = notebook.output_records(*items)
            made = tuple(o for o, item in zip(outputs, items, strict=True) if notebook.is_chart(item))
        else:
            old = iter(state.charts)
            formatted = iter(notebook.output_records(*(item for item in items if not notebook.is_chart(item))))
            outputs = tuple(
                pending_chart(next(old, None)) if notebook.is_chart(item) else next(formatted) for item in items
            )
            made = None
        deps = frozenset(params_seen).union(*(field_params(f) for f in fields_seen))
        return _Drawing(
            fields=fields_seen,
            params=params_seen,
            shown={f: getattr(results, f) for f in fields_seen},
            outputs=outputs,
            charts=made,
            charts_pending=made is None and any(notebook.is_chart(item) for item in items),
            draws_preview=preview and bool(deps & {"draws", "*"}),
            draws=results.params.draws,
        )

    def _show(self, state: _PanelState, drawing: _Drawing) -> None:
        """Put a drawing on screen, marked as a preview when it is one."""
        state.fields, state.params, state.shown = drawing.fields, drawing.params, drawing.shown
        if drawing.charts is not None:
            state.charts = drawing.charts
        state.preview = drawing.draws_preview or drawing.charts_pending
        state.out.outputs = drawing.outputs
        (state.out.add_class if state.preview else state.out.remove_class)("ocop-preview")
        if drawing.draws_preview:
            state.msg.value = preview_note(drawing.draws)
        elif drawing.charts_pending:
            state.msg.value = CHARTS_NOTE
        elif "ocop-preview-note" in state.msg.value:
            state.msg.value = ""

    def _set_busy(self, busy: bool, owner: _PanelState | None = None, stale: list[_PanelState] | None = None) -> None:
        """Grey the panels whose figures can change (``stale``; every panel when None) while the first
        answer is computed (the kernel is busy: the controls wait with it). A refinement runs after
        this, with the controls usable: a newer change replaces it."""
        self._busy = busy
        for state in self._panels:
            for widget in state.controls.values():
                widget.disabled = busy
            greyed = busy and (stale is None or state in stale)
            (state.out.add_class if greyed else state.out.remove_class)("ocop-stale")
        if owner is not None and busy:
            owner.msg.value = BUSY_HTML
        if self._status is not None:
            self._status.value = BUSY_HTML if busy else ""

    def stale_panels(self, changed: set[str]) -> list[_PanelState]:
        """The panels a change of these parameters can change (the ones greyed while it computes)."""
        return [state for state in self._panels if state.can_change(changed)]

    def _label(self, name: str) -> str:
        return self._labels.get(name, name)

    def _changed(self, control: Control, shown: Any, owner: _PanelState) -> None:
        if self._syncing:
            return
        try:
            value = from_widget_value(control, shown)
            checked = coerce(specs()[control.name], value)
        except (ValueError, TypeError) as exc:
            self._show_message(owner.msg, f"{control.label}: {exc}. Giữ kết quả trước đó.", False)
            self._sync()
            return
        if checked == self.values.get(control.name, specs()[control.name].default):
            owner.msg.value = ""
            self._sync()  # the same value written differently ('1,50' for '1,5'): show it the usual way
            return
        self.apply({control.name: checked}, owner)

    def apply(self, changes: dict[str, Any], owner: _PanelState | None = None) -> bool:
        """Set parameter values, recompute and redraw what changed; on a value the model cannot
        accept keep the last results and say why next to the panel that made the change."""
        values = {**self.values, **changes}
        changed_params = {k for k in set(values) | set(self.values) if values.get(k) != self.values.get(k)}
        stale = self.stale_panels(changed_params)
        # A preview answers first when a shown panel needs a Monte Carlo not yet computed.
        if any(state.preview for state in self._panels):
            stale = list({id(s): s for s in [*stale, *(s for s in self._panels if s.preview)]}.values())
        self._set_busy(True, owner, stale)
        quick: Params | None = None
        try:
            try:
                full = Params(values)
                quick = self._preview_of(full, stale)
                after = self.model.lazy(quick or full)
                self.model.check(full)
                # Only the fields some panel shows are computed; a panel is redrawn when a parameter
                # its figures depend on changed (its stage was recomputed) or it showed a preview.
                redraw = [
                    state
                    for state in stale
                    if state.preview or any(getattr(after, f) is not state.shown.get(f) for f in state.fields)
                ]
            except (ParamError, ValueError) as exc:
                target = owner.msg if owner is not None else self._toolbar_msg
                problems = getattr(exc, "problems", None) or [str(exc)]
                text = "; ".join(self._explain(p) for p in problems)
                if target is not None:
                    self._show_message(target, f"Không tính được với giá trị này: {text}. Giữ kết quả trước đó.", False)
                self._sync()
                return False
            # The first answer draws the figures; the charts follow with the refinement (their SVG
            # is most of a redraw), except when everything is computed at once.
            charts = self.refine_mode == "at_once"
            with self._draw_lock:
                self._generation += 1
                self.values, self.results = values, after
                for state in self._panels:
                    state.msg.value = ""
                for state in redraw:
                    self._draw(state, preview=quick is not None, charts=charts)
            self._sync()
            self._show_diff()
            if quick is not None or not self.refined:
                self._schedule(self._generation, full)
            else:
                self._pending = None
            return True
        finally:
            self._set_busy(False)
            with self._draw_lock:  # still waiting for a refinement: say so in the status line
                if self._pending is not None and self._status is not None:
                    draws_preview = self.results.params.draws != self._pending[1].draws
                    shown = self.results.params.draws
                    self._status.value = preview_note(shown) if draws_preview else CHARTS_NOTE

    # ---------------------------------------------------------------- answer first, refine after
    def _preview_of(self, full: Params, stale: list[_PanelState]) -> Params | None:
        """The preview parameters, when a panel to redraw reads a Monte Carlo not yet computed."""
        if self.refine_mode == "at_once":
            return None
        quick = preview_params(full, preview_draws(self.plan, full))
        if quick is None or self.model.cached("simulation", full):
            return None
        return quick if any(state.depends_on() & {"draws", "*"} for state in stale) else None

    def _schedule(self, generation: int, full: Params) -> None:
        """Refine the panels drawn from a preview: now, later (manual) or in a background thread."""
        self._pending = (generation, full)
        if self.refine_mode == "background":
            worker = threading.Thread(target=self._refine, args=(generation, full), daemon=True, name="ocop-refine")
            self._worker = worker
            worker.start()

    def _refine(self, generation: int, full: Params) -> bool:
        """Compute the full scenario for the panels shown as previews and redraw them, unless a newer
        change came first (then nothing is drawn; a burst of changes refines only the last)."""
        with self._refine_lock:
            if generation != self._generation:
                return False
            try:
                results = self.model.lazy(full)
                drawings = []
                for state in [s for s in self._panels if s.preview]:
                    for f in state.fields:
                        if generation != self._generation:  # cancelled between stages
                            return False
                        getattr(results, f)
                    if generation != self._generation:  # cancelled between panels
                        return False
                    drawings.append((state, self._render(state, results)))
            except Exception as exc:  # shown to the planner: the kernel keeps running
                if self._status is not None:
                    self._show_message(self._status, f"Không tính đầy đủ được: {exc}", False)
                return False
            with self._draw_lock:
                if generation != self._generation:
                    return False
                self.results = results
                for state, drawing in drawings:
                    self._show(state, drawing)
                self._pending = None
                if self._status is not None:
                    self._status.value = ""
            return True

    def wait_refined(self, timeout: float | None = None) -> None:
        """Return once the panels show the full computation: run the pending refinement (manual
        mode) or wait for the background one."""
        if self.refine_mode == "background":
            worker = self._worker
            if worker is not None:
                worker.join(timeout)
            return
        if self._pending is not None:
            self._refine(*self._pending)

    @property
    def refined(self) -> bool:
        """Whether every panel shows the full computation (no preview left)."""
        return not any(state.preview for state in self._panels)

    def _explain(self, problem: str) -> str:
        """A model problem in the planner's units: amounts in đồng become '25 tỷ đồng'."""
        text = re.sub(r"^'(\w+)' = ", lambda m: f"{self._label(m.group(1))} = ", problem)
        return re.sub(r"\b(\d{7,})\b(?: đồng)?", lambda m: vnformat.money(int(m.group(1))), text)

    def _sync(self) -> None:
        """Show the current values in every control (a value may be shared or have been refused)."""
        was = self._syncing
        self._syncing = True
        try:
            for state in self._panels:
                for c in state.panel.controls(self.plan):
                    widget = state.controls[c.name]
                    shown = to_widget_value(c, self.values.get(c.name, specs()[c.name].default))
                    if widget.value != shown:
                        widget.value = shown
        finally:
            self._syncing = was

    def _show_diff(self) -> None:
        """List what differs from the base (the values `make plan` builds with no scenario file)."""
        if self._diff is None:
            return
        diff = scenarios.differences(self.values)
        if not diff:
            self._diff.value = "<i>Kịch bản hiện tại trùng với mặc định (không có giá trị nào thay đổi).</i>"
            return

        names = unit_display_names(self.plan)

        def shown(k: str, v: Any) -> str:
            text = scenarios.shown_value(k, v, names)
            if v is None and k in self._fallbacks:
                text += f" ({scenarios.shown_value(k, self._fallbacks[k], names)})"
            return html.escape(text)

        rows = "".join(
            f'<tr data-param="{html.escape(k)}"><td>{html.escape(self._label(k))}</td>'
            f"<td>{shown(k, a)}</td><td>{shown(k, b)}</td></tr>"
            for k, (a, b) in diff.items()
        )
        self._diff.value = (
            f"<b>Khác với mặc định ({len(diff)}):</b><table><thead><tr><th>Tham số</th><th>Mặc định</th>"
            f"<th>Kịch bản</th></tr></thead><tbody>{rows}</tbody></table>"
        )

    def _load_options(self) -> list[tuple[str, str]]:
        options = [("— chọn —", "")]
        for path in scenarios.listed():
            try:
                sc = scenarios.read(path)
                label = f"{sc.title} ({path.name})" + (f" — {sc.note.splitlines()[0][:60]}" if sc.note else "")
            except ParamError:
                label = f"{path.name} (lỗi, không tải được)"
            options.append((label, str(path)))
        return options

    def refresh_scenarios(self) -> None:
        """Re-read the scenario folder into the 'saved scenarios' list."""
        if self._load is not None:
            current = self._load.value
            options = self._load_options()
            self._load.options = options
            self._load.value = current if current in {v for _, v in options} else ""

    def save(self, name: str, overwrite: bool = False, note: str = "") -> tuple[str, bool]:
        """Write the values that differ from the base to <scenario_dir>/<slug>.yaml; (message, ok)."""
        if not scenarios.slug(name or ""):
            return "Nhập tên kịch bản trước khi lưu.", False
        try:
            target = scenarios.save(self.values, name, note, overwrite=overwrite, source=self.source)
        except FileExistsError as exc:
            return f"Đã có kịch bản {Path(str(exc)).name}: chọn 'Ghi đè nếu đã có' hoặc đổi tên.", False
        except OSError as exc:
            return f"Không ghi được tệp kịch bản: {exc.strerror or exc}", False
        self._saved = (target, dict(self.values))
        self.refresh_scenarios()
        n = len(scenarios.differences(self.values))
        return (
            f"Đã lưu {target} ({n} giá trị khác mặc định). Dựng kế hoạch: nút «Dựng kế hoạch» hoặc make plan PARAMS={target}",
            True,
        )

    def load(self, path: str | os.PathLike) -> tuple[str, bool]:
        """Put a saved scenario's values into the controls (every other value back to its default)."""
        try:
            sc = scenarios.read(path)
        except ParamError as exc:
            return "Không tải được kịch bản: " + "; ".join(exc.problems), False
        reg = specs()
        for key in ("province", "year", "plan_dir"):
            if key in sc.values and sc.values[key] != self.values.get(key, reg[key].default):
                return (
                    f"Kịch bản {Path(path).name} thuộc kế hoạch khác ({key} = {sc.values[key]}); "
                    "mở notebook với kế hoạch đó để tải.",
                    False,
                )
        own = set(self.values)
        changes = {
            k: reg[k].default for k in own if k not in scenarios.NOT_SAVED and k not in ("province", "year", "plan_dir")
        }
        changes.update({k: v for k, v in sc.values.items() if k in own and k != "scenario"})
        if not self.apply(changes):
            return "Không tải được kịch bản (xem thông báo ở trên).", False
        if self._name is not None:
            self._name.value = sc.title
        if self._note is not None:
            self._note.value = sc.note
        self._saved = (Path(path), dict(self.values))
        unused = sorted(k for k in sc.values if k not in own)
        text = f"Đã tải kịch bản «{sc.title}» ({Path(path).name})."
        if unused:
            text += " Không dùng trong notebook này: " + ", ".join(unused) + "."
        return text, True

    def build(self) -> tuple[str, bool]:
        """Run the same build as `make plan PARAMS=<saved scenario>`, showing its progress and, at
        the end, links to the plan's files."""
        if self._saved is None or self._saved[1] != self.values:
            return "Lưu kịch bản trước khi dựng (bản dựng dùng đúng tệp kịch bản đã lưu).", False
        path = self._saved[0]
        lines: list[str] = []

        def progress(line: str) -> None:
            lines.append(line)
            if self._build_log is not None:
                self._build_log.value = (
                    '<div style="white-space:pre-wrap;font-size:90%">' + html.escape("\n".join(lines)) + "</div>"
                )

        if self._build_links is not None:
            self._build_links.value = ""
        # The build runs notebooks in threads with papermill, which changes the process's working folder
        # while a notebook runs; two at once can leave it elsewhere. Keep the notebook's own.
        cwd = os.getcwd()
        self._set_busy(True)
        if self._status is not None:
            self._status.value = '<span class="ocop-busy">Đang dựng kế hoạch…</span>'
        try:
            progress(f"make plan PARAMS={path}")
            result = build.build(params_files=[path], out_root=output_root(), progress=progress)
        except (ParamError, PlanValidationError, build.BuildError) as exc:
            return f"Dựng kế hoạch không thành công: {exc}", False
        finally:
            os.chdir(cwd)
            self._set_busy(False)
        files = [result.html, result.out_dir / "plan.docx", result.out_dir / "plan.pdf", result.annex]
        links = []
        for f in files:
            if f.exists():
                href = os.path.relpath(f, cwd)
                links.append(
                    f'<a href="{html.escape(href)}" target="_blank" class="ocop-link">{html.escape(f.name)}</a>'
                )
        if self._build_links is not None:
            self._build_links.value = " · ".join(links)
        return f"Đã dựng kế hoạch vào {result.out_dir}.", True

    def reset(self) -> None:
        """Return every control to the notebook's parameter values and redraw."""
        changes = {k: self.base.get(k, specs()[k].default) for k in set(self.values) | set(self.base)}
        self.apply(changes)
        if self._toolbar_msg is not None:
            self._show_message(self._toolbar_msg, "Đã khôi phục giá trị mặc định.", True)

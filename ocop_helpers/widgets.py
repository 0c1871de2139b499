"""What-if control panels for JupyterLab over one computed scenario.

A :class:`Workbench` holds the current parameter values of one notebook and the
:class:`~ocop_helpers.compute.Model` of its plan. Each panel shows controls (ipywidgets) above an
Output filled by a section (``Results -> display items``, the same function the build calls). A
change goes through the same validation and the same compute as a papermill build; the model
recomputes only the stages that depend on the changed parameter, and every panel whose figures
changed is redrawn from the new results — so what the planner sees is what a saved scenario builds.
With ``interactive=False`` (the build) no widget is created at all: papermill hangs on widgets and
offline HTML shows them as empty space.

DOM contract (used by the browser tests): every control has the CSS class ``ocop-ctl-<name>``,
views are Outputs with class ``ocop-view``, messages ``ocop-msg`` (errors ``ocop-msg-error``), the
toolbar has ``ocop-scenario-name``, ``ocop-overwrite``, ``ocop-save`` and ``ocop-reset``.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import io, paths, report
from .params import ParamError, Params, coerce, specs

Render = Callable[[Params], Sequence[object]]


@dataclass(frozen=True)
class Control:
    """A control for one parameter.

    ``display``: 'percent' (a share shown 0–100 %), 'billion' / 'million' (money shown in tỷ /
    triệu đồng), 'int', 'float', 'choice', 'bool'. ``options`` are (label, value) pairs for choices.
    """

    name: str
    label: str
    display: str
    minimum: float = 0
    maximum: float = 100
    step: float = 1
    options: tuple[tuple[str, Any], ...] = field(default_factory=tuple)
    fallback: Any = None  # shown when the parameter is None ("from the plan")
    zero_is_none: bool = False  # 0 in the control means "no value" (e.g. no cap)


_SCALE = {"percent": 100.0, "billion": 1e-9, "million": 1e-6}


def to_widget_value(control: Control, value: Any) -> Any:
    """The parameter's value as the control shows it (0.85 -> 85 for a percent control)."""
    if value is None:
        value = control.fallback
    if control.display in _SCALE:
        return None if value is None else round(float(value) * _SCALE[control.display], 6)
    return value


def from_widget_value(control: Control, shown: Any) -> Any:
    """The control's value as the parameter (85 -> 0.85; 5.2 tỷ -> 5_200_000_000 đồng)."""
    if control.zero_is_none and shown == 0:
        return None
    if control.display == "percent":
        return round(float(shown) / 100.0, 6)
    if control.display in ("billion", "million"):
        return int(round(float(shown) / _SCALE[control.display]))
    return shown


def scenario_dir() -> Path:
    """Where 'save scenario' writes: $OCOP_SCENARIO_DIR, else <repo>/scenarios."""
    return Path(os.environ.get("OCOP_SCENARIO_DIR") or paths.ROOT / "scenarios")


def scenario_slug(name: str) -> str:
    """A safe file stem from a scenario name typed by a planner ('Kịch bản 1' -> 'kich-ban-1')."""
    import unicodedata

    text = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def scenario_values(values: dict[str, Any], name: str) -> dict[str, Any]:
    """What a saved scenario file holds: every current value (dates as ISO text) and its name."""
    out = {
        k: (v.isoformat() if isinstance(v, dt.date) else v)
        for k, v in values.items()
        if k not in ("interactive", "results_path")
    }
    out["scenario"] = name
    return out


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


STALE_CSS = ".ocop-stale{opacity:.4;transition:opacity .1s}.ocop-busy{color:#b86e00;font-weight:bold}"


class Workbench:
    """The current what-if values of one notebook, its model and the panels that show it."""

    def __init__(self, plan: Any, params: Params):
        from .compute import Model

        self.plan = plan
        self.model = Model(plan)
        self.base = dict(params.values)
        self.values = dict(params.values)
        self.results = self.model.results(params)
        self._panels: list[_PanelState] = []
        self._toolbar_msg = None
        self._status = None
        self._busy = False

    # ---------------------------------------------------------------- building
    def _widget(self, control: Control):
        import ipywidgets as w

        spec = specs()[control.name]
        value = self.values.get(control.name, spec.default)
        style = {"description_width": "21rem"}
        layout = w.Layout(width="42rem")
        shown = to_widget_value(control, value)
        common = {"description": control.label, "style": style, "layout": layout}
        if control.display in ("percent", "int", "float"):
            cls = w.IntSlider if control.display == "int" else w.FloatSlider
            fmt = {"percent": ".0f", "int": "d", "float": ".2f"}[control.display]
            widget = cls(
                value=shown,
                min=control.minimum,
                max=control.maximum,
                step=control.step,
                continuous_update=False,
                readout_format=fmt,
                **common,
            )
        elif control.display in ("billion", "million"):
            widget = w.FloatText(value=shown, step=control.step, **common)
        elif control.display == "choice":
            widget = w.Dropdown(options=list(control.options), value=value, **common)
        elif control.display == "bool":
            widget = w.Checkbox(value=bool(value), **common)
        else:  # pragma: no cover - registry typo
            raise ValueError(f"unknown control display {control.display}")
        widget.add_class(f"ocop-ctl-{control.name}")
        return widget

    def panel(self, panel: Any):
        """A box: the panel's controls (with a message line) above an Output filled by its section."""
        import ipywidgets as w

        controls = tuple(panel.controls(self.plan))
        made = {c.name: self._widget(c) for c in controls}
        msg = w.HTML(value="")
        msg.add_class("ocop-msg")
        out = w.Output()
        out.add_class("ocop-view")
        state = _PanelState(panel, made, out, msg)
        self._panels.append(state)
        for c in controls:
            made[c.name].observe(lambda change, c=c, state=state: self._changed(c, change["new"], state), names="value")
        head = [w.HTML(f"<b>{html.escape(panel.title)}</b>")] if panel.title else []
        box = w.VBox(head + [w.VBox(list(made.values())), msg, out])
        box.add_class("ocop-panel")
        self._draw(state)
        return box

    def toolbar(self):
        """Scenario name, 'overwrite' tick box, 'save scenario' and 'reset' buttons, a message line."""
        import ipywidgets as w

        name = w.Text(
            value=self.values.get("scenario", "default") if self.values.get("scenario") != "default" else "",
            placeholder="tên kịch bản, vd. tang-ty-le-dat",
            description="Kịch bản",
            layout=w.Layout(width="24rem"),
        )
        name.add_class("ocop-scenario-name")
        overwrite = w.Checkbox(value=False, description="Ghi đè nếu đã có", indent=False)
        overwrite.add_class("ocop-overwrite")
        save = w.Button(
            description="Lưu kịch bản",
            button_style="success",
            icon="save",
            layout=w.Layout(width="10rem", flex="0 0 auto"),
        )
        save.add_class("ocop-save")
        reset = w.Button(description="Khôi phục mặc định", icon="undo", layout=w.Layout(width="13rem", flex="0 0 auto"))
        reset.add_class("ocop-reset")
        msg = w.HTML(value="")
        msg.add_class("ocop-msg")
        status = w.HTML(value="")
        status.add_class("ocop-status")
        self._toolbar_msg, self._status = msg, status
        save.on_click(lambda _: self._show_message(msg, *self.save(name.value, overwrite.value)))
        reset.on_click(lambda _: self.reset())
        return w.VBox([w.HTML(f"<style>{STALE_CSS}</style>"), w.HBox([name, overwrite, save, reset]), status, msg])

    # ---------------------------------------------------------------- behaviour
    def _show_message(self, msg, text: str, ok: bool) -> None:
        kind = "ocop-msg-ok" if ok else "ocop-msg-error"
        colour = "#1b6f3a" if ok else "#b8452f"
        msg.value = f'<span class="{kind}" style="color:{colour}">{html.escape(text)}</span>'

    def _draw(self, state: _PanelState) -> None:
        """Fill a panel's Output from the current results, recording what it reads."""
        fields_seen: set[str] = set()
        params_seen: set[str] = set()
        items = list(state.panel.render(_Traced(self.results, fields_seen, params_seen)))
        state.fields, state.params = fields_seen, params_seen
        state.out.outputs = report.output_records(*(items or [report.paragraph("Không có dữ liệu.")]))

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for state in self._panels:
            for widget in state.controls.values():
                widget.disabled = busy
            (state.out.add_class if busy else state.out.remove_class)("ocop-stale")
        if self._status is not None:
            self._status.value = '<span class="ocop-busy">Đang tính lại…</span>' if busy else ""

    def _changed(self, control: Control, shown: Any, owner: _PanelState) -> None:
        if self._busy:
            return
        try:
            value = from_widget_value(control, shown)
            checked = coerce(specs()[control.name], value)
        except (ValueError, TypeError) as exc:
            reason = str(exc) if control.display not in _SCALE else f"{exc} (đang nhập {shown})"
            self._show_message(owner.msg, f"{control.label}: {reason}. Giữ kết quả trước đó.", False)
            return
        self.apply({control.name: checked}, owner)

    def apply(self, changes: dict[str, Any], owner: _PanelState | None = None) -> bool:
        """Set parameter values, recompute and redraw what changed; on a value the model cannot
        accept keep the last results and say why next to the panel that made the change."""
        values = {**self.values, **changes}
        before = self.results
        self._set_busy(True)
        try:
            try:
                after = self.model.results(Params(values))
            except (ParamError, ValueError) as exc:
                target = owner.msg if owner is not None else self._toolbar_msg
                if target is not None:
                    self._show_message(target, f"Không tính được với giá trị này: {exc}. Giữ kết quả trước đó.", False)
                self._sync()
                return False
            changed_params = {k for k in set(values) | set(self.values) if values.get(k) != self.values.get(k)}
            self.values, self.results = values, after
            changed = after.changed_fields(before)
            for state in self._panels:
                state.msg.value = ""
                if state.fields & changed or state.params & changed_params or "*" in state.params:
                    self._draw(state)
            self._sync()
            return True
        finally:
            self._set_busy(False)

    def _sync(self) -> None:
        """Show the current values in every control (a value may be shared or have been refused)."""
        self._busy = True
        try:
            for state in self._panels:
                for c in state.panel.controls(self.plan):
                    widget = state.controls[c.name]
                    shown = to_widget_value(c, self.values.get(c.name, specs()[c.name].default))
                    if widget.value != shown:
                        widget.value = shown
        finally:
            self._busy = False

    def save(self, name: str, overwrite: bool = False) -> tuple[str, bool]:
        """Write the current values to <scenario_dir>/<slug>.yaml; returns (message, ok)."""
        slug = scenario_slug(name or "")
        if not slug:
            return "Nhập tên kịch bản trước khi lưu.", False
        target = scenario_dir() / f"{slug}.yaml"
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            io.write_yaml(target, scenario_values(self.values, slug), overwrite=overwrite)
        except FileExistsError:
            return f"Đã có kịch bản {target.name}: chọn 'Ghi đè nếu đã có' hoặc đổi tên.", False
        return f"Đã lưu {target}. Dựng kế hoạch: make plan PARAMS={target}", True

    def reset(self) -> None:
        """Return every control to the notebook's parameter values and redraw."""
        changes = {k: self.base.get(k, specs()[k].default) for k in set(self.values) | set(self.base)}
        self.apply(changes)
        if self._toolbar_msg is not None:
            self._show_message(self._toolbar_msg, "Đã khôi phục giá trị mặc định.", True)


def start(params: Params, plan: Any | None = None, controls: bool = True) -> tuple[Any, Workbench | None]:
    """Begin a notebook: validate, load the plan and compute the scenario once.

    Returns (results, workbench). In JupyterLab (``interactive=True``) the workbench holds the
    model and shows the scenario toolbar; with ``interactive=False`` (the build) no widget is
    created, nor when the notebook has no ``controls``. A build passes ``results_path``: the results
    it computed once are read, not recomputed.
    """
    from .compute import Model

    if params.results_path:
        results = io.read_results(params.results_path)
        return results, None
    the_plan = plan if plan is not None else io.load_plan(params.plan_path)
    if not (params.interactive and controls):
        return Model(the_plan).results(params), None
    from IPython.display import display

    bench = Workbench(the_plan, params)
    display(bench.toolbar())
    return bench.results, bench


def section(bench: Workbench | None, results: Any, panel: Any) -> None:
    """Show one panel: live controls over it in JupyterLab, else the section's static output."""
    if bench is None:
        report.show(*panel.render(results))
        return
    from IPython.display import display

    display(bench.panel(panel))

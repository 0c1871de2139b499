"""What-if control panels for JupyterLab, over plain render functions.

A :class:`Workbench` holds the current parameter values of one notebook. Each panel shows controls
(ipywidgets) above an Output that a *render function* fills; the render function takes a
:class:`~ocop_helpers.params.Params` and returns display items, knows nothing about widgets, and is
the same function the papermill build calls. :func:`present` is what notebooks call: with
``interactive=False`` it creates no widget at all (papermill hangs on widgets and offline HTML
shows them as empty space) and simply shows ``render(params)``.

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
    triệu đồng), 'int', 'choice', 'bool'. ``options`` are (label, value) pairs for choices.
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
    out = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items() if k != "interactive"}
    out["scenario"] = name
    return out


class Workbench:
    """The current what-if values of one notebook and the panels that show them."""

    def __init__(self, params: Params):
        self.base = dict(params.values)
        self.values = dict(params.values)
        self._panels: list[tuple[Sequence[Control], Render, Any, Any, dict[str, Any]]] = []
        self._toolbar_msg = None
        self._busy = False

    # ---------------------------------------------------------------- building
    def _widget(self, control: Control):
        import ipywidgets as w

        spec = specs()[control.name]
        value = self.values.get(control.name, spec.default)
        style = {"description_width": "21rem"}
        layout = w.Layout(width="42rem")
        shown = to_widget_value(control, value)
        if control.display in ("percent", "int"):
            cls = w.FloatSlider if control.display == "percent" else w.IntSlider
            widget = cls(
                value=shown,
                min=control.minimum,
                max=control.maximum,
                step=control.step,
                description=control.label,
                style=style,
                layout=layout,
                continuous_update=False,
                readout_format=".0f" if control.display == "percent" else "d",
            )
        elif control.display in ("billion", "million"):
            widget = w.FloatText(value=shown, step=control.step, description=control.label, style=style, layout=layout)
        elif control.display == "choice":
            widget = w.Dropdown(
                options=list(control.options), value=value, description=control.label, style=style, layout=layout
            )
        elif control.display == "bool":
            widget = w.Checkbox(value=bool(value), description=control.label, style=style, layout=layout)
        else:  # pragma: no cover - registry typo
            raise ValueError(f"unknown control display {control.display}")
        widget.add_class(f"ocop-ctl-{control.name}")
        return widget

    def panel(self, controls: Sequence[Control], render: Render, title: str = ""):
        """A box: controls (with a message line) above an Output filled by ``render``."""
        import ipywidgets as w

        made = {c.name: self._widget(c) for c in controls}
        msg = w.HTML(value="")
        msg.add_class("ocop-msg")
        out = w.Output()
        out.add_class("ocop-view")
        entry = (controls, render, out, msg, made)
        self._panels.append(entry)
        for c in controls:
            made[c.name].observe(lambda change, c=c: self._changed(c, change["new"]), names="value")
        head = [w.HTML(f"<b>{html.escape(title)}</b>")] if title else []
        box = w.VBox(head + [w.VBox(list(made.values())), msg, out])
        box.add_class("ocop-panel")
        self._render(entry)
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
        self._toolbar_msg = msg
        save.on_click(lambda _: self._show_message(msg, *self.save(name.value, overwrite.value)))
        reset.on_click(lambda _: self.reset())
        return w.VBox([w.HBox([name, overwrite, save, reset]), msg])

    # ---------------------------------------------------------------- behaviour
    def _show_message(self, msg, text: str, ok: bool) -> None:
        kind = "ocop-msg-ok" if ok else "ocop-msg-error"
        colour = "#1b6f3a" if ok else "#b8452f"
        msg.value = f'<span class="{kind}" style="color:{colour}">{html.escape(text)}</span>'

    def _changed(self, control: Control, shown: Any) -> None:
        if self._busy:
            return
        owner = next(p for p in self._panels if control in p[0])
        try:
            value = from_widget_value(control, shown)
            checked = coerce(specs()[control.name], value)
        except (ValueError, TypeError) as exc:
            reason = str(exc) if control.display not in _SCALE else f"{exc} (đang nhập {shown})"
            self._show_message(owner[3], f"{control.label}: {reason}. Giữ kết quả trước đó.", False)
            return
        previous = self.values.get(control.name)
        self.values[control.name] = checked
        affected = [p for p in self._panels if any(c.name == control.name for c in p[0])]
        for entry in affected:
            self._sync(entry)
            if not self._render(entry):
                self.values[control.name] = previous
                return

    def _sync(self, entry) -> None:
        controls, _, _, _, made = entry
        self._busy = True
        try:
            for c in controls:
                shown = to_widget_value(c, self.values.get(c.name, specs()[c.name].default))
                if made[c.name].value != shown:
                    made[c.name].value = shown
        finally:
            self._busy = False

    def _render(self, entry) -> bool:
        """Fill a panel's Output; on a model error keep the last good output and say why."""
        controls, render, out, msg, _ = entry
        try:
            items = list(render(Params(dict(self.values))))
        except (ParamError, ValueError) as exc:
            self._show_message(msg, f"Không tính được với giá trị này: {exc}. Giữ kết quả trước đó.", False)
            return False
        msg.value = ""
        out.outputs = report.output_records(*(items or [report.paragraph("Không có dữ liệu.")]))
        return True

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
        self.values = dict(self.base)
        for entry in self._panels:
            self._sync(entry)
            self._render(entry)
        if self._toolbar_msg is not None:
            self._show_message(self._toolbar_msg, "Đã khôi phục giá trị mặc định.", True)


@dataclass(frozen=True)
class View:
    """A section of a notebook: its controls (which may depend on the plan) and its render function."""

    title: str
    controls: Callable[[Any], Sequence[Control]]
    render: Callable[[Any, Params], Sequence[object]]


def start(params: Params) -> Workbench | None:
    """Begin a notebook's views: in JupyterLab show the scenario toolbar and return the workbench;
    with ``interactive=False`` return None and create no widget at all."""
    if not params.interactive:
        return None
    from IPython.display import display

    bench = Workbench(params)
    display(bench.toolbar())
    return bench


def section(bench: Workbench | None, params: Params, plan: Any, view: View) -> None:
    """Show one view: a live panel when there is a workbench, else the static output."""
    if bench is None:
        report.show(*view.render(plan, params))
        return
    from IPython.display import display

    display(bench.panel(view.controls(plan), lambda p: view.render(plan, p), view.title))

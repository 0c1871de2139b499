"""One Lab control as a widget: its label, the box where the value is typed (or chosen) and, for
numbers in a range, a slider without a readout.

ipywidgets' own slider readouts parse with the browser's ``parseFloat`` ("0,5" became 0) and print
with d3-format ("10000", "1.00"): here the value is always Vietnamese text that
:func:`ocop_helpers.lab.controls.from_widget_value` reads, and the slider only moves that text.
Hover help (``tooltip``) is on each part, the box and the drop-down given no ipywidgets description:
ipywidgets 8 puts a described widget's tooltip on its label only, so they would show none. The
container itself has no tooltip: ipywidgets 8.1's browser side fails to draw a Box that has one (it
reads the Box's missing ``description``).

Imported only when controls are shown (papermill runs create no widget).
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import traitlets

from ocop_helpers.lab import controls
from ocop_helpers.lab.controls import Control


class Field(w.HBox):
    """A control whose ``value`` is what :func:`controls.to_widget_value` gives (text for numbers,
    money, shares and dates; the option's value for a choice). Setting ``value`` shows it in the box
    and moves the slider; typing in the box or moving the slider sets ``value``."""

    value = traitlets.Any()
    disabled = traitlets.Bool(False)

    def __init__(self, control: Control, shown: Any, placeholder: str = "", **kwargs: Any) -> None:
        help_text = controls.tooltip(control)
        label = w.Label(value=control.label, tooltip=help_text, layout=w.Layout(width="27rem", flex="0 0 auto"))
        label.add_class("ocop-label")
        self.control = control
        self.slider: w.widgets.widget_int._BoundedInt | w.widgets.widget_float._BoundedFloat | None = None
        if control.display == "choice":
            self.box = w.Dropdown(options=list(control.options), value=shown, tooltip=help_text)
        elif control.display == "bool":
            self.box = w.Checkbox(value=bool(shown), indent=False, tooltip=help_text)
        else:
            self.box = w.Text(
                value=shown,
                placeholder=placeholder,
                continuous_update=False,
                tooltip=help_text,
                layout=w.Layout(width="8rem" if control.display in controls.SLIDER_DISPLAYS else "15rem"),
            )
        parts: list[w.Widget] = [label, self.box]
        if control.display in controls.SLIDER_DISPLAYS:
            cls = w.IntSlider if control.display == "int" else w.FloatSlider
            self.slider = cls(
                value=self._number(shown, control.minimum),
                min=control.minimum,
                max=control.maximum,
                step=control.step,
                readout=False,
                continuous_update=False,
                tooltip=help_text,
                layout=w.Layout(width="14rem"),
            )
            parts.append(self.slider)
        self._moving = False
        self.help_text = help_text
        super().__init__(parts, layout=w.Layout(width="50rem"), **kwargs)
        self.value = shown
        self.box.observe(self._typed, names="value")
        if self.slider is not None:
            self.slider.observe(self._slid, names="value")
        self.observe(self._shown, names="value")
        self.observe(self._disable, names="disabled")

    def _number(self, shown: Any, otherwise: float) -> float:
        """The number a shown text stands for, or ``otherwise`` when it cannot be read."""
        try:
            value = controls.from_widget_value(self.control, shown)
        except ValueError:
            return otherwise
        return otherwise if value is None else value

    def _typed(self, change: dict[str, Any]) -> None:
        if not self._moving:
            self.value = change["new"]

    def _slid(self, change: dict[str, Any]) -> None:
        if not self._moving:
            self.value = controls.to_widget_value(self.control, change["new"])

    def _shown(self, change: dict[str, Any]) -> None:
        """Show a new value in the box and move the slider to it, without echoing back."""
        self._moving = True
        try:
            self.box.value = change["new"] if self.control.display != "bool" else bool(change["new"])
            if self.slider is not None:
                number = self._number(change["new"], self.slider.value)
                if self.slider.min <= number <= self.slider.max:
                    self.slider.value = number
        finally:
            self._moving = False

    def _disable(self, change: dict[str, Any]) -> None:
        self.box.disabled = change["new"]
        if self.slider is not None:
            self.slider.disabled = change["new"]

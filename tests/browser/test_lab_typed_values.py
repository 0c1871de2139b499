"""Every Lab control of both plan notebooks takes a value typed the Vietnamese way, in a real
JupyterLab driven by headless Debian chromium (issue #23).

The server, the browser and the opened notebooks are those of tests/browser/test_jupyterlab_loop.py
(one JupyterLab per module on a clean copy of the project). For each control of 10-product-targets
and 20-budget-allocation a Vietnamese value is typed into its box (or chosen by its Vietnamese label)
and the value the model received is read back in the kernel (``bench.values``), waiting for that
state, never for a fixed time; the box then shows the value the Vietnamese way. Also: a value the
control cannot read is refused beside it and the last good value kept, the weight slider moves in
steps of 0,5 under the arrow keys, and every control shows hover help on its box.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest

from ocop_helpers.inputs import loading
from ocop_helpers.lab import panels
from tests.browser.test_jupyterlab_loop import (  # noqa: F401 - fixtures shared with the loop test
    BUDGET_NB,
    OPTION_LABELS,
    TARGETS_NB,
    UPDATE_TIMEOUT_MS,
    _choose,
    _kernel,
    _panel,
    _settle,
    _type,
    browser,
    lab,
    notebook_runs,
)
from tests.support.browser import artifact, requires_chromium
from tests.support.plans import DEFAULT_PLAN

pytestmark = [pytest.mark.slow, pytest.mark.browser, requires_chromium]

# control -> (what the planner types, the value the model must receive, what the box then shows)
TYPED = {
    TARGETS_NB: {
        "pass_rate_new": ("45 %", 0.45, "45%"),
        "pass_rate_reevaluation": ("0,85", 0.85, "85%"),
        "pass_rate_upgrade": ("55%", 0.55, "55%"),
        "lapse_share": ("0,15", 0.15, "15%"),
        "target_risk_chance": ("0,6", 0.6, "60%"),
        "products_per_session": ("25", 25, "25"),
        "sessions_per_round": ("3", 3, "3"),
        "as_of": ("15/6/2025", dt.date(2025, 6, 15), "15/06/2025"),
    },
    BUDGET_NB: {
        "envelope_vnd": ("4,5 tỷ", 4_500_000_000, "4,5"),
        "budget_rewards_vnd": ("1 tỷ", 1_000_000_000, "1"),
        "budget_councils_vnd": ("300 triệu", 300_000_000, "0,3"),
        "budget_promotion_vnd": ("0,2 tỷ", 200_000_000, "0,2"),
        "budget_training_vnd": ("150.000.000", 150_000_000, "0,15"),
        "co_financing_share": ("45 %", 0.45, "45%"),
        "item_cap_vnd": ("30", 30_000_000, "30"),
        "organisation_cap_vnd": ("0,06 tỷ", 60_000_000, "60"),
        "min_grant_vnd": ("5", 5_000_000, "5"),
        "weight_star": ("2,5", 2.5, "2,5"),
        "weight_stream": ("3", 3.0, "3,0"),
        "weight_organisation_type": ("0,5", 0.5, "0,5"),
        "weight_unit_equity": ("1,25", 1.25, "1,25"),
        "pass_rate_new": ("0,45", 0.45, "45%"),
        "pass_rate_reevaluation": ("85 %", 0.85, "85%"),
        "pass_rate_upgrade": ("0,55", 0.55, "55%"),
        "target_rate": ("0,75", 0.75, "75%"),
        "kept_rate": ("85%", 0.85, "85%"),
        "cost_sigma": ("0,5", 0.5, "0,50"),
        "draws": ("20.000", 20_000, "20.000"),
        "seed": ("1.000", 1000, "1.000"),
    },
}
CHOSEN = {TARGETS_NB: {"routing": "rerouted"}, BUDGET_NB: {"rule": "equal_awards"}}

JS_CONTROLS = """
() => Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) [class*="ocop-ctl-"]')).map(c => {
  const box = c.querySelector('input[type="text"], select');
  return {
    name: Array.from(c.classList).find(x => x.startsWith('ocop-ctl-')).slice(9),
    label: (c.querySelector('.widget-label') || {textContent: ''}).textContent.trim(),
    title: box ? (box.getAttribute('title') || '') : '',
    readouts: Array.from(c.querySelectorAll('.widget-readout')).filter(r => r.offsetParent !== null).length,
  };
})
"""


def _model_value(page, name: str) -> str:
    """What the model holds for a parameter (its repr, read in the kernel)."""
    return _kernel(page, f"print(repr(bench.values.get({name!r})), end='')")


def _wait_model(page, name: str, expected) -> str:
    """Wait until the kernel holds ``expected`` (a widget may send its change a moment after Enter)."""
    t0 = time.perf_counter()
    while True:
        _settle(page)
        got = _model_value(page, name)
        if got == repr(expected) or time.perf_counter() - t0 > UPDATE_TIMEOUT_MS / 1000:
            return got
        time.sleep(0.3)


def _wait_box(page, name: str, shown: str, timeout_s: float = 30) -> str:
    box = page.locator(f".ocop-ctl-{name} input").first
    t0 = time.perf_counter()
    while box.input_value() != shown and time.perf_counter() - t0 < timeout_s:
        time.sleep(0.2)
    return box.input_value()


def _reset(page) -> None:
    page.locator(".ocop-reset").first.click()
    _settle(page)


@pytest.fixture(scope="module")
def plan():
    return loading.load_plan(DEFAULT_PLAN)


@pytest.mark.parametrize("nb", [TARGETS_NB, BUDGET_NB])
def test_every_control_takes_a_vietnamese_value_and_the_model_receives_it(notebook_runs, plan, nb):  # noqa: F811 - the shared fixture
    page = notebook_runs(nb).page
    _reset(page)
    found = page.evaluate(JS_CONTROLS)
    names = {c["name"] for c in found}
    if not names:
        page.screenshot(path=str(artifact(f"lab-typed-none-{nb.split('/')[-1].split('.')[0]}.png")), full_page=True)
        pytest.fail(f"{nb}: no control drawn; browser console: {notebook_runs(nb).console}")
    unit = panels.unit_options(plan)[1]
    typed, chosen = TYPED[nb], {**CHOSEN[nb], "unit_filter": unit[1]}
    assert names == set(typed) | set(chosen), (
        f"controls without a typed value here: {names ^ (set(typed) | set(chosen))}"
    )
    for c in found:
        assert c["readouts"] == 0, f"{c['name']}: an ipywidgets readout (parseFloat, d3-format) is back"
        assert c["label"] and c["title"].strip(), f"{c['name']}: no label or no hover help on its box: {c}"
        assert "null" not in c["title"] and c["name"] not in c["title"] and c["name"] not in c["label"], c
    problems = []
    for name, (text, expected, shown) in typed.items():
        _type(page, name, text)
        got = _wait_model(page, name, expected)
        box = _wait_box(page, name, shown)
        if got != repr(expected) or box != shown:
            problems.append(f"{name}: typed {text!r}, model {got} (want {expected!r}), box {box!r} (want {shown!r})")
    for name, value in chosen.items():
        if name == "unit_filter":
            select = page.locator(".ocop-ctl-unit_filter select").first
            select.select_option(label=unit[0])
            _settle(page)
        else:
            _choose(page, name, value)
        got = _wait_model(page, name, value)
        if got != repr(value):
            problems.append(f"{name}: chose {value!r}, model {got}")
    errors = [m for m in page.locator(".ocop-msg-error").all_text_contents() if m.strip()]
    page.screenshot(path=str(artifact(f"lab-typed-{nb.split('/')[-1].split('.')[0]}.png")), full_page=True)
    assert not problems, "\n".join(problems)
    assert not errors, f"messages after valid values: {errors}"
    _reset(page)


def test_unreadable_or_out_of_range_values_are_refused_beside_the_control(notebook_runs):  # noqa: F811 - the shared fixture
    page = notebook_runs(BUDGET_NB).page
    _reset(page)
    _type(page, "cost_sigma", "0,5")
    assert _wait_model(page, "cost_sigma", 0.5) == "0.5"
    panel = _panel(page, "cost_sigma")
    for text, words in (("0.7", "không rõ nghĩa"), ("5", "từ 0 đến 2"), ("nhiều", "không phải số")):
        _type(page, "cost_sigma", text)
        message = panel.locator(".ocop-msg").first
        t0 = time.perf_counter()
        while words not in (message.text_content() or "") and time.perf_counter() - t0 < 60:
            time.sleep(0.2)
        said = message.text_content() or ""
        assert words in said and "Độ bất định chi phí" in said and "Giữ kết quả trước đó" in said, said
        assert _model_value(page, "cost_sigma") == "0.5", f"{text!r} changed the model's value"
        assert _wait_box(page, "cost_sigma", "0,50") == "0,50", "the refused text is not left in the box"
    _reset(page)


def test_weight_slider_moves_by_half_a_point_per_arrow_press(notebook_runs):  # noqa: F811 - the shared fixture
    page = notebook_runs(BUDGET_NB).page
    _reset(page)
    assert _model_value(page, "weight_star") == "1.0"
    handle = page.locator(".ocop-ctl-weight_star .noUi-handle").first
    handle.scroll_into_view_if_needed()
    # One press at a time: the controls are disabled while the model recomputes after each.
    for expected in (1.5, 2.0, 2.5, 3.0):  # 1 to 3 in four arrow presses
        handle.focus()
        page.keyboard.press("ArrowRight")
        assert _wait_model(page, "weight_star", expected) == repr(expected)
        assert _wait_box(page, "weight_star", f"{expected:.1f}".replace(".", ",")) == f"{expected:.1f}".replace(
            ".", ","
        )
    _reset(page)

"""The planner's JupyterLab, driven in a real browser (issue 6).

One JupyterLab server per module (tests/browser.py: temporary copy of notebooks/, token, free
loopback port, OCOP_SCENARIO_DIR in a temp folder, the project's overrides.json) and one headless
Debian chromium whose requests may only reach that server. Each plan notebook is opened, run with
``notebook:run-all-cells`` through ``window.jupyterapp``, and checked: no error output, charts drawn,
widgets in place, no console error, no request to the internet. Then the real DOM controls are
driven: a slider by keyboard, a dropdown, "Lưu kịch bản" (the YAML file appears with the new
values and a papermill build from it shows the same numbers), "Khôi phục mặc định".
Screenshots: test-artifacts/lab-*.png.
"""

from __future__ import annotations

import importlib.util
import re
import time
import urllib.error
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import papermill
import pytest
import yaml

from ocop_helpers import build as plan_build
from ocop_helpers import paths

from .browser import (
    JS_CHARTS,
    JS_ERROR_OUTPUTS,
    JS_NOTEBOOK_READY,
    JS_RUN_FINISHED,
    JS_START_RUN_ALL,
    ROOT,
    artifact,
    block_network,
    chart_problems,
    chromium_context,
    jupyter_lab,
    requires_chromium,
)

pytestmark = [pytest.mark.slow, pytest.mark.browser, requires_chromium]

NOTEBOOKS = [p.name for p in plan_build.plan_notebooks()]
READY_TIMEOUT_MS = 120_000  # page load + kernel start on 2 shared cores
RUN_TIMEOUT_MS = 180_000  # run-all of one plan notebook
UPDATE_TIMEOUT_MS = 20_000  # a control change until the view shows it ("within a moment")
SCENARIO_NAME = "Kiểm thử trình duyệt"
SCENARIO_FILE = "kiem-thu-trinh-duyet.yaml"
# Browser console messages that are JupyterLab's own and not the workbook's (regexes). Empty so far.
CONSOLE_ALLOWED: tuple[str, ...] = ()

JS_KERNEL_EXEC = """
async (code) => {
  const k = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  let out = '';
  const f = k.requestExecute({code, store_history: false, silent: false});
  f.onIOPub = m => {
    const t = m.header.msg_type;
    if (t === 'stream') out += m.content.text;
    if (t === 'error') out += m.content.ename + ': ' + m.content.evalue;
  };
  await f.done;
  return out;
}
"""

# True once the number of outputs and widget views has not changed for three polls (widgets render
# asynchronously after the kernel is idle).
JS_OUTPUTS_SETTLED = """
() => {
  const nb = window.jupyterapp.shell.currentWidget.node;
  const sig = nb.querySelectorAll('.jp-OutputArea-output').length + ':' +
              nb.querySelectorAll('.jupyter-widgets').length + ':' +
              nb.querySelectorAll('.jp-OutputArea-output img, .jp-OutputArea-output svg').length;
  if (window.__ocopSig === sig) { window.__ocopStable = (window.__ocopStable || 0) + 1; }
  else { window.__ocopSig = sig; window.__ocopStable = 0; }
  return window.__ocopStable >= 3;
}
"""

# Widget panels: for each .ocop-panel, its controls (parameter, label, kind, bottom) and views (top).
JS_PANELS = """
() => Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .ocop-panel')).map(p => {
  const controls = Array.from(p.querySelectorAll('[class*="ocop-ctl-"]')).map(c => {
    const name = Array.from(c.classList).find(x => x.startsWith('ocop-ctl-')).slice(9);
    const label = (c.querySelector('.widget-label') || {textContent: ''}).textContent.trim();
    const kind = c.classList.contains('widget-slider') ? 'slider'
               : c.classList.contains('widget-dropdown') ? 'dropdown'
               : c.querySelector('input[type="number"]') ? 'number' : 'other';
    return {name, label, kind, bottom: c.getBoundingClientRect().bottom};
  });
  const views = Array.from(p.querySelectorAll('.ocop-view')).map(v => ({top: v.getBoundingClientRect().top}));
  return {controls, views, keys: p.querySelectorAll('.ocop-view .ocop-key').length};
})
"""

JS_NEWS_TOASTS = """
() => Array.from(document.querySelectorAll('.Toastify__toast, .jp-toast-message'))
        .map(t => t.textContent).filter(t => /news|update|tin tức/i.test(t))
"""


@dataclass
class Opened:
    """A plan notebook opened and run in the browser."""

    name: str
    page: object
    console: list[str]
    seconds: dict[str, float] = field(default_factory=dict)
    kernel_prefix: str = ""
    uses_widgets: bool = False


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with jupyter_lab(tmp_path_factory.mktemp("lab")) as server:
        yield server


@pytest.fixture(scope="module")
def browser(lab):
    with chromium_context(viewport={"width": 1366, "height": 900}) as context:
        requests = block_network(context, (lab.url + "/", "data:", "blob:"))
        yield context, requests


@pytest.fixture(scope="module")
def notebook_runs(lab, browser):
    """Factory: open + run-all a notebook once per module; pages of widget notebooks stay open."""
    context, _ = browser
    opened: dict[str, Opened] = {}

    def run(name: str) -> Opened:
        if name in opened:
            return opened[name]
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
        item = Opened(name=name, page=page, console=console)
        t0 = time.perf_counter()
        page.goto(lab.lab_url(name, workspace=re.sub(r"\W", "-", Path(name).stem)), timeout=READY_TIMEOUT_MS)
        page.wait_for_function(JS_NOTEBOOK_READY, arg=name, timeout=READY_TIMEOUT_MS, polling=250)
        item.seconds["open_until_kernel_idle"] = time.perf_counter() - t0
        item.kernel_prefix = page.evaluate(
            JS_KERNEL_EXEC, "import sys, ocop_helpers; print(sys.prefix); print(ocop_helpers.__file__, end='')"
        )
        t1 = time.perf_counter()
        page.evaluate(JS_START_RUN_ALL)
        page.wait_for_function(JS_RUN_FINISHED, timeout=RUN_TIMEOUT_MS, polling=300)
        page.wait_for_function(JS_OUTPUTS_SETTLED, timeout=60_000, polling=400)
        item.seconds["run_all"] = time.perf_counter() - t1
        item.uses_widgets = page.locator(".ocop-panel").count() > 0
        opened[name] = item
        return item

    yield run
    for item in opened.values():
        item.page.close()


def _close(lab, item: Opened) -> None:
    """Close a notebook's page and stop its kernel (2 shared cores)."""
    item.page.close()
    for s in lab.api("GET", "/api/sessions") or []:
        if s.get("path") == item.name or s.get("notebook", {}).get("path") == item.name:
            lab.api("DELETE", f"/api/sessions/{s['id']}")


def _tall_screenshot(page, path: Path) -> None:
    """Screenshot the whole notebook: grow the viewport to the notebook's height for one shot."""
    height = page.evaluate("""() => {
        const el = window.jupyterapp.shell.currentWidget.node.querySelector('.jp-WindowedPanel-outer');
        return el ? el.scrollHeight : 900; }""")
    page.set_viewport_size({"width": 1366, "height": int(min(max(height + 160, 900), 14000))})
    try:
        # let the cells that were off-screen (content-visibility) lay out and paint
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        page.wait_for_function("() => Array.from(document.images).every(i => i.complete)", timeout=10_000)
        page.screenshot(path=str(path))
    finally:
        page.set_viewport_size({"width": 1366, "height": 900})


def _console_errors(item: Opened) -> list[str]:
    return [m for m in item.console if not any(re.search(p, m) for p in CONSOLE_ALLOWED)]


# ------------------------------------------------------------------------------------------------


def test_server_uses_project_settings_and_kernel(lab):
    specs = lab.api("GET", "/api/kernelspecs")
    for name in NOTEBOOKS:
        nb = nbformat.read(paths.NOTEBOOKS_DIR / name, as_version=4)
        kernel = nb.metadata.get("kernelspec", {}).get("name")
        assert kernel in specs["kernelspecs"], f"{name}: kernelspec {kernel!r} unknown to JupyterLab"
    settings = lab.api("GET", "/lab/api/settings/@jupyterlab/apputils-extension:notification")
    props = settings["schema"]["properties"]  # overrides.json replaces the schema's defaults
    assert props["fetchNews"]["default"] == "false" and props["checkForUpdates"]["default"] is False, (
        "overrides.json not read: start JupyterLab with --LabApp.app_settings_dir=jupyter-config/lab/settings"
    )


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_clean_in_jupyterlab(lab, browser, notebook_runs, name):
    _, requests = browser
    item = notebook_runs(name)
    page = item.page
    print(
        f"{name}: kernel idle after {item.seconds['open_until_kernel_idle']:.1f} s, "
        f"run-all {item.seconds['run_all']:.1f} s"
    )
    try:
        prefix, _, package = item.kernel_prefix.partition("\n")
        venv = ROOT / ".venv"
        if venv.exists():
            assert Path(prefix).resolve() == venv.resolve(), f"kernel runs {prefix}, not the project's .venv"
        assert Path(package).resolve().is_relative_to(ROOT), (
            f"the kernel imports ocop_helpers from {package}, not from the repository"
        )
        assert page.evaluate("window.__ocopRunAllError || ''") == ""
        problems = page.evaluate(JS_ERROR_OUTPUTS)
        assert not problems, f"{name}: error/stderr outputs in the notebook: {problems}"
        charts = page.evaluate(JS_CHARTS, ".jp-NotebookPanel:not(.lm-mod-hidden)")
        assert charts, f"{name}: no chart in the outputs"
        assert not chart_problems(charts), f"{name}: charts that did not draw: {chart_problems(charts)}"
        if item.uses_widgets:
            panels = page.evaluate(JS_PANELS)
            for p in panels:
                assert p["views"], f"{name}: a panel without an ocop-view output: {p}"
                for c in p["controls"]:
                    assert c["label"], f"{name}: control {c['name']} has no label"
                    assert c["bottom"] <= min(v["top"] for v in p["views"]) + 1, (
                        f"{name}: control {c['name']} is not above the view it drives"
                    )
            assert page.locator(".ocop-save").count() == 1 and page.locator(".ocop-reset").count() == 1
            assert "Lưu kịch bản" in page.locator(".ocop-save").text_content()
            assert "Khôi phục mặc định" in page.locator(".ocop-reset").text_content()
        assert page.evaluate(JS_NEWS_TOASTS) == [], "JupyterLab's news/update pop-up is showing"
        assert _console_errors(item) == [], f"{name}: browser console errors: {_console_errors(item)}"
        assert requests.blocked == [], f"requests that tried to leave the machine: {requests.blocked}"
    finally:
        _tall_screenshot(page, artifact(f"lab-{Path(name).stem}.png"))
        if not item.uses_widgets:
            _close(lab, item)


# ------------------------------------------------------------------------------------------------
# The controls, driven through the real DOM


def _widget_notebook(notebook_runs) -> Opened:
    """The first plan notebook that uses ocop_helpers.widgets and has a slider driving a key number."""
    candidates = [n for n in NOTEBOOKS if "widgets." in (paths.NOTEBOOKS_DIR / n).read_text(encoding="utf-8")]
    assert candidates, "no plan notebook uses ocop_helpers.widgets"
    for name in candidates:
        item = notebook_runs(name)
        if any(c["kind"] == "slider" and p["keys"] for p in item.page.evaluate(JS_PANELS) for c in p["controls"]):
            return item
    pytest.fail("no panel with a slider driving an .ocop-key number")


def _panel_of(page, param: str):
    return page.locator(".ocop-panel", has=page.locator(f".ocop-ctl-{param}")).first


def _wait_until(condition, what: str, timeout_ms: int = UPDATE_TIMEOUT_MS) -> float:
    """Poll ``condition()`` (re-querying the DOM each time: outputs are replaced when a view
    re-renders) until true; returns the seconds it took, fails after the timeout."""
    t0 = time.perf_counter()
    while True:
        try:
            if condition():
                return time.perf_counter() - t0
        except Exception:
            pass
        if time.perf_counter() - t0 > timeout_ms / 1000:
            pytest.fail(f"timed out after {timeout_ms / 1000:.0f} s waiting for {what}")
        time.sleep(0.2)


def _wait_text_change(locator, before: str, timeout_ms: int = UPDATE_TIMEOUT_MS) -> float:
    """Seconds until ``locator``'s text differs from ``before``."""
    return _wait_until(
        lambda: locator.text_content(timeout=1000) != before, f"the text of {locator} to change", timeout_ms
    )


def _notebook_defaults(name: str) -> dict:
    return {k: v["default"] for k, v in papermill.inspect_notebook(str(paths.NOTEBOOKS_DIR / name)).items()}


@pytest.fixture(scope="module")
def saved_scenario(lab, notebook_runs) -> dict:
    """Move a slider and a dropdown, save the scenario; what the page showed and where the file is.

    A fixture, not a test's side effect: the build test below needs the saved file whatever order
    the tests run in (pytest-randomly shuffles them).
    """
    item = _widget_notebook(notebook_runs)
    page = item.page
    defaults = _notebook_defaults(item.name)
    panels = page.evaluate(JS_PANELS)

    # 1. A slider, moved with the keyboard on its focused handle; the panel's key number changes.
    sliders = [c["name"] for p in panels if p["keys"] for c in p["controls"] if c["kind"] == "slider"]
    param = "pass_rate_new" if "pass_rate_new" in sliders else sliders[0]
    panel = _panel_of(page, param)
    key = panel.locator(".ocop-view .ocop-key").first
    readout = page.locator(f".ocop-ctl-{param} .widget-readout")
    key_before, readout_before = key.text_content(), readout.text_content()
    shown_keys_default = page.locator(".ocop-view .ocop-key").all_text_contents()
    handle = page.locator(f".ocop-ctl-{param} .noUi-handle")
    handle.scroll_into_view_if_needed()
    handle.focus()
    at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
    for _ in range(5):
        page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
    slider_s = _wait_text_change(key, key_before)
    readout_after = readout.text_content()
    assert readout_after != readout_before
    print(
        f"slider {param}: {readout_before} -> {readout_after}; key {key_before} -> {key.text_content()} "
        f"in {slider_s:.1f} s"
    )

    # 2. A dropdown (the rule if there is one): a different option changes its view.
    dropdowns = [c["name"] for p in panels for c in p["controls"] if c["kind"] == "dropdown"]
    assert dropdowns, "no dropdown control"
    choice = next((d for d in ("rule", "routing") if d in dropdowns), dropdowns[0])
    select = page.locator(f".ocop-ctl-{choice} select")
    select.scroll_into_view_if_needed()
    view = _panel_of(page, choice).locator(".ocop-view").first
    view_before, option_before = view.text_content(), select.input_value()
    options = select.evaluate("s => Array.from(s.options).map(o => o.value)")
    select.select_option(next(o for o in options if o != option_before))
    dropdown_s = _wait_text_change(view, view_before)
    print(f"dropdown {choice}: {option_before!r} -> {select.input_value()!r}, view changed in {dropdown_s:.1f} s")

    # 3. Save: type a name, click "Lưu kịch bản"; the YAML appears with the changed values.
    shown_keys = page.locator(".ocop-view .ocop-key").all_text_contents()
    page.locator(".ocop-scenario-name input").fill(SCENARIO_NAME)
    page.locator(".ocop-save").click()
    target = lab.scenario_dir / SCENARIO_FILE
    page.wait_for_selector(".ocop-msg .ocop-msg-ok", timeout=UPDATE_TIMEOUT_MS)
    assert target.exists(), f"no {target} after 'Lưu kịch bản' (files: {list(lab.scenario_dir.iterdir())})"
    saved = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert saved[param] != defaults[param], saved
    shown = float(readout_after.replace(",", "."))
    assert shown in (pytest.approx(float(saved[param])), pytest.approx(float(saved[param]) * 100)), (
        f"{param}: the file says {saved[param]}, the slider shows {readout_after}"
    )
    assert saved[choice] != defaults[choice], saved
    assert not list(ROOT.glob(f"scenarios/{SCENARIO_FILE}")), "wrote into the repository, not OCOP_SCENARIO_DIR"
    return {
        "item": item,
        "saved": target,
        "shown_keys": shown_keys,
        "shown_keys_default": shown_keys_default,
        "notebook": item.name,
        "key_before": key_before,
        "readout_before": readout_before,
        "option_before": option_before,
        "param": param,
        "choice": choice,
    }


def test_controls_change_views_save_and_reset(lab, saved_scenario):
    state = saved_scenario
    item, target = state["item"], state["saved"]
    page = item.page
    param, choice = state["param"], state["choice"]
    key_before, readout_before, option_before = state["key_before"], state["readout_before"], state["option_before"]
    shown_keys_default = state["shown_keys_default"]
    key = _panel_of(page, param).locator(".ocop-view .ocop-key").first
    readout = page.locator(f".ocop-ctl-{param} .widget-readout")
    select = page.locator(f".ocop-ctl-{choice} select")

    # ... saving again under the same name does not overwrite silently.
    content = target.read_bytes()
    page.locator(".ocop-save").click()
    page.wait_for_selector(".ocop-msg .ocop-msg-error", timeout=UPDATE_TIMEOUT_MS)
    assert target.read_bytes() == content

    # 4. Reset: the slider, the dropdown and the key number return to the plan's defaults.
    page.locator(".ocop-reset").click()
    reset_s = _wait_until(lambda: key.text_content(timeout=1000) == key_before, "the key number to return")
    print(f"reset: key back to {key_before} in {reset_s:.1f} s")
    _wait_until(lambda: readout.text_content(timeout=1000) == readout_before, f"the {param} slider to return")
    _wait_until(lambda: select.input_value(timeout=1000) == option_before, f"the {choice} dropdown to return")
    _wait_until(
        lambda: page.locator(".ocop-view .ocop-key").all_text_contents() == shown_keys_default,
        "every key number to return to its default",
    )
    assert page.evaluate(JS_ERROR_OUTPUTS) == []
    assert _console_errors(item) == []
    page.locator(".ocop-panel").first.scroll_into_view_if_needed()
    page.screenshot(path=str(artifact(f"lab-{Path(item.name).stem}-after-reset.png")))


def test_bad_value_shows_message_and_keeps_result(notebook_runs):
    """A value the model cannot accept (a negative amount) gives a message next to the control and
    keeps the last good result, with no traceback."""
    _widget_notebook(notebook_runs)  # fails if there are no widgets at all
    found = None
    for name in NOTEBOOKS:
        if "widgets." not in (paths.NOTEBOOKS_DIR / name).read_text(encoding="utf-8"):
            continue
        item = notebook_runs(name)
        numbers = [c["name"] for p in item.page.evaluate(JS_PANELS) for c in p["controls"] if c["kind"] == "number"]
        if numbers:
            found = item, numbers[0]
            break
    assert found is not None, "no plan notebook has a free-entry number control (e.g. a budget envelope)"
    item, param = found
    page = item.page
    panel = _panel_of(page, param)
    view = panel.locator(".ocop-view").first
    before = view.text_content()
    box = page.locator(f".ocop-ctl-{param} input[type='number']")
    box.scroll_into_view_if_needed()
    box.fill("-5")
    box.press("Enter")
    panel.locator(".ocop-msg .ocop-msg-error").first.wait_for(state="attached", timeout=UPDATE_TIMEOUT_MS)
    message = panel.locator(".ocop-msg").first.text_content().strip()
    print(f"{item.name}: {param} = -5 -> {message!r}")
    assert message and "Traceback" not in message
    assert view.text_content() == before, "the last good result was not kept"
    assert page.evaluate(JS_ERROR_OUTPUTS) == []
    assert _console_errors(item) == []
    page.screenshot(path=str(artifact(f"lab-{Path(item.name).stem}-bad-value.png")))
    page.locator(".ocop-reset").click()


def test_saved_scenario_builds_the_numbers_shown(tmp_path, saved_scenario):
    state = saved_scenario
    result = plan_build.build(
        params_files=[state["saved"]],
        out_root=tmp_path,
        notebooks=[paths.NOTEBOOKS_DIR / state["notebook"]],
        progress=lambda s: None,
    )
    page = result.html.read_text(encoding="utf-8")
    built_keys = [
        re.sub(r"<[^>]+>", "", k).strip()
        for k in re.findall(r'<span class="ocop-key"[^>]*>(.*?)</span>', page, flags=re.S)
    ]
    assert built_keys == state["shown_keys"], (
        f"the build from {state['saved'].name} shows {built_keys}, the widgets showed {state['shown_keys']}"
    )


def test_dashboard_is_jupyterlab_simple_mode_not_voila(lab, notebook_runs):
    """The supported dashboard is JupyterLab's simple mode with code hidden; Voilà is not assumed."""
    assert importlib.util.find_spec("voila") is None, "voila is installed but the project does not support it"
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "voila" not in pyproject.lower()
    with pytest.raises(urllib.error.HTTPError) as err:
        lab.api("GET", "/voila/render/" + NOTEBOOKS[0])
    assert err.value.code == 404

    candidates = [n for n in NOTEBOOKS if "widgets." in (paths.NOTEBOOKS_DIR / n).read_text(encoding="utf-8")]
    item = notebook_runs(candidates[0] if candidates else NOTEBOOKS[0])
    page = item.page
    page.evaluate("""async () => {
        await window.jupyterapp.commands.execute('application:set-mode', {mode: 'single-document'});
        await window.jupyterapp.commands.execute('notebook:hide-all-cell-code'); }""")
    try:
        page.wait_for_function("() => window.jupyterapp.shell.mode === 'single-document'", timeout=10_000)
        visible_code = page.evaluate("""() => Array.from(document.querySelectorAll(
              '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-editor'))
            .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; }).length""")
        assert visible_code == 0, "code still visible in the dashboard view"
        charts = page.evaluate(JS_CHARTS, ".jp-NotebookPanel:not(.lm-mod-hidden)")
        assert charts and not chart_problems(charts)
        if item.uses_widgets:
            assert page.locator(".ocop-panel").count() >= 1
        _tall_screenshot(page, artifact(f"lab-dashboard-{Path(item.name).stem}.png"))
    finally:
        page.evaluate("""async () => {
            await window.jupyterapp.commands.execute('notebook:show-all-cell-code');
            await window.jupyterapp.commands.execute('application:set-mode', {mode: 'multiple-document'}); }""")

"""The planner's loop in a real JupyterLab, driven in a real browser (issues 6 and 13).

One JupyterLab server per module, started like `make lab` on a clean git copy of the project
(tests/support/browser.py: project root, jupyter-config, token, free loopback port; scenarios/ and outputs/ of
the copy) and one headless Debian chromium whose requests may only reach that server. Each plan
notebook is opened and run with ``notebook:run-all-cells`` through ``window.jupyterapp``.

Then, for each group of controls (targets, calendar, budget, allocation, simulation), the controls
are changed through the DOM (Vietnamese numbers typed into text boxes, those beside sliders, dropdowns),
the scenario is saved from the toolbar, built with the real build (the toolbar's "Dựng kế hoạch"
button for the budget notebook, ``ocop_helpers.runs.build.build`` for the targets notebook), and every
table and key figure of the group's panels is compared with the built plan.html, found by its caption
and headers or by its caption text. Also: a bad value and where its message appears, the preview and
its refinement during a slow Monte Carlo (50.000 draws), loading a saved scenario, combining two, ``git status`` after
the session, the rerun line when a saved notebook is reopened, and the README's menu entries.
Screenshots: test-artifacts/lab-*.png. Tests do not depend on their order (pytest-randomly).
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import time
import urllib.error
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest
import yaml

from ocop_helpers.core import paths
from ocop_helpers.domain import labels
from ocop_helpers.lab import panels
from ocop_helpers.model import params
from ocop_helpers.runs import build, scenarios
from tests.support import docfind
from tests.support.browser import (
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

NOTEBOOKS = [f"notebooks/{p.name}" for p in build.plan_notebooks()]
TARGETS_NB = "notebooks/10-product-targets.ipynb"
BUDGET_NB = "notebooks/20-budget-allocation.ipynb"
READY_TIMEOUT_MS = 120_000  # page load + kernel start on 2 shared cores
RUN_TIMEOUT_MS = 300_000  # run-all of one plan notebook
UPDATE_TIMEOUT_MS = 180_000  # a change until the kernel has recomputed (50.000 draws on a busy machine)
BUILD_TIMEOUT_MS = 600_000
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
               : c.querySelector('input[type="text"]') ? 'text'
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

JS_NULL_TITLES = """
() => Array.from(document.querySelectorAll('.jp-NotebookPanel [title]'))
        .filter(e => /^(null|undefined)$/.test(e.getAttribute('title'))).map(e => e.outerHTML.slice(0, 160))
"""

JS_REFINING = """
() => {
  const root = '.jp-NotebookPanel:not(.lm-mod-hidden) ';
  return {
    previews: document.querySelectorAll(root + '.ocop-view.ocop-preview').length,
    notes: Array.from(document.querySelectorAll(root + '.ocop-preview-note'))
             .filter(e => e.getBoundingClientRect().height > 0).map(e => e.textContent),
    faded: document.querySelectorAll(root + '.ocop-view.ocop-preview .ocop-chart-pending svg').length,
    disabled: document.querySelectorAll(root + '.ocop-panel input:disabled, ' + root + '.ocop-panel select:disabled').length,
  };
}
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
    """Factory: open + run-all a notebook once per module; pages stay open until the module ends."""
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


# ------------------------------------------------------------------------------------------------
# Driving the controls


def _kernel(page, code: str) -> str:
    """Run code in the notebook's kernel. It queues behind the widget messages already sent, so it
    also waits until every change made so far has been recomputed."""
    return page.evaluate(JS_KERNEL_EXEC, code)


def _settle(page) -> None:
    """Wait until the kernel has handled every change and the page shows no out-of-date panel and no
    panel drawn from a preview (the Monte Carlo refines in a background thread after the kernel is idle)."""
    _kernel(page, "pass")
    page.wait_for_function(
        "() => !document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .ocop-stale, "
        ".jp-NotebookPanel:not(.lm-mod-hidden) .ocop-preview')",
        timeout=UPDATE_TIMEOUT_MS,
        polling=200,
    )


def _value(page, name: str):
    return yaml.safe_load(_kernel(page, f"print(repr(bench.values.get({name!r})))").replace("None", "null"))


def _wait_value(page, name: str, expected, timeout_s: float = UPDATE_TIMEOUT_MS / 1000):
    """Wait until the kernel holds ``expected`` for a parameter (a widget may send its change a moment
    after the key press: ipywidgets holds a model's next message until the kernel has handled the last)."""
    t0 = time.perf_counter()
    while True:
        _settle(page)
        got = _value(page, name)
        if got == expected or time.perf_counter() - t0 > timeout_s:
            return got
        time.sleep(0.3)


def _wait_message(panel, *words: str, timeout_s: float = UPDATE_TIMEOUT_MS / 1000) -> str:
    """Wait until the panel's message line contains every word; returns the message."""
    t0 = time.perf_counter()
    while True:
        text = panel.locator(".ocop-msg").first.text_content() or ""
        if all(w in text for w in words) or time.perf_counter() - t0 > timeout_s:
            return text
        time.sleep(0.3)


def _type(page, name: str, text: str, settle: bool = True) -> None:
    box = page.locator(f".ocop-ctl-{name} input").first
    box.scroll_into_view_if_needed()
    box.fill(text)
    box.press("Enter")
    if settle:
        _settle(page)


def _slide(page, name: str, value: str, settle: bool = True) -> None:
    """Type a value into the box beside a slider (the slider has no readout of its own: its number is
    this box, typed and shown the Vietnamese way)."""
    control = page.locator(f".ocop-ctl-{name}").first
    assert control.locator(".widget-readout:visible").count() == 0, f"{name}: an ipywidgets readout is back"
    _type(page, name, value, settle=settle)


OPTION_LABELS = {"rule": labels.ALLOCATION_RULE, "routing": labels.ROUTING}


def _choose(page, name: str, value: str) -> None:
    """Choose an option of a dropdown by its Vietnamese label (what the planner sees)."""
    select = page.locator(f".ocop-ctl-{name} select").first
    select.scroll_into_view_if_needed()
    select.select_option(label=OPTION_LABELS[name][value])
    _settle(page)


def _reset(page) -> None:
    page.locator(".ocop-reset").first.click()
    _settle(page)


def _wait_until(condition, what: str, timeout_s: float = 30) -> None:
    t0 = time.perf_counter()
    while not condition():
        if time.perf_counter() - t0 > timeout_s:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.2)


def _panel(page, param: str):
    return page.locator(".ocop-panel", has=page.locator(f".ocop-ctl-{param}")).first


def _panel_by_title(page, title: str):
    return page.locator(".ocop-panel", has=page.get_by_text(title, exact=True)).first


# ------------------------------------------------------------------------------------------------
# Figures: tables (caption, headers, rows) and key figures (value, caption), on screen and in a plan


@dataclass
class Figures:
    tables: list[docfind.Table]
    keys: list[tuple[str, str]]


KEY_RE = re.compile(r'<span class="ocop-key"[^>]*>(.*?)</span>\s*<span>(.*?)</span>', re.S)


def _figures(page_html: str) -> Figures:
    def text(s: str) -> str:
        return " ".join(re.sub(r"<[^>]+>", "", s).split())

    import html as _html

    keys = [(_html.unescape(text(v)), _html.unescape(text(c))) for v, c in KEY_RE.findall(page_html)]
    return Figures([t for t in docfind.tables(page_html) if t.rows], keys)


def _screen(page, titles: list[str]) -> Figures:
    parts = [_panel_by_title(page, t).locator(".ocop-view").first.inner_html() for t in titles]
    return _figures("".join(parts))


def built_pages(plan_file: Path) -> str:
    """The built plan and, beside it, the analysis (the Lab's panels are the analysis's sections)."""
    analysis = plan_file.with_name("phu-luc-phan-tich.html")
    return plan_file.read_text(encoding="utf-8") + analysis.read_text(encoding="utf-8")


def _same_as_plan(screen: Figures, plan_html: str, what: str) -> int:
    """Every table and key figure on screen is in the built plan: a table with the same headers and
    the same rows (the caption may carry the screen's "(minh họa)" mark), a key figure as the plan's
    sentence "<value> <caption>". Returns how many figures were compared."""
    plan = _figures(plan_html)
    text = docfind.visible_text(plan_html)
    assert screen.tables or screen.keys, f"{what}: nothing to compare on screen"
    for t in screen.tables:
        candidates = [p for p in plan.tables if p.headers == t.headers and t.caption.startswith(p.caption)]
        assert candidates, f"{what}: table {t.caption!r} {t.headers} is not in the built plan"
        assert any(p.rows == t.rows for p in candidates), (
            f"{what}: table {t.caption!r} differs.\nscreen: {t.rows}\nplan:   {[p.rows for p in candidates]}"
        )
    for value, caption in screen.keys:
        assert f"{value} {caption}" in text, f"{what}: key figure {value!r} ({caption}) not in the built plan"
    return len(screen.tables) + len(screen.keys)


def _changed(before: Figures, after: Figures) -> bool:
    return [t.rows for t in before.tables] != [t.rows for t in after.tables] or before.keys != after.keys


GROUPS = {
    # group: (notebook, titles of the panels whose figures are compared, changes as (how, parameter, typed))
    "targets": (
        TARGETS_NB,
        [panels.STOCK.title, panels.EXPIRY.title],
        [
            ("type", "pass_rate_new", "55%"),
            ("type", "pass_rate_reevaluation", "0,85"),
            ("type", "pass_rate_upgrade", "0.6"),
            ("type", "lapse_share", "15%"),
        ],
    ),
    "calendar": (
        TARGETS_NB,
        [panels.CALENDAR.title],
        [
            ("slide", "products_per_session", "12"),
            ("slide", "sessions_per_round", "3"),
            ("choose", "routing", "rerouted"),
        ],
    ),
    "budget": (
        BUDGET_NB,
        [panels.BUDGET_LINES.title, panels.CLAIMS.title],
        [
            ("type", "envelope_vnd", "4,5"),
            ("type", "budget_rewards_vnd", "1.500"),
            ("type", "co_financing_share", "40%"),
            ("type", "item_cap_vnd", "30"),
            ("type", "organisation_cap_vnd", "0,06 tỷ"),
        ],
    ),
    "allocation": (
        BUDGET_NB,
        [panels.ALLOCATION.title, panels.COMPARISON.title],
        [("choose", "rule", "equal_awards"), ("type", "min_grant_vnd", "5"), ("slide", "weight_star", "2,5")],
    ),
    "simulation": (
        BUDGET_NB,
        [panels.RISKS.title],
        [
            ("type", "pass_rate_new", "45%"),
            ("type", "target_rate", "75%"),
            ("slide", "cost_sigma", "0,35"),
            ("type", "seed", "7"),
            ("slide", "draws", "50.000"),  # slow: the refinement is watched while it runs
        ],
    ),
}
EXPECTED = {  # what each typed value must become in the kernel (the same as the saved scenario)
    "pass_rate_new": {"55%": 0.55, "45%": 0.45},
    "pass_rate_reevaluation": {"0,85": 0.85},
    "pass_rate_upgrade": {"0.6": 0.6},
    "lapse_share": {"15%": 0.15},
    "target_rate": {"75%": 0.75},
    "envelope_vnd": {"4,5": 4_500_000_000},
    "budget_rewards_vnd": {"1.500": None},  # ambiguous (a bare dot in a tỷ box): refused, stays from the plan
    "co_financing_share": {"40%": 0.4},
    "item_cap_vnd": {"30": 30_000_000},
    "organisation_cap_vnd": {"0,06 tỷ": 60_000_000},
    "min_grant_vnd": {"5": 5_000_000},
    "weight_star": {"2,5": 2.5},
    "cost_sigma": {"0,35": 0.35},
    "seed": {"7": 7},
    "draws": {"50.000": 50_000},
    "products_per_session": {"12": 12},
    "sessions_per_round": {"3": 3},
    "routing": {"rerouted": "rerouted"},
    "rule": {"equal_awards": "equal_awards"},
}


def _watch_refinement(page) -> dict:
    """After a change that needs a long Monte Carlo: wait until the first answer is on screen and the
    kernel has handed the controls back while the refinement runs (panels marked as previews, no
    control disabled), note what the page shows then, and wait until the refinement has replaced it.
    A page that kept its controls locked while refining never reaches that state: the wait fails."""
    page.wait_for_function(
        f"() => {{ const s = ({JS_REFINING.strip()})(); return s.previews > 0 && s.disabled === 0; }}",
        timeout=UPDATE_TIMEOUT_MS,
        polling=50,
    )
    during = page.evaluate(JS_REFINING)
    root = ".jp-NotebookPanel:not(.lm-mod-hidden) "
    page.wait_for_function(
        f"() => !document.querySelector({root + '.ocop-view.ocop-preview'!r})", timeout=UPDATE_TIMEOUT_MS, polling=200
    )
    return {"during": during, "after": page.evaluate(JS_REFINING)}


def _apply_group(page, group: str, record: dict) -> None:
    _, _, changes = GROUPS[group]
    for how, name, typed in changes:
        if name == "draws":
            _slide(page, name, typed, settle=False)
            record["refining"] = _watch_refinement(page)
            _settle(page)
        elif how == "type":
            _type(page, name, typed)
        elif how == "slide":
            _slide(page, name, typed)
        else:
            _choose(page, name, typed)
        expected = EXPECTED[name][typed]
        if expected is None and how == "type" and name.endswith("_vnd"):  # refused: its message, then the value
            _wait_message(_panel(page, name), "không rõ nghĩa")
        got = _wait_value(page, name, expected)
        if got != expected:
            page.screenshot(path=str(artifact(f"lab-failed-{name}.png")))
        assert got == expected, (
            f"{name}: typed {typed!r}, the kernel holds {got!r}; the page shows "
            f"{page.locator(f'.ocop-ctl-{name} input').first.input_value() if how != 'choose' else ''!r}; messages: "
            f"{[m for m in page.locator('.ocop-msg').all_text_contents() if m.strip()]}"
        )
        record.setdefault("messages", {})[name] = _panel(page, name).locator(".ocop-msg").first.text_content()


def _save(page, target: Path) -> Path:
    """Click 'Lưu kịch bản' and wait for the file and the toolbar's confirmation."""
    page.locator(".ocop-save").first.click()
    _settle(page)
    _wait_until(lambda: target.exists(), f"{target} to be written", 60)
    _wait_until(
        lambda: any("Đã lưu" in t for t in page.locator(".ocop-msg-ok").all_text_contents()), "the saved message", 60
    )
    return target


@pytest.fixture(scope="module")
def budget_scenario(lab, notebook_runs):
    """Budget, allocation and simulation controls changed in notebook 20, saved, and built with the
    toolbar's 'Dựng kế hoạch' button. Returns what the screen showed and what the build wrote."""
    item = notebook_runs(BUDGET_NB)
    page = item.page
    _reset(page)
    record: dict = {"before": {}, "after": {}}
    for group in ("budget", "allocation", "simulation"):
        record["before"][group] = _screen(page, GROUPS[group][1])
        _apply_group(page, group, record)
        record["after"][group] = _screen(page, GROUPS[group][1])
    record["ambiguous_message"] = record["messages"]["budget_rewards_vnd"]
    page.locator(".ocop-scenario-name input").fill("Kinh phí thử")
    page.locator(".ocop-note textarea").fill("Giảm kinh phí hỗ trợ nhãn hiệu; thử quy tắc chia đều")
    record["saved"] = _save(page, lab.scenario_dir / "kinh-phi-thu.yaml")
    record["diff"] = page.locator(".ocop-diff").first.inner_html()
    page.locator(".ocop-build").first.scroll_into_view_if_needed()
    t0 = time.perf_counter()
    page.locator(".ocop-build").first.click()
    page.locator(".ocop-build-links a").first.wait_for(timeout=BUILD_TIMEOUT_MS)
    record["build_s"] = time.perf_counter() - t0
    record["log"] = page.locator(".ocop-build-log").first.text_content()
    record["links"] = page.locator(".ocop-build-links a").evaluate_all(
        "els => els.map(a => ({text: a.textContent, href: a.getAttribute('href')}))"
    )
    page.locator(".ocop-build").first.scroll_into_view_if_needed()
    page.screenshot(path=str(artifact("lab-build-button.png")))
    return record


@pytest.fixture(scope="module")
def targets_scenario(lab, notebook_runs, tmp_path_factory):
    """Targets and calendar controls changed in notebook 10, saved, and built with build.build()."""
    item = notebook_runs(TARGETS_NB)
    page = item.page
    _reset(page)
    record: dict = {"before": {}, "after": {}}
    for group in ("targets", "calendar"):
        record["before"][group] = _screen(page, GROUPS[group][1])
        _apply_group(page, group, record)
        record["after"][group] = _screen(page, GROUPS[group][1])
    page.locator(".ocop-scenario-name input").fill("Mục tiêu thử")
    record["saved"] = _save(page, lab.scenario_dir / "muc-tieu-thu.yaml")
    result = build.build(
        params_files=[record["saved"]],
        out_root=tmp_path_factory.mktemp("targets-build"),
        notebooks=[paths.NOTEBOOKS_DIR / Path(TARGETS_NB).name],
        progress=lambda s: None,
    )
    record["plan_html"] = built_pages(result.html)
    return record


def _console_errors(item: Opened) -> list[str]:
    return [m for m in item.console if not any(re.search(p, m) for p in CONSOLE_ALLOWED)]


def _tall_screenshot(page, path: Path) -> None:
    """Screenshot the whole notebook: grow the viewport to the notebook's height for one shot."""
    height = page.evaluate("""() => {
        const el = window.jupyterapp.shell.currentWidget.node.querySelector('.jp-WindowedPanel-outer');
        return el ? el.scrollHeight : 900; }""")
    page.set_viewport_size({"width": 1366, "height": int(min(max(height + 160, 900), 14000))})
    try:
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        page.wait_for_function("() => Array.from(document.images).every(i => i.complete)", timeout=10_000)
        page.screenshot(path=str(path))
    finally:
        page.set_viewport_size({"width": 1366, "height": 900})


# ------------------------------------------------------------------------------------------------


def test_server_is_the_projects_lab_at_its_root(lab):
    specs = lab.api("GET", "/api/kernelspecs")
    for name in NOTEBOOKS:
        nb = nbformat.read(lab.root / name, as_version=4)
        kernel = nb.metadata.get("kernelspec", {}).get("name")
        assert kernel in specs["kernelspecs"], f"{name}: kernelspec {kernel!r} unknown to JupyterLab"
    settings = lab.api("GET", "/lab/api/settings/@jupyterlab/apputils-extension:notification")
    props = settings["schema"]["properties"]  # overrides.json replaces the schema's defaults
    assert props["fetchNews"]["default"] == "false" and props["checkForUpdates"]["default"] is False, (
        "overrides.json not read: start JupyterLab with --LabApp.app_settings_dir=jupyter-config/lab/settings"
    )
    listing = {c["name"] for c in lab.api("GET", "/api/contents/")["content"]}
    assert {"notebooks", "scenarios", "outputs"} <= listing, f"the Lab's root is not the project: {listing}"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    lab_recipe = makefile[makefile.index("\nlab:") :].split("\n\n")[0]
    assert (
        "--ServerApp.root_dir=$(CURDIR)" in lab_recipe and "JUPYTER_CONFIG_PATH=$(CURDIR)/jupyter-config" in lab_recipe
    )


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_clean_in_jupyterlab(lab, browser, notebook_runs, name):
    _, requests = browser
    item = notebook_runs(name)
    page = item.page
    print(
        f"{name}: kernel idle after {item.seconds['open_until_kernel_idle']:.1f} s, run-all {item.seconds['run_all']:.1f} s"
    )
    try:
        prefix, _, package = item.kernel_prefix.partition("\n")
        venv = ROOT / ".venv"
        if venv.exists():
            assert Path(prefix).resolve() == venv.resolve(), f"kernel runs {prefix}, not the project's .venv"
        assert Path(package).resolve().is_relative_to(ROOT), f"the kernel imports ocop_helpers from {package}"
        assert page.evaluate("window.__ocopRunAllError || ''") == ""
        problems = page.evaluate(JS_ERROR_OUTPUTS)
        assert not problems, f"{name}: error/stderr outputs in the notebook: {problems}"
        charts = page.evaluate(JS_CHARTS, ".jp-NotebookPanel:not(.lm-mod-hidden)")
        assert charts, f"{name}: no chart in the outputs"
        assert not chart_problems(charts), f"{name}: charts that did not draw: {chart_problems(charts)}"
        assert page.evaluate(JS_NULL_TITLES) == [], "elements with the tooltip 'null'"
        assert page.evaluate(
            "() => Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .ocop-rerun'))"
            ".every(e => getComputedStyle(e).display === 'none')"
        ), "the 'run the notebook' lines are still shown in a running notebook"
        if item.uses_widgets:
            for p in page.evaluate(JS_PANELS):
                assert p["views"], f"{name}: a panel without an ocop-view output: {p}"
                for c in p["controls"]:
                    assert c["label"], f"{name}: control {c['name']} has no label"
                    assert c["bottom"] <= min(v["top"] for v in p["views"]) + 1, (
                        f"{name}: control {c['name']} is not above the view it drives"
                    )
            for cls, text in (
                (".ocop-save", "Lưu kịch bản"),
                (".ocop-reset", "Khôi phục mặc định"),
                (".ocop-build", "Dựng kế hoạch"),
                (".ocop-load-button", "Tải vào điều khiển"),
            ):
                assert page.locator(cls).count() == 1 and text in page.locator(cls).text_content()
        assert page.evaluate(JS_NEWS_TOASTS) == [], "JupyterLab's news/update pop-up is showing"
        assert _console_errors(item) == [], f"{name}: browser console errors: {_console_errors(item)}"
        assert requests.blocked == [], f"requests that tried to leave the machine: {requests.blocked}"
    finally:
        _tall_screenshot(page, artifact(f"lab-{Path(name).stem}.png"))


def test_vietnamese_numbers_and_messages_beside_their_control(notebook_runs):
    """Money typed the Vietnamese way; an ambiguous or impossible value is refused next to its own
    control, in Vietnamese with the accepted forms, and the last good result stays."""
    page = notebook_runs(BUDGET_NB).page
    _settle(page)
    lines = _panel(page, "envelope_vnd")
    view = lines.locator(".ocop-view").first
    box = page.locator(".ocop-ctl-envelope_vnd input").first
    kept_text, kept_value = box.input_value(), _value(page, "envelope_vnd")
    before = view.inner_html()

    _type(page, "envelope_vnd", "1.5")
    message = _wait_message(lines, "không rõ nghĩa")
    assert "không rõ nghĩa" in message and "1,5 tỷ" in message and "500 triệu" in message, message
    assert "Traceback" not in message
    others = [m for m in page.locator(".ocop-panel .ocop-msg").all_text_contents() if m.strip()]
    assert others == [message], f"a message appeared elsewhere: {others}"
    assert view.inner_html() == before and box.input_value() == kept_text
    page.screenshot(path=str(artifact("lab-bad-value.png")))

    _type(page, "envelope_vnd", "1,5 tỷ")
    assert _wait_value(page, "envelope_vnd", 1_500_000_000) == 1_500_000_000
    _wait_until(lambda: box.input_value() == "1,5", "the box to show 1,5")
    assert lines.locator(".ocop-msg").first.text_content().strip() == ""
    row = docfind.table(view.inner_html(), having=("Số tiền",)).row("Hỗ trợ nhãn hiệu, bao bì, tem nhãn")
    assert "1,5 tỷ đồng" in row, row

    _type(page, "envelope_vnd", "25")
    message = _wait_message(lines, "lớn hơn tổng kinh phí")
    assert "lớn hơn tổng kinh phí" in message and "25 tỷ đồng" in message and "20,9 tỷ đồng" in message, message
    assert _value(page, "envelope_vnd") == 1_500_000_000

    _type(page, "envelope_vnd", "500 triệu")
    assert _wait_value(page, "envelope_vnd", 500_000_000) == 500_000_000
    _wait_until(lambda: box.input_value() == "0,5", "the box to show 0,5")
    for typed, share in (("40%", 0.4), ("0,45", 0.45), ("0.5", None)):  # 50 % is the norm: from the plan
        _type(page, "co_financing_share", typed)
        assert _wait_value(page, "co_financing_share", share) == share, typed
    # back to what the page showed
    _type(page, "envelope_vnd", kept_text)
    assert _wait_value(page, "envelope_vnd", kept_value) == kept_value


def test_what_you_see_is_what_you_build_budget_allocation_simulation(budget_scenario, lab):
    rec = budget_scenario
    saved = yaml.safe_load(rec["saved"].read_text(encoding="utf-8"))
    assert saved == {
        "scenario": "kinh-phi-thu",
        "pass_rate_new": "45%",
        "envelope_vnd": "4,5 tỷ",
        "rule": "equal_awards",
        "co_financing_share": "40%",
        "item_cap_vnd": "30 triệu",
        "organisation_cap_vnd": "60 triệu",
        "min_grant_vnd": "5 triệu",
        "weight_star": 2.5,
        "draws": 50000,
        "cost_sigma": 0.35,
        "target_rate": "75%",
        "seed": 7,
    }, "the file holds exactly the values that differ from the base, in readable units"
    assert "# Tên: Kinh phí thử" in rec["saved"].read_text(encoding="utf-8")
    assert "không rõ nghĩa" in rec["ambiguous_message"], "'9.500 triệu' must be refused beside its control"
    links = {link["text"]: link["href"] for link in rec["links"]}
    assert "plan.html" in links and "annex.xlsx" in links, links
    plan_file = (lab.root / "notebooks" / links["plan.html"]).resolve()
    assert plan_file.is_file() and plan_file.is_relative_to(lab.root / "outputs"), plan_file
    assert "kinh-phi-thu" in plan_file.parts
    assert "[3/3]" in rec["log"] and "Kế hoạch:" in rec["log"], rec["log"]
    plan_html = built_pages(plan_file)
    counts = {}
    for group in ("budget", "allocation", "simulation"):
        assert _changed(rec["before"][group], rec["after"][group]), f"{group}: the panels did not change"
        counts[group] = _same_as_plan(rec["after"][group], plan_html, group)
    print(f"build button: {rec['build_s']:.0f} s; figures compared per group: {counts}")


def test_what_you_see_is_what_you_build_targets_calendar(targets_scenario):
    rec = targets_scenario
    saved = yaml.safe_load(rec["saved"].read_text(encoding="utf-8"))
    assert saved == {
        "scenario": "muc-tieu-thu",
        "pass_rate_new": "55%",
        "pass_rate_reevaluation": "85%",
        "pass_rate_upgrade": "60%",
        "lapse_share": "15%",
        "products_per_session": 12,
        "sessions_per_round": 3,
        "routing": "rerouted",
    }
    counts = {}
    for group in ("targets", "calendar"):
        assert _changed(rec["before"][group], rec["after"][group]), f"{group}: the panels did not change"
        counts[group] = _same_as_plan(rec["after"][group], rec["plan_html"], group)
    print(f"figures compared per group: {counts}")


def test_a_slow_monte_carlo_answers_first_and_refines_with_the_controls_free(budget_scenario):
    """50.000 draws take seconds: the panels that read them show a preview at once, marked and said
    so, with the last charts faded while they are redrawn; the controls stay usable meanwhile; the
    refinement then leaves no preview."""
    during, after = budget_scenario["refining"]["during"], budget_scenario["refining"]["after"]
    assert during["previews"] > 0 and any("Xem trước" in n and "đang tính đầy đủ" in n for n in during["notes"]), during
    assert during["faded"] > 0, f"no chart is shown faded while it is redrawn: {during}"
    assert during["disabled"] == 0, "controls were disabled while the refinement ran"
    assert after["previews"] == 0 and not after["notes"] and after["faded"] == 0, after


def test_load_and_combine_saved_scenarios(budget_scenario, targets_scenario, notebook_runs):
    page = notebook_runs(BUDGET_NB).page
    _reset(page)
    assert (
        _value(page, "rule") == "priority" and "trùng với mặc định" in page.locator(".ocop-diff").first.text_content()
    )
    page.locator(".ocop-load-button").first.scroll_into_view_if_needed()
    options = [" ".join(o.split()) for o in page.locator(".ocop-load select option").all_text_contents()]
    wanted = [i for i, o in enumerate(options) if o.startswith("Kinh phí thử (kinh-phi-thu.yaml)")]
    assert wanted and "Giảm kinh phí" in options[wanted[0]], (
        f"the saved scenario is not listed with its note: {options}"
    )
    page.locator(".ocop-load select").first.select_option(index=wanted[0])
    page.locator(".ocop-load-button").first.click()
    _settle(page)
    assert page.locator(".ocop-ctl-envelope_vnd input").first.input_value() == "4,5"
    rule = page.locator(".ocop-ctl-rule select").first
    shown_rule = " ".join(rule.evaluate("s => s.options[s.selectedIndex].textContent").split())
    assert shown_rule == labels.ALLOCATION_RULE["equal_awards"]
    assert page.locator(".ocop-ctl-draws input").first.input_value() == "50.000"
    assert page.locator(".ocop-scenario-name input").first.input_value() == "Kinh phí thử"
    diff = page.locator(".ocop-diff").first
    assert diff.locator("tr[data-param]").count() == 12, diff.inner_html()
    assert "4,5 tỷ đồng" in diff.text_content() and "5,2 tỷ đồng" in diff.text_content()
    after = _screen(page, GROUPS["allocation"][1])
    assert [t.rows for t in after.tables] == [t.rows for t in budget_scenario["after"]["allocation"].tables]
    page.locator(".ocop-diff").first.scroll_into_view_if_needed()
    page.screenshot(path=str(artifact("lab-loaded-scenario.png")))
    _reset(page)

    merged = scenarios.merge_files([targets_scenario["saved"], budget_scenario["saved"]])
    assert merged.values["scenario"] == "muc-tieu-thu+kinh-phi-thu"
    overrides = [r for r in merged.report if "ghi đè" in r]
    assert len(overrides) == 1 and "pass_rate_new" in overrides[0] and "55%" in overrides[0] and "45%" in overrides[0]
    assert params.validate({k: v for k, v in merged.values.items()})  # the build accepts the combination


def test_git_status_is_clean_after_the_session_and_reopening_says_run_again(lab, notebook_runs, browser):
    for name in (TARGETS_NB, BUDGET_NB):
        page = notebook_runs(name).page
        page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
        page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=30_000)
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"], cwd=lab.root, capture_output=True, text=True
    ).stdout.splitlines()
    tracked = [line for line in status if not line.startswith("??")]
    assert tracked == [], f"a Lab session changed tracked files: {tracked}"
    assert all(line[3:].startswith("scenarios/") for line in status), f"new files outside scenarios/: {status}"
    context, _ = browser
    page = context.new_page()
    try:
        page.goto(lab.lab_url(TARGETS_NB, workspace="reopened"), timeout=READY_TIMEOUT_MS)
        page.wait_for_function(JS_NOTEBOOK_READY, arg=TARGETS_NB, timeout=READY_TIMEOUT_MS, polling=250)
        page.wait_for_timeout(1500)
        notes = page.evaluate(
            "() => Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .ocop-rerun'))"
            ".filter(e => getComputedStyle(e).display !== 'none').map(e => e.textContent)"
        )
        assert notes and all("Run All Cells" in n for n in notes), notes
        assert "model not found" not in page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").first.text_content()
        page.screenshot(path=str(artifact("lab-reopened.png")))
    finally:
        page.close()


def test_readme_menu_entries_exist_in_the_lab(notebook_runs):
    """The README names menu entries (*Menu → Submenu → Entry*); they are where it says, in the real menus."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lab_section = readme[readme.index("## Working in JupyterLab") : readme.index("## Notebooks")]
    named = re.findall(r"\*((?:[A-Z][a-z]+ → )+[^*]+)\*", lab_section)
    assert named, "the README's Lab section names no menu entry"
    page = notebook_runs(TARGETS_NB).page
    for path in sorted(set(named)):
        steps = [p.strip() for p in path.split("→")]
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{steps[0]}$")).first.click()
        try:
            for depth, step in enumerate(steps[1:], start=1):
                menu = page.locator(".lm-Menu").nth(depth - 1)
                items = [
                    " ".join(t.split()) for t in menu.locator(".lm-Menu-itemLabel").all_text_contents() if t.strip()
                ]
                assert step in items, f"README: *{path}*, but {' → '.join(steps[:depth])} has {items}"
                if depth < len(steps) - 1:
                    menu.locator(".lm-Menu-item", has_text=re.compile(f"^{step}$")).first.hover()
                    page.wait_for_timeout(400)
            shot = re.sub(r"\W+", "-", path.lower())
            page.screenshot(path=str(artifact(f"lab-menu-{shot}.png")))
        finally:
            page.keyboard.press("Escape")
            page.keyboard.press("Escape")


def test_dashboard_is_jupyterlab_simple_mode_not_voila(lab, notebook_runs):
    """The supported dashboard is JupyterLab's simple mode with code hidden; Voilà is not assumed."""
    assert importlib.util.find_spec("voila") is None, "voila is installed but the project does not support it"
    assert "voila" not in (ROOT / "pyproject.toml").read_text(encoding="utf-8").lower()
    with pytest.raises(urllib.error.HTTPError) as err:
        lab.api("GET", "/voila/render/" + NOTEBOOKS[0])
    assert err.value.code == 404
    item = notebook_runs(TARGETS_NB)
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
        assert page.locator(".ocop-panel").count() >= 1
        _tall_screenshot(page, artifact(f"lab-dashboard-{Path(item.name).stem}.png"))
    finally:
        page.evaluate("""async () => {
            await window.jupyterapp.commands.execute('notebook:show-all-cell-code');
            await window.jupyterapp.commands.execute('application:set-mode', {mode: 'multiple-document'}); }""")

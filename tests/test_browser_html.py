"""The leadership HTML in a real browser (issue 5): Debian's chromium, no network at all.

One real build of the default plan per session (``default_build`` in tests/browser.py), opened from
a file:// URL with every non-file request aborted and recorded. Artifacts: test-artifacts/
plan-<province>.png (full page) and plan-<province>.pdf (A4 print).
"""

from __future__ import annotations

import re

import nbformat
import pytest

from ocop_helpers import document, io, paths, vnformat

from .browser import (
    JS_CHARTS,
    artifact,
    block_network,
    chart_problems,
    chromium_context,
    requires_chromium,
)

pytestmark = [pytest.mark.slow, pytest.mark.browser, requires_chromium]

MM_TO_PX = 96 / 25.4
A4_WIDTH_MM = 210
# Sections (first "## " heading of a notebook) that may legitimately have no chart. Empty: every
# plan notebook shows at least one chart.
SECTIONS_WITHOUT_CHARTS: set[str] = set()

# Document order of section headings and charts (TOC heading excluded).
JS_SECTIONS = r"""
async () => {
  const events = [];
  const nodes = document.querySelectorAll(
    'h2, .jp-OutputArea-output svg, .jp-OutputArea-output img, .jp-OutputArea-output canvas');
  for (const el of nodes) {
    const tag = el.tagName.toLowerCase();
    if (tag === 'h2') {
      if (el.closest('.ocop-toc')) continue;
      events.push({type: 'h2', text: el.textContent.replace('¶', '').trim()});
      continue;
    }
    if (tag === 'svg' && el.parentElement.closest('svg')) continue;
    if (tag === 'img' && !/^data:image\/(svg\+xml|png)/.test(el.getAttribute('src') || '')) continue;
    const r = el.getBoundingClientRect();
    if (tag === 'svg' && r.width < 40 && r.height < 40) continue;
    const item = {type: 'chart', tag, width: r.width, height: r.height};
    if (tag === 'img') { item.complete = el.complete; item.naturalWidth = el.naturalWidth; }
    events.push(item);
  }
  return events;
}
"""

JS_VISIBLE_CODE = r"""
() => {
  const sel = '.jp-InputArea-editor, .jp-CodeMirrorEditor, .cm-editor, .jp-InputPrompt, ' +
              '.jp-OutputPrompt, .jp-CodeCell .jp-InputArea, div.highlight, pre code';
  return Array.from(document.querySelectorAll(sel))
    .filter(el => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
                    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; })
    .map(el => el.className + ': ' + el.textContent.slice(0, 80));
}
"""

# Widths in the current (print) media, measured against the main column's left edge.
JS_PRINT_WIDTHS = r"""
(limit) => {
  const main = document.querySelector('main');
  const left = main.getBoundingClientRect().left;
  const out = [];
  const els = document.querySelectorAll(
    'table, .jp-OutputArea-output svg, .jp-OutputArea-output img, .jp-OutputArea-output canvas');
  for (const el of els) {
    const tag = el.tagName.toLowerCase();
    if (tag === 'svg' && el.parentElement.closest('svg')) continue;
    const r = el.getBoundingClientRect();
    const width = Math.max(r.width, el.scrollWidth || 0);
    const right = r.left - left + width;
    if (right > limit + 1 || (el.scrollWidth || 0) > (el.clientWidth || 0) + 1 && tag === 'table') {
      const label = tag === 'table'
        ? (el.querySelector('caption, th') || el).textContent.trim().slice(0, 60) : tag + ' chart';
      out.push({tag, label, width: Math.round(width), right: Math.round(right),
                scrollWidth: el.scrollWidth, clientWidth: el.clientWidth});
    }
  }
  return out;
}
"""


_UNIT_MM = {"mm": 1.0, "cm": 10.0, "in": 25.4, "px": 25.4 / 96, "pt": 25.4 / 72}


def _length_mm(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)\s*(mm|cm|in|px|pt)?", text.strip())
    if not m:
        raise ValueError(f"cannot read the CSS length {text!r}")
    return float(m.group(1)) * _UNIT_MM[m.group(2) or "px"]


def _page_margins_mm(html_text: str) -> tuple[float, float]:
    """Left and right margins (mm) of the last @page rule with a margin (the one that wins)."""
    found = re.findall(r"@page\s*\{[^}]*?margin\s*:\s*([^;}]+)", html_text)
    if not found:
        return 10.0, 10.0  # Chromium's default print margin is about 10 mm
    parts = [_length_mm(p) for p in found[-1].split()]
    top, right, bottom, left = {1: parts * 4, 2: parts * 2, 3: [*parts, parts[1]], 4: parts}[len(parts)]
    return left, right


def _expected_sections(build_result) -> list[tuple[str, str, int]]:
    """(notebook, first '## ' heading, charts it published) for each plan notebook, in order."""
    out = []
    for nb_path in build_result.notebooks:
        nb = document.merge_notebooks([nbformat.read(nb_path, as_version=4)])
        heading = ""
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                m = re.search(r"^##\s+(.+?)\s*$", cell.source, flags=re.M)
                if m:
                    heading = re.sub(r"[*_`]", "", m.group(1)).strip()
                    break
        charts = sum(
            1
            for cell in nb.cells
            if cell.cell_type == "code"
            for o in cell.outputs
            if {"image/svg+xml", "image/png"} & set(o.get("data", {}))
        )
        out.append((nb_path.name, heading, charts))
    return out


@pytest.fixture(scope="module")
def opened_plan(default_build):
    """The plan opened offline in chromium: (page, request log, console messages, build, plan)."""
    plan = io.load_plan(paths.DEFAULT_PLAN_DIR)
    with chromium_context(viewport={"width": 1280, "height": 900}) as ctx:
        requests = block_network(ctx, ("file:", "data:"))
        page = ctx.new_page()
        console: list[str] = []
        page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
        page.goto(default_build.html.as_uri(), wait_until="load", timeout=60_000)
        page.wait_for_load_state("networkidle", timeout=30_000)
        page.screenshot(path=str(artifact(f"plan-{plan.province_id}.png")), full_page=True)
        yield page, requests, console, default_build, plan


def test_no_request_leaves_the_machine(opened_plan):
    page, requests, console, _, _ = opened_plan
    assert requests.blocked == [], f"the plan tried to reach the network: {requests.blocked}"
    assert all(u.startswith(("file:", "data:")) for u in requests.seen), requests.seen
    assert console == [], f"browser console errors/warnings: {console}"


def test_language_and_title_are_vietnamese(opened_plan):
    page, _, _, _, plan = opened_plan
    assert page.evaluate("document.documentElement.lang") == "vi", "<html lang> must be 'vi'"
    assert page.evaluate("document.characterSet") == "UTF-8"
    title = page.title()
    assert "Kế hoạch" in title and plan.province_name in title and str(plan.year) in title, title
    heading = page.locator("header.ocop-title h1").inner_text()
    assert "Kế hoạch triển khai" in heading and str(plan.year) in heading, heading


def test_every_chart_rendered_in_every_section(opened_plan):
    page, _, _, build, _ = opened_plan
    events = page.evaluate(JS_SECTIONS)
    charts = [e for e in events if e["type"] == "chart"]
    assert charts, "no chart in the document"
    assert not chart_problems(charts), (
        f"charts that did not draw (zero size / image not decoded): {chart_problems(charts)}"
    )
    assert page.evaluate(JS_CHARTS, None) and len(page.evaluate(JS_CHARTS, None)) == len(charts)

    # Fold h2 sections into notebooks: a notebook starts at its first "## " heading.
    expected = _expected_sections(build)
    starts = {heading: name for name, heading, _ in expected}
    missing = [name for name, heading, _ in expected if not heading]
    assert not missing, f"notebooks without a '## ' section heading (no TOC entry): {missing}"
    rendered: dict[str, int] = {name: 0 for name, _, _ in expected}
    current = None
    for e in events:
        if e["type"] == "h2" and e["text"] in starts:
            current = starts[e["text"]]
        elif e["type"] == "chart":
            assert current is not None, "a chart appears before the first section heading"
            rendered[current] += 1
    for name, heading, published in expected:
        assert rendered[name] == published, (
            f"{name} ('{heading}'): {published} chart(s) in the executed notebook, {rendered[name]} drawn in the page"
        )
        if heading not in SECTIONS_WITHOUT_CHARTS:
            assert rendered[name] >= 1, f"section '{heading}' ({name}) has no chart"


def test_table_of_contents_links_resolve(opened_plan):
    page, *_ = opened_plan
    hrefs = page.eval_on_selector_all("nav.ocop-toc a", "as => as.map(a => a.getAttribute('href'))")
    assert hrefs, "no table of contents"
    for href in hrefs:
        assert href.startswith("#"), href
        assert page.evaluate("(id) => !!document.getElementById(id)", href[1:]), f"TOC link {href} leads nowhere"


def test_no_code_prompts_or_papermill_noise(opened_plan):
    page, *_ = opened_plan
    assert page.evaluate(JS_VISIBLE_CODE) == []
    text = page.locator("body").inner_text()
    for pattern in (
        r"In\s*\[\s*\d*\s*\]:",
        r"Out\s*\[\s*\d*\s*\]:",
        r"Traceback",
        r"papermill",
        r"injected-parameters",
        r"\bWarning\b",
        r"Error loading script",
        r"interactive\s*=",
    ):
        assert not re.search(pattern, text), f"the page shows {pattern!r}"
    stderr = page.locator('[data-mime-type="application/vnd.jupyter.stderr"], [data-mime-type*="error"]')
    assert stderr.count() == 0


def test_published_totals_appear_in_vietnamese_format(opened_plan):
    page, _, _, _, plan = opened_plan
    text = page.locator("main").first.inner_text()
    t = plan.targets
    for expected in (
        str(t.total),
        str(t.new),
        str(t.reevaluation),
        str(t.upgrade),
        str(t.organisations_branding),
        vnformat.money(t.budget_total_vnd),
    ):
        assert expected in text, f"'{expected}' missing from the page"
    assert "323" in text and "20,9 tỷ đồng" in text  # the published Bắc Giang 2025 figures
    assert not re.search(r"\d,\d{3},\d{3}", text), "English thousands separators in the page"


def test_prints_to_a4_without_cut_tables(opened_plan):
    page, _, _, _, plan = opened_plan
    left_mm, right_mm = _page_margins_mm(page.content())
    printable_px = (A4_WIDTH_MM - left_mm - right_mm) * MM_TO_PX
    page.emulate_media(media="print")
    try:
        page.set_viewport_size({"width": int(printable_px), "height": 1100})
        too_wide = page.evaluate(JS_PRINT_WIDTHS, printable_px)
        # What the printed column looks like (anything past the right edge is cut or shrinks the page).
        page.screenshot(path=str(artifact(f"plan-{plan.province_id}-print.png")), full_page=True)
        pdf = page.pdf(format="A4", print_background=True)
    finally:
        page.emulate_media(media="screen")
        page.set_viewport_size({"width": 1280, "height": 900})
    artifact(f"plan-{plan.province_id}.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages >= 1
    tables = [w for w in too_wide if w["tag"] == "table"]
    charts = [w for w in too_wide if w["tag"] != "table"]
    assert not tables and not charts, (
        f"wider than the A4 printable width ({printable_px:.0f} px) in print media, so printing cuts or "
        f"shrinks them: tables {tables}; charts {charts}"
    )

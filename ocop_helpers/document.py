"""The leadership document: executed notebooks merged into one self-contained, printable HTML.

No code, prompts, papermill parameter cells or stderr; a title block, a table of contents, a print
stylesheet for A4, and no reference to any network resource (charts are inline SVG).
"""

from __future__ import annotations

import copy
import html
import re
from dataclasses import dataclass

import nbformat
from nbconvert import HTMLExporter

# Cells with these tags never reach the document.
HIDDEN_TAGS = {"parameters", "injected-parameters", "remove", "remove-cell", "setup", "lab-only"}
EMPTY_SCRIPT = "data:text/javascript,"
SCENARIO_NAMES = {"default": "mặc định (theo kế hoạch)"}

CSS = """
:root { --ocop-green: #1b6f3a; }
body.jp-Notebook, body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; color: #1d1d1d; }
main, body.jp-Notebook { max-width: 62rem; margin: 0 auto; padding: 1.5rem 2rem 4rem; }
.jp-Cell { padding: 0 !important; }
.jp-InputPrompt, .jp-OutputPrompt { display: none !important; }
.jp-RenderedHTMLCommon h1, .jp-RenderedHTMLCommon h2 { color: var(--ocop-green); border-bottom: 2px solid #e3e3e3; padding-bottom: .2rem; }
.jp-RenderedHTMLCommon p, .ocop-text { font-size: 1rem; line-height: 1.55; max-width: 52rem; }
.ocop-title { border-bottom: 4px solid var(--ocop-green); margin-bottom: 1.5rem; padding-bottom: 1rem; }
.ocop-title .ocop-authority { text-transform: uppercase; font-weight: bold; letter-spacing: .03em; }
.ocop-title h1 { font-size: 1.7rem; margin: .6rem 0 .3rem; color: var(--ocop-green); border: none; }
.ocop-title .ocop-meta { color: #555; font-size: .92rem; }
.ocop-toc { background: #f5f8f5; border: 1px solid #dce7dc; padding: .8rem 1.2rem; margin-bottom: 1.5rem; }
.ocop-toc h2 { font-size: 1.1rem; margin: 0 0 .4rem; border: none; color: #1d1d1d; }
.ocop-toc ol { margin: 0; padding-left: 1.4rem; }
table.ocop-table { border-collapse: collapse; margin: .6rem 0 1.2rem; font-size: .9rem; }
table.ocop-table caption { text-align: left; font-weight: bold; padding: .3rem 0; }
.jp-RenderedHTMLCommon table.ocop-table th, .jp-RenderedHTMLCommon table.ocop-table td { text-align: left; }
.jp-RenderedHTMLCommon table.ocop-table td.num { text-align: right; }
table.ocop-table th { background: #eef3ee; text-align: left; padding: .3rem .6rem; border-bottom: 2px solid #c9d6c9; }
table.ocop-table td { padding: .25rem .6rem; border-bottom: 1px solid #e6e6e6; vertical-align: top; }
table.ocop-table td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.ocop-table tr.ocop-total td { font-weight: bold; border-top: 2px solid #c9d6c9; }
.ocop-notice { border-left: 5px solid #e3a21a; background: #fff8e6; padding: .6rem .9rem; margin: .6rem 0; }
.ocop-notice.ocop-error { border-color: #b8452f; background: #fdeeee; }
.ocop-notice.ocop-info { border-color: #2f6db5; background: #eef4fb; }
.jp-OutputArea-output svg, .jp-OutputArea-output img, .jp-RenderedSVG img { max-width: 100%; height: auto; }
table.ocop-table { max-width: 100%; }
@page { size: A4; margin: 16mm 14mm 18mm; }
@media print {
  body, main, body.jp-Notebook { max-width: none; padding: 0; font-size: 10.5pt; }
  .ocop-toc { break-after: page; }
  h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
  table.ocop-table { break-inside: auto; width: 100%; table-layout: auto; }
  table.ocop-table td.num { white-space: normal; }
  .jp-OutputArea-output img { max-width: 100% !important; height: auto !important; }
  table.ocop-table thead { display: table-header-group; }
  table.ocop-table tr, .jp-OutputArea-output svg, .ocop-notice { break-inside: avoid; page-break-inside: avoid; }
  .jp-Cell { break-inside: auto; }
}
"""


@dataclass(frozen=True)
class TitleBlock:
    """What the document's first lines say."""

    authority: str
    title: str
    province_name: str
    year: int
    scenario: str
    built: str
    plan_document: str = ""


def merge_notebooks(notebooks: list[nbformat.NotebookNode]) -> nbformat.NotebookNode:
    """One notebook with the document cells of every input, in order.

    Drops cells tagged as parameters/setup, error and stderr outputs, and empty code cells.
    """
    merged = nbformat.v4.new_notebook()
    merged.metadata = copy.deepcopy(notebooks[0].metadata) if notebooks else {}
    merged.metadata.pop("papermill", None)
    for nb in notebooks:
        for cell in nb.cells:
            tags = set(cell.get("metadata", {}).get("tags", []))
            if tags & HIDDEN_TAGS:
                continue
            cell = copy.deepcopy(cell)
            cell.metadata = {}
            if cell.cell_type == "code":
                cell.outputs = [
                    o
                    for o in cell.outputs
                    if not (o.output_type == "stream" and o.get("name") == "stderr") and o.output_type != "error"
                ]
                if not cell.outputs:
                    continue
                cell.execution_count = None
                for o in cell.outputs:
                    if "execution_count" in o:
                        o.execution_count = None
            merged.cells.append(cell)
    return merged


def _slug(text: str, used: set[str]) -> str:
    base = re.sub(r"[^\w]+", "-", text, flags=re.UNICODE).strip("-").lower() or "muc"
    slug, n = base, 2
    while slug in used:
        slug, n = f"{base}-{n}", n + 1
    used.add(slug)
    return slug


def _toc_and_ids(body: str) -> tuple[str, str]:
    """Give every h2 a stable id and return (body, TOC html)."""
    used: set[str] = set()
    entries: list[tuple[str, str]] = []

    def repl(m: re.Match) -> str:
        inner = m.group(2)
        text = html.unescape(re.sub(r"<[^>]+>", "", inner)).replace("¶", "").strip()
        slug = _slug(text, used)
        entries.append((slug, text))
        return f'<h2 id="{slug}">{inner}</h2>'

    body = re.sub(r"<h2(\s[^>]*)?>(.*?)</h2>", repl, body, flags=re.S)
    items = "".join(f'<li><a href="#{s}">{html.escape(t)}</a></li>' for s, t in entries)
    toc = f'<nav class="ocop-toc"><h2>Mục lục</h2><ol>{items}</ol></nav>' if entries else ""
    return body, toc


def _chart_alt(match: re.Match) -> str:
    """Replace nbconvert's English alt text of an SVG chart by the chart's own (Vietnamese) title."""
    import base64

    data = match.group(2)
    try:
        svg = base64.b64decode(data).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return match.group(0)
    title = re.search(r"role-title.*?<text[^>]*>([^<]+)</text>", svg, flags=re.S)
    alt = html.escape(html.unescape(title.group(1)) if title else "Biểu đồ", quote=True)
    return f'<img alt="{alt}" src="data:image/svg+xml;base64,{data}"'


def render_html(notebooks: list[nbformat.NotebookNode], title: TitleBlock) -> str:
    """The self-contained leadership HTML of the merged notebooks."""
    merged = merge_notebooks(notebooks)
    merged.metadata["title"] = f"{title.title} — {title.province_name} {title.year}"
    exporter = HTMLExporter(
        template_name="lab",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        require_js_url=EMPTY_SCRIPT,
        mathjax_url=EMPTY_SCRIPT,
        jquery_url=EMPTY_SCRIPT,
        mermaid_js_url=EMPTY_SCRIPT,
        mermaid_layout_elk_js_url=EMPTY_SCRIPT,
        widget_renderer_url=EMPTY_SCRIPT,
        jupyter_widgets_base_url=EMPTY_SCRIPT,
    )
    page, _ = exporter.from_notebook_node(merged)
    page = re.sub(r"<html[^>]*>", '<html lang="vi">', page, count=1)
    page = re.sub(r'<img alt="([^"]*)" src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', _chart_alt, page)
    head_end = page.index("</head>")
    page = page[:head_end] + f"<style>{CSS}</style>" + page[head_end:]
    body_open = re.search(r"<main[^>]*>", page) or re.search(r"<body[^>]*>", page)
    body_close = page.rindex("</main>") if "</main>" in page else page.rindex("</body>")
    body, toc = _toc_and_ids(page[body_open.end() : body_close])
    doc = "" if not title.plan_document else f" · Căn cứ: {html.escape(title.plan_document)}"
    block = (
        '<header class="ocop-title">'
        f'<div class="ocop-authority">{html.escape(title.authority)}</div>'
        f"<h1>{html.escape(title.title)}</h1>"
        f'<div class="ocop-meta">Tỉnh {html.escape(title.province_name)} · Năm {title.year} · '
        f"Kịch bản: {html.escape(SCENARIO_NAMES.get(title.scenario, title.scenario))}{doc} · "
        f'<span class="ocop-built">Lập ngày {html.escape(title.built)}</span></div>'
        "</header>"
    )
    return page[: body_open.end()] + block + toc + body + page[body_close:]


def external_references(page: str) -> list[str]:
    """Every src/href/url() in ``page`` that would reach the network (http, https, //)."""
    refs = re.findall(r"""(?:src|href)\s*=\s*["']((?:https?:)?//[^"']+)""", page, flags=re.I)
    refs += re.findall(r"""url\(\s*["']?((?:https?:)?//[^"')]+)""", page, flags=re.I)
    refs += re.findall(r"""@import\s+["']((?:https?:)?//[^"']+)""", page, flags=re.I)
    return refs

"""The documents read as the official who signs them reads them: every number in the body and the
proposals is a figure of the ledger (figures.json) with the same text; HTML, DOCX and PDF say the same
numbers; lines and sources add to their total. The contradictions a reader found are written back in
and must be caught."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from ocop_helpers.inputs import loading
from ocop_helpers.model import compute
from ocop_helpers.model.params import Params, defaults
from ocop_helpers.runs import documents
from ocop_helpers.runs.reading import read_plan_dir
from tests.support.plans import DEFAULT_PLAN, DEMO_PLAN

PLANS = {
    "bac-giang-2025": (DEFAULT_PLAN, {}),
    "bac-ninh-2026": (DEFAULT_PLAN.parent.parent / "bac-ninh" / "2026", {}),
    "demo": (DEMO_PLAN, {}),
}


def _write(folder: Path, name: str) -> Path:
    plan_dir, params = PLANS[name]
    results = compute.compute(loading.load_plan(plan_dir), Params({**defaults(), "draws": 1000, **params}))
    out = folder / name
    out.mkdir(parents=True)
    documents.write_all(results, out)
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("documents")
    return {name: _write(root, name) for name in PLANS}


@pytest.mark.parametrize("name", list(PLANS))
def test_every_number_of_every_document_is_a_figure_of_the_ledger(built, name):
    folder = built[name]
    assert (folder / "figures.json").exists()
    assert read_plan_dir(folder) == []


def _broken_copy(built, tmp_path) -> Path:
    target = tmp_path / "plan"
    shutil.copytree(built["bac-giang-2025"], target)
    return target


def test_a_figure_written_with_another_value_is_caught(built, tmp_path):
    """'Demand at the norm is 6,65 tỷ in three places and 6,57 tỷ in another.'"""
    folder = _broken_copy(built, tmp_path)
    page = (folder / "plan.html").read_text(encoding="utf-8")
    shown = json.loads((folder / "figures.json").read_text(encoding="utf-8"))
    need = next(f for f in shown["figures"] if f["id"] == "branding.need_vnd")["shown"]
    marked = f'data-fig="branding.need_vnd">{need}<'
    assert marked in page
    (folder / "plan.html").write_text(page.replace(marked, 'data-fig="branding.need_vnd">6,57 tỷ đồng<', 1), "utf-8")
    problems = read_plan_dir(folder, documents=("plan",))
    assert any("branding.need_vnd" in p and "6,57 tỷ đồng" in p for p in problems), problems


def test_a_number_not_taken_from_the_ledger_is_caught(built, tmp_path):
    """'The busiest round holds 153 products' written as a bare number in the body."""
    folder = _broken_copy(built, tmp_path)
    page = (folder / "plan.html").read_text(encoding="utf-8")
    page = page.replace('<main class="body">', '<main class="body"><p>Đợt đông nhất có 153 sản phẩm.</p>', 1)
    (folder / "plan.html").write_text(page, "utf-8")
    problems = read_plan_dir(folder, documents=("plan",))
    assert any("'153'" in p and "Đợt đông nhất" in p for p in problems), problems


def test_a_word_file_that_says_another_number_is_caught(built, tmp_path):
    """One structure, three renderers: a DOCX whose figure differs from the HTML's."""
    folder = _broken_copy(built, tmp_path)
    path = folder / "plan.docx"
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    xml = parts["word/document.xml"].decode("utf-8")
    total = json.loads((folder / "figures.json").read_text(encoding="utf-8"))
    shown = next(f for f in total["figures"] if f["id"] == "target.total")["shown"]
    assert f">{shown}<" in xml
    parts["word/document.xml"] = xml.replace(f">{shown}<", ">324<", 1).encode("utf-8")
    with zipfile.ZipFile(path, "w") as z:
        for n, data in parts.items():
            z.writestr(n, data)
    problems = read_plan_dir(folder, documents=("plan",))
    assert any(p.startswith("plan.docx") and "324" in p for p in problems), problems


def test_a_money_amount_in_print_that_is_no_figure_is_caught(built, tmp_path):
    folder = _broken_copy(built, tmp_path)
    page = (folder / "plan.html").read_text(encoding="utf-8")
    # Marked as a figure id that exists, but with the demand of a different computation.
    page = page.replace(
        '<main class="body">', '<main class="body"><p><span class="fig" data-fig="nope">6,57 tỷ đồng</span></p>', 1
    )
    (folder / "plan.html").write_text(page, "utf-8")
    problems = read_plan_dir(folder, documents=("plan",))
    assert any("'nope'" in p for p in problems), problems

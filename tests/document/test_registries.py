"""The registries at the extension points: every allocation rule declared once
(``domain.allocation.registry``) and every plan section declared once (``document.registry``); what
reads them picks up a new entry with no other edit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ocop_helpers.domain import allocation, labels
from ocop_helpers.domain.allocation import registry as rule_registry
from ocop_helpers.model import findings, params

# ----------------------------------------------------------------------------- allocation rules


def test_every_rule_has_a_function_a_label_a_glossary_text_and_is_a_choice():
    choices = list(params.specs()["rule"].choices)
    assert choices == list(rule_registry.REGISTRY), "the 'rule' choices are the registry, in its order"
    for code, rule in rule_registry.REGISTRY.items():
        assert rule.id == code
        assert callable(rule.function), code
        assert rule.label.strip() and labels.allocation_rule(code) == rule.label, code
        assert rule.glossary.strip() and rule.reference.strip(), code
        assert labels.ALLOCATION_RULE_GLOSS[code] == (rule.glossary, rule.reference), code
        assert code in choices, code
    # the heuristic rules are what RULES runs; the optimum (the MILP) is the one without a core
    assert list(allocation.RULES) == [c for c, r in rule_registry.REGISTRY.items() if r.core is not None]
    assert [c for c, r in rule_registry.REGISTRY.items() if r.core is None] == [allocation.OPTIMUM]


def test_a_rule_without_a_label_or_glossary_text_is_refused():
    for missing in ("label", "glossary", "reference"):
        fields = {"label": "Nhãn", "glossary": "Cách chia.", "reference": "Tài liệu", missing: " "}
        with pytest.raises(ValueError, match=missing):
            rule_registry.AllocationRule("x", allocation.proportional, None, **fields)


def test_the_choices_and_defaults_are_as_before():
    """The README parameter table and the defaults did not move (the order is the registry's)."""
    assert params.specs()["rule"].default == "priority"
    assert tuple(params.specs()["rule"].choices) == (
        "priority",
        "proportional",
        "equal_awards",
        "equal_losses",
        "talmud",
        "weighted_proportional",
        "weighted_equal_awards",
        "greedy",
        "optimum",
    )
    assert rule_registry.offered() == ("priority", "proportional", "equal_awards", "weighted_equal_awards", "optimum")


@pytest.fixture(scope="module")
def plan():
    from ocop_helpers.inputs import loading
    from tests.support.plans import DEFAULT_PLAN

    return loading.load_plan(DEFAULT_PLAN)


def test_a_registered_rule_is_a_choice_a_label_and_in_the_glossary_with_no_other_edit(monkeypatch, plan):
    def halves(claims, envelope, **kw):
        return allocation.proportional(claims, envelope, **kw)

    rule = rule_registry.AllocationRule(
        "halves",
        halves,
        None,
        "Chia đôi thử nghiệm",
        "Quy tắc thử: mỗi tổ chức kinh tế được cùng một tỷ lệ.",
        "không có",
        offered=True,
    )
    monkeypatch.setitem(rule_registry.REGISTRY, "halves", rule)

    spec = params.specs()["rule"]
    assert "halves" in spec.choices and list(spec.choices)[-1] == "halves"
    assert params.coerce(spec, "halves") == "halves"
    assert "halves" in params.markdown_table()
    assert labels.ALLOCATION_RULE["halves"] == labels.allocation_rule("halves") == "Chia đôi thử nghiệm"
    assert labels.ALLOCATION_RULE_GLOSS["halves"][0] == "Quy tắc thử: mỗi tổ chức kinh tế được cùng một tỷ lệ."
    assert "halves" in rule_registry.offered()

    from ocop_helpers.document import plan_document
    from ocop_helpers.lab import panels

    options = dict((v, k) for k, v in next(c for c in panels.ALLOCATION.controls(plan) if c.name == "rule").options)
    assert options["halves"] == "Chia đôi thử nghiệm"
    glossary = plan_document.glossary_appendix(None).blocks[1]
    assert ("Chia đôi thử nghiệm", "Quy tắc thử: mỗi tổ chức kinh tế được cùng một tỷ lệ.", "không có") in glossary.rows

    # the registry's offered rules are what a decision puts before the signer
    table = pd.DataFrame(
        {"granted_vnd": [10, 10], "fully_funded": [1, 1], "partly_funded": [0, 0], "not_funded": [1, 1]}
        | {"weighted_coverage": [0.5, 0.6]},
        index=["priority", "halves"],
    )
    long = pd.DataFrame({"rule": ["priority", "halves"], "unit_id": ["u", "u"], "claim_vnd": [20, 20]})
    long["granted_vnd"] = [10, 10]
    assert list(findings.rule_options(table, long, "priority")["option"]) == ["priority", "halves"]


def test_rules_run_from_the_registry():
    c = np.array([[100.0, 200.0, 300.0]])
    for code, rule in rule_registry.REGISTRY.items():
        if rule.core is None:
            continue
        assert allocation.get_rule(code) is rule.function
        assert np.allclose(allocation.solve_rules(c, 200.0, [code])[code], rule.function(c, 200.0)), code


# ----------------------------------------------------------------------------- plan sections
def _panels():
    from ocop_helpers.lab import panels

    return {name: p for name, p in vars(panels).items() if isinstance(p, panels.Panel)}


def test_every_section_reads_fields_of_results_and_every_panel_appendix_and_sheet_names_a_section():
    import dataclasses

    from ocop_helpers.document import registry
    from ocop_helpers.model.compute import Results

    result_fields = {f.name for f in dataclasses.fields(Results)}
    for key, section in registry.SECTIONS.items():
        assert section.id == key and section.title.strip() and callable(section.render), key
        assert set(section.fields) <= result_fields, (key, set(section.fields) - result_fields)
        assert len(set(section.fields)) == len(section.fields), key
    panels = _panels()
    assert len(panels) >= 13
    for name, panel in panels.items():
        assert panel.section in registry.SECTIONS, name
    assert set(registry.APPENDIX) <= set(registry.SECTIONS) and len(set(registry.APPENDIX)) == len(registry.APPENDIX)
    names = [s.name for s in registry.ANNEX]
    assert len(set(names)) == len(names) and all(0 < len(n) <= 31 for n in names), names
    for sheet in registry.ANNEX:
        assert sheet.section in registry.SECTIONS, sheet.name
        assert sheet.description.strip() and sheet.sources and callable(sheet.build), sheet.name
    with pytest.raises(ValueError, match="no registered section"):
        type(next(iter(panels.values())))("not_a_section")


class _Reads:
    """Results that record which fields are read."""

    def __init__(self, results):
        self._results, self.seen = results, set()

    def __getattr__(self, name):
        self.seen.add(name)
        return getattr(self._results, name)


@pytest.fixture(scope="module")
def results(plan):
    from ocop_helpers.model import compute

    return compute.Model(plan).lazy(params.Params({"draws": 300, "interactive": False}))


def test_each_section_reads_exactly_the_fields_it_declares(results):
    """The renderer and the section's annex sheets read the declared fields, no more (the default plan
    reads every one of them too, so a stale declaration shows)."""
    from ocop_helpers.document import registry

    for key, section in registry.SECTIONS.items():
        reads = _Reads(results)
        section.render(reads)
        for sheet in registry.sheets_of(key):
            sheet.build(reads, sheet.name)
        declared = set(section.fields)
        assert reads.seen <= declared, f"{key} reads undeclared fields {sorted(reads.seen - declared)}"
        if key != "year_over_year":  # the default plan has no previous plan: its section reads less
            assert reads.seen == declared, f"{key} declares fields it does not read: {sorted(declared - reads.seen)}"


def test_titles_and_renderers_come_from_the_registry(monkeypatch, results):
    """A title (and a renderer) changed in the registry changes the panel and the plan document's
    appendix; a sheet name changed there changes the annex, its cover and the sentence that cites it."""
    import dataclasses

    from ocop_helpers.document import docmodel, elements, plan_document, registry

    title = "Tiêu đề thử của mục lịch"
    section = dataclasses.replace(
        registry.SECTIONS["calendar"], title=title, render=lambda r: [elements.paragraph("Nội dung thử.")]
    )
    monkeypatch.setitem(registry.SECTIONS, "calendar", section)
    panels = _panels()
    assert panels["CALENDAR"].title == title
    assert [p.text for p in panels["CALENDAR"].render(results)] == ["Nội dung thử."]
    monkeypatch.setattr(registry, "APPENDIX", ("calendar",))
    blocks = plan_document.analysis_appendix(results).blocks
    assert [(b.text, b.numbering) for b in blocks if isinstance(b, docmodel.Heading)] == [(title, "1.")]

    renamed = tuple(
        dataclasses.replace(s, name="Đến hạn (thử)", description="Mô tả thử") if s.section == "expiry" else s
        for s in registry.ANNEX
    )
    monkeypatch.setattr(registry, "ANNEX", renamed)
    sheets = registry.annex_sheets(results)
    assert [s.name for s in sheets[1:]] == [s.name for s in renamed]
    cover = sheets[0].frame
    assert cover.loc[cover["key"] == "Đến hạn (thử)", "value"].tolist() == ["Mô tả thử"]
    notices = [b.text for b in registry.SECTIONS["expiry"].render(results) if isinstance(b, elements.Alert)]
    assert any("bảng «Đến hạn (thử)»" in t for t in notices), notices

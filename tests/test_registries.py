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

    from .conftest import DEFAULT_PLAN

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

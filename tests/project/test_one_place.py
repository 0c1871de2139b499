"""Each rule in one place: what used to be written twice (money parsing, shown values, scenarios,
``--set``, the as-of dates, the certificate terms) gives one answer wherever it is asked."""

from __future__ import annotations

import pandas as pd
import pytest

from ocop_helpers.core import vnformat
from ocop_helpers.inputs import schema
from ocop_helpers.model import params
from ocop_helpers.runs import sweep

# ----------------------------------------------------------------------------- money


@pytest.mark.parametrize(
    "text", ["18tỷ", "18,5tỷ", "18,5 tỷ", "500triệu", "18.000.000.000", "18000000000", "1.500 triệu", "5nghìn"]
)
def test_sweep_set_and_typed_money_read_the_same_amount(text):
    # --sweep, --set / scenario files (params.coerce) and the Lab's fields all read money with one parser.
    spec = params.specs()["envelope_vnd"]
    expected = vnformat.parse_money(text)
    assert sweep.parse_sweep(f"envelope_vnd={text}").values == (expected,)
    assert params.coerce(spec, text) == expected


def test_sweep_refuses_what_set_refuses():
    with pytest.raises(sweep.SweepError, match="không rõ nghĩa"):
        sweep.parse_sweep("envelope_vnd=18.5tỷ")  # '.' may be a decimal point or a thousands separator
    with pytest.raises(ValueError, match="không rõ nghĩa"):
        params.coerce(params.specs()["envelope_vnd"], "18.5tỷ")


@pytest.mark.parametrize(
    "text,value",
    [("20900000000", 20_900_000_000), ("20.900.000.000", 20_900_000_000), ("1 500 000", 1_500_000)],
)
def test_data_files_read_money_with_the_one_parser_without_unit_words(text, value):
    assert schema.parse_money(text) == value == vnformat.parse_money(text, words=False) == vnformat.parse_money(text)


def test_data_files_keep_their_strict_contract():
    assert schema.parse_money("150000000.0") == 150_000_000  # a spreadsheet's whole float
    with pytest.raises(ValueError):
        vnformat.parse_money("150000000.0")  # typed by a planner: not whole đồng
    for text in ("18 tỷ", "500 triệu", "18_000_000_000", "1,5"):
        with pytest.raises(ValueError, match="số tiền nguyên"):
            schema.parse_money(text)
    with pytest.raises(ValueError, match="không âm"):
        schema.parse_money("-5")
    with pytest.raises(ValueError, match="không quá 10"):
        schema.parse_money(str(schema.MAX_NUMBER + 1))


# ----------------------------------------------------------------------------- values as shown


def test_sweep_points_and_saved_scenarios_show_a_value_alike():
    from ocop_helpers.runs import scenarios

    for name, value in [("envelope_vnd", 4_500_000_000), ("pass_rate_new", 0.4), ("rule", "priority"), ("year", 2025)]:
        assert sweep.point_name({name: value}) == f"{name} = {scenarios.shown_value(name, value).split(' (')[0]}"
    assert sweep.point_name({"pass_rate_new": 0.4, "year": 2025}) == "pass_rate_new = 40% · year = 2025"


# ----------------------------------------------------------------------------- scenarios


def test_a_saved_scenario_is_the_scenario_a_comparison_computes(tmp_path, monkeypatch):
    from ocop_helpers.core import paths
    from ocop_helpers.inputs import loading
    from ocop_helpers.runs import compare, scenarios

    monkeypatch.setenv("OCOP_SCENARIO_DIR", str(tmp_path))
    path = scenarios.save({"envelope_vnd": 4_500_000_000, "rule": "optimum"}, "Ít kinh phí", note="thử")
    saved = scenarios.read(path)
    assert (saved.name, saved.title, saved.note, saved.source) == ("it-kinh-phi", "Ít kinh phí", "thử", str(path))
    assert saved.params.envelope_vnd == 4_500_000_000 and saved.params.rule == "optimum"
    [computed] = compare.scenarios(loading.load_plan(paths.DEFAULT_PLAN_DIR), [path])
    assert type(computed) is type(saved)
    assert computed.name == saved.name and computed.params.envelope_vnd == saved.params.envelope_vnd


def test_the_lab_and_a_comparison_refuse_a_scenario_file_alike(tmp_path):
    from ocop_helpers.runs import compare, scenarios

    bad = tmp_path / "bad.yaml"
    bad.write_text("colour: red\npass_rate_new: 2\n", encoding="utf-8")
    problems = []
    for read in (scenarios.read, compare.read_scenario):
        with pytest.raises(params.ParamError) as info:
            read(bad)
        problems.append(info.value.problems)
    assert problems[0] == problems[1] and len(problems[0]) == 2
    assert problems[0][0].startswith("bad.yaml: 'colour': tham số không tồn tại")


# ----------------------------------------------------------------------------- --set


@pytest.mark.parametrize("command", ["build", "compare"])
def test_both_commands_read_set_alike(command, tmp_path, capsys):
    from ocop_helpers.runs import cli, scenarios

    assert scenarios.parse_settings(["draws=500", " rule =optimum", "note=a=b"]) == {
        "draws": "500",
        "rule": "optimum",
        "note": "a=b",
    }
    # A pair without '=' is bad input for either command: exit 2 and the same message, nothing built.
    assert cli.main([command, "--set", "draws", "--out", str(tmp_path)]) == 2
    assert "--set cần dạng tên=giá_trị, nhận được 'draws'" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


# ----------------------------------------------------------------------------- dates


def test_issue_date_and_as_of_have_one_default_each():
    import dataclasses
    import datetime as dt

    from ocop_helpers.core import paths
    from ocop_helpers.document import official
    from ocop_helpers.inputs import loading
    from ocop_helpers.model import compute

    plan = loading.load_plan(paths.DEFAULT_PLAN_DIR)
    draft = dataclasses.replace(plan, issue_date=None)
    issued = dataclasses.replace(plan, issue_date=dt.date(plan.year, 3, 2))
    assert draft.issued_on == plan.units_as_of and issued.issued_on == dt.date(plan.year, 3, 2)
    assert official.frame(issued).on_date == issued.issued_on and official.frame(draft).on_date == draft.issued_on
    # The as-of date defaults to 1 January of the plan's year, whatever year the parameters name.
    other_year = params.Params({"year": plan.year + 1})
    assert compute.as_of_date(plan, other_year) == dt.date(plan.year, 1, 1)
    assert compute.as_of_date(plan, params.Params({"as_of": dt.date(plan.year, 5, 1)})) == dt.date(plan.year, 5, 1)
    assert not hasattr(params.Params, "as_of_date") and not hasattr(compute, "issue_date")


# ----------------------------------------------------------------------------- year over year


def test_the_year_over_year_figures_have_one_source():
    from ocop_helpers.core import paths
    from ocop_helpers.domain import yoy
    from ocop_helpers.inputs import loading

    plan = loading.load_plan(paths.DATA_DIR / "bac-ninh" / "2026")
    previous = loading.load_previous_plan(plan)
    detail = yoy.compare_years(plan)
    assert [p.plan.province_id for p in detail.available] == [previous.province_id]
    # The table shown without a detailed comparison is the detailed tables' own rows.
    headline = yoy.headline_table(plan, [previous]).set_index("indicator")[["previous", "current", "change"]]
    detailed = pd.concat([detail.targets, detail.stock.iloc[:2]]).set_index("indicator")[
        ["previous", "current", "change"]
    ]
    pd.testing.assert_frame_equal(headline, detailed)
    assert headline.loc["Số sản phẩm OCOP đầu năm"].tolist() == [385, 770, 385]


# ----------------------------------------------------------------------------- certificate validity


def test_the_certificate_validity_is_read_from_the_data_only(tmp_path, monkeypatch):
    import datetime as dt
    import shutil

    from ocop_helpers.core import paths
    from ocop_helpers.dev import synth
    from ocop_helpers.domain import stock, yoy
    from ocop_helpers.inputs import loading

    # The generator: re-evaluated certificates are issued one validity before they expire in the plan year.
    reference = tmp_path / "reference"
    shutil.copytree(paths.REFERENCE_DIR, reference)
    rules = (reference / "certificate_rules.csv").read_text(encoding="utf-8")
    (reference / "certificate_rules.csv").write_text(rules.replace(",36,", ",24,"), encoding="utf-8")
    made = synth.synthetic_plan(400, 150, paths.DEFAULT_PLAN_DIR, seed=3, reference_dir=reference)
    year = int(made.plan["year"])
    products = made.tables["products.csv"]
    issued = products.loc[products["stream"] == "reevaluation", "certificate_date"].map(dt.date.fromisoformat)
    assert len(issued) and {d.year for d in issued} == {year - 2}
    assert synth.ORGANISATION_COLUMNS == list(made.tables["organisations.csv"].columns)

    # The year-over-year reasons name the validity in force.
    real = stock.certificate_terms
    monkeypatch.setattr(stock, "certificate_terms", lambda *a: {**real(*a), "validity_months": 24})
    plan = loading.load_plan(paths.DATA_DIR / "bac-ninh" / "2026")
    reasons = yoy.compare_years(plan).reasons
    assert any("hết hạn (24 tháng)" in r for r in reasons), reasons


# ----------------------------------------------------------------------------- names


def test_rule_parameters_and_rules_have_distinct_names():
    from ocop_helpers.domain import allocation
    from ocop_helpers.model import compute

    assert set(compute.RULE_PARAMS) <= set(params.specs()) and not hasattr(compute, "RULES")
    assert all(callable(rule) for rule in allocation.RULES.values())


def test_a_heading_inside_a_section_has_no_level_to_ignore():
    import inspect

    from ocop_helpers.document import elements
    from ocop_helpers.document.docmodel import Heading

    assert list(inspect.signature(elements.heading).parameters) == ["text"]
    assert elements.heading("Những gì thay đổi và vì sao") == Heading(3, "Những gì thay đổi và vì sao")

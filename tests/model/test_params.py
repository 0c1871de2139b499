"""The parameter registry: coercion, ranges, unknown names, and agreement with the notebooks."""

from __future__ import annotations

import datetime as dt

import pytest

from ocop_helpers.model import params
from ocop_helpers.runs import build


def test_values_from_cli_and_yaml_are_coerced():
    v = params.validate({"year": "2026", "interactive": "False", "as_of": "2025-07-01", "seed": 7.0})
    assert v == {"year": 2026, "interactive": False, "as_of": dt.date(2025, 7, 1), "seed": 7}


@pytest.mark.parametrize(
    "name,value,reason",
    [
        ("year", "20x5", "số nguyên"),
        ("year", 1999, "không nhỏ hơn"),
        ("interactive", "maybe", "True hoặc False"),
        ("as_of", "15/6/2025", "YYYY-MM-DD"),
        ("seed", -1, "không nhỏ hơn"),
        ("seed", 1.5, "số nguyên"),
    ],
)
def test_bad_values_are_rejected_with_reason(name, value, reason):
    with pytest.raises(params.ParamError) as info:
        params.validate({name: value})
    assert reason in str(info.value) and name in str(info.value)


def test_unknown_names_are_errors_and_all_reported():
    with pytest.raises(params.ParamError) as info:
        params.validate({"yaer": 2025, "year": "x"})
    assert len(info.value.problems) == 2 and "yaer" in str(info.value)


def test_from_namespace_ignores_other_globals_and_fills_defaults():
    p = params.from_namespace({"year": 2025, "pd": object(), "plan": 3})
    assert p.year == 2025 and p.interactive is True and p.seed == 1
    assert p.plan_path.parts[-2:] == ("bac-giang", "2025")
    assert params.from_namespace({"year": 2025, "seed": 9}).changed() == {"seed": 9}


def test_every_notebook_parameter_is_registered_with_the_same_default():
    registry = params.specs()
    for nb in build.plan_notebooks():
        import papermill

        for name, info in papermill.inspect_notebook(str(nb)).items():
            assert name in registry, f"{nb.name}: parameter {name} is not in params.SPECS"
            default = registry[name].default
            shown = info["default"]
            import ast

            assert ast.literal_eval(shown) == default, (
                f"{nb.name}: {name} = {shown} but the registry default is {default!r}"
            )

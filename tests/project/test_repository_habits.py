"""environment.yml and pyproject.toml describe the same dependencies; the repo keeps its habits."""

from __future__ import annotations

import json
import re
import tomllib

import yaml

from ocop_helpers.core import paths
from ocop_helpers.runs import build


def _norm(req: str) -> str:
    return re.sub(r"\s+", "", req).lower().replace("_", "-")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_norm(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    env = yaml.safe_load((paths.ROOT / "environment.yml").read_text())
    conda = {
        _norm(d)
        for d in env["dependencies"]
        if isinstance(d, str) and re.split(r"[=<>]", d)[0] not in ("python", "pip")  # python-docx is a package
    }
    assert conda == wanted, f"only in environment.yml: {conda - wanted}; only in pyproject: {wanted - conda}"
    py = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert py == "python=3.11" and project["requires-python"].startswith(">=3.11")


def test_notebooks_are_stored_without_outputs_and_with_the_project_kernel():
    for nb_path in build.plan_notebooks():
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        assert nb["metadata"]["kernelspec"]["name"] == "python3", nb_path.name
        tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1, f"{nb_path.name} needs exactly one cell tagged 'parameters'"
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                assert not cell["outputs"] and cell["execution_count"] is None, nb_path.name


def test_notebooks_stay_thin():
    """Logic lives in ocop_helpers: no function or class definitions in notebooks."""
    for nb_path in build.plan_notebooks():
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            src = "".join(cell["source"])
            if cell["cell_type"] == "code":
                assert not re.search(r"^\s*(def|class)\s", src, flags=re.M), f"{nb_path.name}: {src[:80]}"


def test_readme_parameter_table_is_the_registry():
    """The README's table is exactly `python -m ocop_helpers params --markdown` (regenerate it so)."""
    from ocop_helpers.model import params

    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    assert params.markdown_table(build.parameters_by_notebook()) in readme

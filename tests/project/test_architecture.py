"""The package's shape: layers without cycles (import-linter, the contract in pyproject.toml), no
import hidden inside a function except a commented deferral of a heavy optional dependency, and the
notebook API and entry points of the flat package still answering."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "ocop_helpers"


def _function_imports(path: Path) -> list[tuple[int, str]]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found = []

    class Visitor(ast.NodeVisitor):
        depth = 0

        def visit_FunctionDef(self, node: ast.AST) -> None:
            self.depth += 1
            self.generic_visit(node)
            self.depth -= 1

        visit_AsyncFunctionDef = visit_FunctionDef

        def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
            if self.depth and "# deferred:" not in "\n".join(lines[node.lineno - 1 : node.end_lineno]):
                found.append((node.lineno, lines[node.lineno - 1].strip()))

        visit_ImportFrom = visit_Import

    Visitor().visit(ast.parse(source))
    return found


def test_no_import_inside_a_function_unless_a_commented_deferral():
    hidden = {str(p.relative_to(ROOT)): found for p in sorted(PACKAGE.rglob("*.py")) if (found := _function_imports(p))}
    assert hidden == {}, "imports inside functions (move them up, or comment '# deferred: why'):\n" + "\n".join(
        f"{f}:{n}: {text}" for f, items in hidden.items() for n, text in items
    )


def test_the_import_contract_holds():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_the_contract_fails_on_an_upward_import(tmp_path):
    """The contract can fail: a copy of the package where a domain module imports the Lab breaks it."""
    copy = tmp_path / "ocop_helpers"
    subprocess.run(["cp", "-r", str(PACKAGE), str(copy)], check=True)
    (copy / "domain" / "units.py").write_text(
        (copy / "domain" / "units.py").read_text(encoding="utf-8") + "\nfrom ocop_helpers.lab import panels  # noqa\n",
        encoding="utf-8",
    )
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text(encoding="utf-8"), encoding="utf-8")
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint), "--no-cache"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode != 0
    assert "ocop_helpers.domain.units -> ocop_helpers.lab.panels" in done.stdout


@pytest.mark.parametrize("name", ["panels", "params", "report", "widgets"])
def test_the_notebook_api_of_the_flat_package_still_imports(name):
    import ocop_helpers

    module = getattr(ocop_helpers, name)
    assert module.__name__ == ocop_helpers.NOTEBOOK_API[name]


def test_the_entry_points_still_answer(tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("pass_rate_new: 0.5\n", encoding="utf-8")
    b.write_text("pass_rate_new: 0.6\n", encoding="utf-8")
    for args, expect in (
        (["-m", "ocop_helpers", "params"], "pass_rate_new"),
        (["-m", "ocop_helpers.scenarios", str(a), str(b)], "pass_rate_new"),
    ):
        done = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        assert expect in done.stdout
